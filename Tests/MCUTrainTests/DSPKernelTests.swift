import XCTest
@testable import MCUTrain

/// The DSP kernels against the portable ones and the Swift twin: each dense kernel alone in
/// the emulator on awkward shapes and at every kind of update shift, the stochastic rounding's
/// exact mean, whole training runs, and the refusal on a core without the DSP extension.
extension BitExactTests {
    /// Calls the dense kernels on buffers the test fills; `mct_t_args` holds n_in, n_out,
    /// weight rows, w_shift, b_shift, lo, hi.
    static let harness = """
        #include "mct_kernels.h"
        int8_t mct_t_w[4096], mct_t_in[128], mct_t_err[64], mct_t_out[64], mct_t_shift[64];
        int32_t mct_t_bias[64], mct_t_acc[128], mct_t_args[8];
        mct_rng_t mct_t_rng;
        int main(void) { return 0; }
        void mct_t_forward(void) {
            mct_dense_forward_s8(mct_t_in, mct_t_args[0], mct_t_w, mct_t_bias, mct_t_args[1], mct_t_shift, mct_t_args[5], mct_t_args[6], mct_t_out);
        }
        void mct_t_logits(void) { mct_dense_logits_s8(mct_t_in, mct_t_args[0], mct_t_w, mct_t_bias, mct_t_args[1], mct_t_acc); }
        uint32_t mct_t_input_error(void) { return mct_dense_input_error_s8(mct_t_err, mct_t_args[1], mct_t_w, mct_t_args[0], mct_t_acc); }
        uint32_t mct_t_update(void) {
            return mct_dense_update_s8(mct_t_w, mct_t_bias, mct_t_in, mct_t_args[0], mct_t_err, mct_t_args[1], mct_t_args[2],
                                       mct_t_args[3], mct_t_args[4], &mct_t_rng);
        }
        """

    final class Harness {
        let machine: Machine
        let top: UInt32
        init(_ variant: KernelVariant, directory: String, kinds: [any LayerKind.Type] = [Dense.self], harness: String = BitExactTests.harness) throws {
            let board = try Board.resolve("nrf52840")
            let files = ["mct_kernels.h": KernelSource.header(kinds: kinds), "mct_kernels.c": KernelSource.source(kinds: kinds, variant: variant),
                         "harness.c": harness]
            let elf = try FirmwareBuilder(board: board, directory: directory).build(generated: files, firmware: [], sources: ["mct_kernels.c", "harness.c"])
            machine = try Machine(board: board, timing: try board.core.timingModel())
            try machine.load(try ELFFile(path: elf))
            top = try machine.address(of: "__StackTop")
        }
        func write<T: FixedWidthInteger>(_ symbol: String, _ values: [T]) throws {
            try machine.write(values.flatMap { v in (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }, at: try machine.address(of: symbol))
        }
        func read<T: FixedWidthInteger>(_ symbol: String, _ count: Int, as: T.Type) throws -> [T] {
            let bytes = try machine.read(count * T.bitWidth / 8, at: try machine.address(of: symbol))
            return (0..<count).map { i in (0..<T.bitWidth / 8).reduce(T(0)) { $0 | T(truncatingIfNeeded: bytes[i * T.bitWidth / 8 + $1]) << ($1 * 8) } }
        }
        func call(_ f: String) throws -> UInt32 { try machine.call(f, stackTop: top, maxCycles: 1 << 30).value }
    }

    /// Every dense kernel, both variants, against the twin: odd and 1-wide inputs, outputs not a
    /// multiple of four, a partial weight-row update, zero errors, -128 everywhere it can occur,
    /// and update shifts from below -8 (clamped) through 0, 1..7 (the DSP's row loop in C), 8..16
    /// (its SIMD loop) to above 16 (the error rounded first) and above 30 (clamped).
    func testDenseKernelsOfBothVariantsMatchTheTwin() throws {
        let harnesses = try KernelVariant.allCases.map { try Harness($0, directory: temporaryDirectory(self)) }
        var seed = SplitMix64(seed: 11, stream: 1)
        func values(_ n: Int, _ range: ClosedRange<Int>, zeros: Bool = false) -> [Int8] {
            (0..<n).map { _ in
                let v = Int(seed.next() % UInt64(range.count)) + range.lowerBound
                return zeros && seed.next() % 3 == 0 ? 0 : Int8(v)
            }
        }
        let shapes = [(1, 2), (3, 5), (5, 4), (7, 9), (13, 6), (16, 7), (33, 17), (64, 10)]
        let shifts = [-12, -3, 0, 1, 5, 7, 8, 12, 16, 17, 22, 40]
        for (nIn, nOut) in shapes {
            // The same layer training all its rows, and the first half only (a sparse update).
            let path = writeFile(temporaryDirectory(self), "m.json", mlpJSON([nIn, nOut, 2]))
            let half = mlpJSON([nIn, nOut, 2]).replacingOccurrences(of: #""training""#, with: #""sparse_update": {"default": "weights:1/2", "layers": {}}, "training""#)
            let models = [try quantizedModel(path), try quantizedModel(writeFile(temporaryDirectory(self), "h.json", half), update: .sparse)]
            for (n, s) in shifts.enumerated() {
                let model = models[n % 3 == 0 ? 1 : 0]
                let twin = model.twin(0), dense = model.graph.nodes[0].kind as! Dense
                let r = twin.numerics.outputRange
                let rows = model.graph.nodes[0].update.weightChannels(of: nOut)
                let exponent = twin.numerics.weightUpdateBase - s
                var params = IntegerParameters(weights: values(nIn * nOut, -127...127), bias: (0..<nOut).map { _ in Int32(Int(seed.next() % 4001) - 2000) })
                let input = values(nIn, -128...127), error = values(nOut, -128...127, zeros: true)
                let state = UInt32(truncatingIfNeeded: seed.next()) | 1
                let label = "\(nIn)x\(nOut) s=\(s)"
                for h in harnesses {
                    try h.write("mct_t_args", [Int32(nIn), Int32(nOut), Int32(rows), Int32(s), Int32(twin.numerics.biasUpdateBase - exponent), r.lo, r.hi, 0])
                    try h.write("mct_t_w", params.weights); try h.write("mct_t_bias", params.bias)
                    try h.write("mct_t_in", input); try h.write("mct_t_err", error)
                    try h.write("mct_t_shift", (0..<nOut).map { Int8(twin.numerics.requantShift($0)) })
                    try h.write("mct_t_rng", [state])
                }
                var want = params, rng = XorShift32(state: state)
                for h in harnesses {
                    _ = try h.call("mct_t_forward")
                    XCTAssertEqual(try h.read("mct_t_out", nOut, as: Int8.self), dense.forward(twin, inputs: [input], params: params), "forward \(label)")
                    _ = try h.call("mct_t_logits")
                    XCTAssertEqual(try h.read("mct_t_acc", nOut, as: Int32.self), dense.logits(input: input, params: params), "logits \(label)")
                    let macs = try h.call("mct_t_input_error")
                    let acc = try h.read("mct_t_acc", nIn, as: Int32.self)
                    let twinError = dense.inputError(twin, input: 0, inputs: [input], error: error, exponent: 0, params: params)
                    XCTAssertEqual(IntegerKernels.requantizeError(acc).error, twinError.error, "input error \(label)")
                    XCTAssertEqual(Int(macs), dense.inputErrorMACs(error: error), "input error MACs \(label)")
                }
                dense.update(twin, params: &want, inputs: [input], error: error, exponent: exponent, rng: &rng)
                for h in harnesses {
                    let macs = try h.call("mct_t_update")
                    XCTAssertEqual(Int(macs), dense.updateMACs(error: error, weightChannels: rows), "update MACs \(label)")
                    XCTAssertEqual(try h.read("mct_t_w", nIn * nOut, as: Int8.self), want.weights, "updated weights \(label)")
                    XCTAssertEqual(try h.read("mct_t_bias", nOut, as: Int32.self), want.bias, "updated bias \(label)")
                    XCTAssertEqual(try h.read("mct_t_rng", 1, as: UInt32.self), [rng.state], "random state after the update \(label)")
                }
                params = want
            }
        }
    }

    /// Each weight's step has exactly the mean e·a·2^-s, summed over every value its random
    /// bits can take: 2^16 values of u up to s = 16; above, also the 2^(s-16) values of the
    /// error's own rounding. Checked at every shift, for errors and inputs at the extremes.
    func testWeightStepIsUnbiasedOverEveryRandomValue() {
        let pairs: [(Int32, Int8)] = [(1, 1), (-1, 1), (127, 127), (-128, -128), (-128, 127), (3, -77), (-45, 9), (100, -1)]
        for s in 1...30 {
            for (e, a) in pairs {
                // Σ over the pre-rounding's noise n (none up to 16) of Σ over u of the step.
                let outer = s > 16 ? 1 << (s - 16) : 1
                var byScale: [Int32: Int64] = [:], total: Int64 = 0
                for n in 0..<outer {
                    let scale = IntegerKernels.stepScale(e, s, noise: UInt32(n))
                    if byScale[scale] == nil {
                        byScale[scale] = (0..<65536).reduce(Int64(0)) { $0 + Int64(IntegerKernels.weightStep(scale, a, noise: UInt32($1))) }
                    }
                    total += byScale[scale]!
                }
                // mean = total / (outer · 2^16) must equal e·a / 2^s, i.e. total · 2^s = e·a · outer · 2^16.
                XCTAssertEqual(total << s, Int64(e) * Int64(a) * Int64(outer) << 16, "mean step at e=\(e) a=\(a) s=\(s)")
            }
        }
        // The check can fail: eight random bits (u's top byte only) are biased at s = 12.
        let coarse = (0..<256).reduce(Int64(0)) { $0 + Int64(IntegerKernels.weightStep(3 << 4, 5, noise: UInt32($1) << 8)) } * 256
        XCTAssertNotEqual(coarse << 12, Int64(3 * 5) << 16)
    }

    /// Weight k of a group takes a 16-bit window of the draw: every window value comes from
    /// exactly the draws with those bits, so u is uniform whatever the other bits.
    func testEachLaneOfADrawIsAUniformSixteenBitWindow() {
        for k in 0..<4 {
            for v in stride(from: UInt32(0), to: 65536, by: 97) {
                for other in [UInt32(0), 0xFFFF, 0x1234] {
                    let draw = (v | other << 16)
                    let rotated = k == 0 ? draw : draw << UInt32(8 * k) | draw >> UInt32(32 - 8 * k)
                    XCTAssertEqual(IntegerKernels.stepNoise(rotated, lane: k), v, "lane \(k)")
                }
            }
        }
    }

    func testDigitsMLPWithDSPKernelsMatchesOverThreeHundredSteps() throws {
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        try assertBitExact(try String(contentsOfFile: ProjectPaths.examples + "/mlp-digits.json", encoding: .utf8), data: data, steps: 300, kernels: .dsp)
    }

    /// Odd dense shapes after convolutions, a sparse update (half the rows), and a learning rate
    /// that makes update shifts small, all with the DSP kernels.
    func testAwkwardModelsWithDSPKernels() throws {
        try assertBitExact(stridedStackJSON(learningRateShift: 1), kernels: .dsp)
        try assertBitExact(Self.residualJSON(sparse: #", "sparse_update": {"default": "frozen", "layers": {"b": "bias", "c": "weights:1/2", "out": "weights:1/2"}}"#),
                           update: .sparse, kernels: .dsp)
        try assertBitExact(mlpJSON([13, 7, 5, 3]), steps: 60, kernels: .dsp)
    }

    func testDSPKernelsAreRefusedOnACortexM0() throws {
        let path = writeFile(temporaryDirectory(self), "m.json", mlpJSON([8, 4, 2]))
        assertError(try trainingDevice(self, path, board: "stm32f072", kernels: .dsp), mentions: ["--kernels dsp", "stm32f072", "cortex-m0", "portable"])
        XCTAssertNoThrow(try trainingDevice(self, path, board: "stm32f072"))
    }

    /// The host build compiles the DSP C with plain-C intrinsics: a --fast run checks it in
    /// lockstep against the emulated M4 at every measured step, and the report names the variant.
    func testFastRunWithDSPKernelsAgreesWithTheEmulatorAndIsRecorded() throws {
        let spec = try ModelSpec.load(path: ProjectPaths.examples + "/mlp-digits.json")
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits).subset(Array(0..<300), name: "digits-300")
        let report = try Simulation(board: try Board.resolve("nrf52840"), spec: spec, modelFile: "m", data: data, dataFile: "d",
                                    options: .init(epochs: 1, seed: 2, fast: true, measuredSteps: 200, kernels: .dsp),
                                    buildDirectory: temporaryDirectory(self)).run()
        XCTAssertEqual(report.kernels, "dsp")
        XCTAssertTrue(SimulationText.render(report).contains("dsp kernels"))
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        XCTAssertTrue(json.contains(#""kernels":"dsp""#), json)
    }
}
