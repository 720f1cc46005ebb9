import XCTest
@testable import MCUTrain

/// The convolution kernels of both variants against each other and the Swift twin, each
/// kernel alone in the emulator on awkward geometries: channels not a multiple of four, odd
/// widths, strides 2 and 3, same padding on one side, kernels larger than the input, 1×1
/// inputs and pointwise layers.
extension BitExactTests {
    /// Calls one kind's three kernels on buffers the test fills; `mct_t_args` holds weight
    /// channels, w_shift, b_shift, lo, hi.
    static func convHarness(_ op: String) -> String {
        """
        #include "mct_kernels.h"
        int8_t mct_t_w[8192], mct_t_in[2048], mct_t_err[2048], mct_t_out[2048], mct_t_shift[64];
        int32_t mct_t_bias[64], mct_t_acc[2048], mct_t_args[8];
        mct_dims_t mct_t_dims;
        mct_rng_t mct_t_rng;
        int main(void) { return 0; }
        void mct_t_forward(void) {
            mct_\(op)_forward_s8(&mct_t_dims, mct_t_in, mct_t_w, mct_t_bias, mct_t_shift, mct_t_args[3], mct_t_args[4], mct_t_out);
        }
        uint32_t mct_t_input_error(void) { return mct_\(op)_input_error_s8(&mct_t_dims, mct_t_err, mct_t_w, mct_t_acc); }
        uint32_t mct_t_update(void) {
            return mct_\(op)_update_s8(&mct_t_dims, mct_t_w, mct_t_bias, mct_t_in, mct_t_err, mct_t_args[0], mct_t_args[1], mct_t_args[2], &mct_t_rng);
        }
        """
    }

    /// One geometry: input h, w, c; the layer's JSON fields after its op.
    struct ConvCase {
        let h: Int, w: Int, c: Int
        let op: String
        let fields: String
    }

    static let conv2dCases = [
        ConvCase(h: 5, w: 3, c: 7, op: "conv2d", fields: #""filters": 6, "kernel": [1, 1]"#),
        ConvCase(h: 4, w: 3, c: 32, op: "pointwise", fields: #""filters": 9"#),
        ConvCase(h: 1, w: 1, c: 13, op: "pointwise", fields: #""filters": 5"#),
        ConvCase(h: 5, w: 5, c: 6, op: "conv2d", fields: #""filters": 7, "kernel": [1, 1], "stride": 2"#),
        ConvCase(h: 7, w: 5, c: 3, op: "conv2d", fields: #""filters": 5, "kernel": [3, 2], "stride": 2, "padding": "same""#),
        ConvCase(h: 6, w: 7, c: 5, op: "conv2d", fields: #""filters": 8, "kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 9, w: 6, c: 16, op: "conv2d", fields: #""filters": 4, "kernel": [3, 3], "stride": 2"#),
        ConvCase(h: 8, w: 5, c: 6, op: "conv2d", fields: #""filters": 7, "kernel": [5, 3], "stride": 3, "padding": "same""#),
        ConvCase(h: 2, w: 3, c: 5, op: "conv2d", fields: #""filters": 4, "kernel": [5, 5], "padding": "same""#),
        ConvCase(h: 3, w: 3, c: 1, op: "conv2d", fields: #""filters": 3, "kernel": [3, 3], "padding": "same""#),
        // The DSP update's three taps sliding over whole images (3 wide, stride 1, same padding):
        // rows of 8, 1, 2 and 4 pixels (the run's last pixels one by one, products across row ends
        // taken off), two and three groups of four channels, kernels 5 and 1 tall. The input
        // error's transposed weights: a valid 3x3 whose last pixels (gathered) start mid-row.
        ConvCase(h: 5, w: 8, c: 8, op: "conv2d", fields: #""filters": 6, "kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 4, w: 1, c: 4, op: "conv2d", fields: #""filters": 3, "kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 3, w: 2, c: 12, op: "conv2d", fields: #""filters": 5, "kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 6, w: 5, c: 4, op: "conv2d", fields: #""filters": 3, "kernel": [5, 3], "padding": "same""#),
        ConvCase(h: 3, w: 4, c: 9, op: "conv2d", fields: #""filters": 4, "kernel": [1, 3], "padding": "same""#),
        ConvCase(h: 6, w: 7, c: 8, op: "conv2d", fields: #""filters": 5, "kernel": [3, 3]"#),
    ]

    static let depthwiseCases = [
        ConvCase(h: 5, w: 3, c: 7, op: "depthwise_conv2d", fields: #""kernel": [1, 1]"#),
        ConvCase(h: 6, w: 7, c: 8, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 7, w: 5, c: 13, op: "depthwise_conv2d", fields: #""kernel": [3, 2], "stride": 2, "padding": "same""#),
        ConvCase(h: 9, w: 6, c: 4, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "stride": 2"#),
        ConvCase(h: 8, w: 5, c: 6, op: "depthwise_conv2d", fields: #""kernel": [5, 3], "stride": 3, "padding": "same""#),
        ConvCase(h: 2, w: 3, c: 5, op: "depthwise_conv2d", fields: #""kernel": [5, 5], "padding": "same""#),
        ConvCase(h: 1, w: 1, c: 3, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "padding": "same""#),
        // The DSP 3x3 window: wide rows and channels left over after the groups of four; no padding
        // (the input error's windows move by two); an input exactly three wide (every window
        // moves); stride 3; an input too small for the window along one axis.
        ConvCase(h: 5, w: 9, c: 6, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 7, w: 6, c: 12, op: "depthwise_conv2d", fields: #""kernel": [3, 3]"#),
        ConvCase(h: 4, w: 3, c: 4, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "padding": "same""#),
        ConvCase(h: 10, w: 8, c: 5, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "stride": 3, "padding": "same""#),
        ConvCase(h: 2, w: 7, c: 8, op: "depthwise_conv2d", fields: #""kernel": [3, 3], "padding": "same""#),
    ]

    static func json(_ c: ConvCase) -> String {
        #"{"name": "k", "input": {"shape": [\#(c.h), \#(c.w), \#(c.c)]}, "layers": [{"op": "\#(c.op)", "name": "c", \#(c.fields)}, "#
            + #"{"op": "flatten", "name": "f"}, {"op": "dense", "name": "out", "units": 3}], "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 6}}"#
    }

    /// Every kernel of `kind`, both variants, against the twin and each other (the raw input-error
    /// sums too); every other case trains the first half of the channels only, and at one shift
    /// most errors are zero (whole four-channel words skipped).
    func assertKernelsMatchTheTwin<K: Convolution>(_ kind: K.Type, cases: [ConvCase]) throws {
        let harnesses = try KernelVariant.allCases.map { try Harness($0, directory: temporaryDirectory(self), kinds: [kind], harness: BitExactTests.convHarness(kind.op)) }
        var seed = SplitMix64(seed: 23, stream: 2)
        /// `zeros` in 4: how many errors are zero (3 makes a third of the four-error words zero).
        func values(_ n: Int, _ range: ClosedRange<Int>, zeros: UInt64 = 0) -> [Int8] {
            (0..<n).map { _ in
                let v = Int(seed.next() % UInt64(range.count)) + range.lowerBound
                return seed.next() % 4 < zeros ? 0 : Int8(v)
            }
        }
        let shifts = [-3, 0, 5, 12, 20]
        for (m, c) in cases.enumerated() {
            let text = Self.json(c)
            let sparse = m % 2 == 1
            let path = writeFile(temporaryDirectory(self), "m.json", sparse
                ? text.replacingOccurrences(of: #""training""#, with: #""sparse_update": {"default": "weights:1/2", "layers": {}}, "training""#) : text)
            let model = try quantizedModel(path, update: sparse ? .sparse : .full)
            let twin = model.twin(0), conv = model.graph.nodes[0].kind as! K
            let g = conv.g, r = twin.numerics.outputRange, oc = g.output.c
            let rows = model.graph.nodes[0].update.weightChannels(of: oc)
            let weightCount = conv.parameters!.weightCount
            XCTAssertLessThanOrEqual(weightCount, 8192); XCTAssertLessThanOrEqual(g.input.count, 2048); XCTAssertLessThanOrEqual(g.output.count, 2048)
            let dims = [g.input.h, g.input.w, g.input.c, g.output.h, g.output.w, oc, g.kh, g.kw, g.stride, g.padTop, g.padLeft].map { Int16($0) }
            var params = IntegerParameters(weights: values(weightCount, -127...127), bias: (0..<oc).map { _ in Int32(Int(seed.next() % 4001) - 2000) })
            for s in shifts {
                let input = values(g.input.count, -128...127)
                var error = values(g.output.count, -128...127, zeros: s == 5 ? 3 : 1)
                if s == 12 {
                    // Whole blocks of channels dropped, as meProp and TinyProp drop them: two words of
                    // four errors in three are zero (the DSP input error then gathers every pixel).
                    for i in error.indices where (i % oc) / 4 % 3 != 0 { error[i] = 0 }
                }
                let exponent = twin.numerics.weightUpdateBase - s
                let state = UInt32(truncatingIfNeeded: seed.next()) | 1
                let label = "\(c.op) \(c.h)x\(c.w)x\(c.c) \(c.fields) s=\(s)"
                for h in harnesses {
                    try h.write("mct_t_dims", dims)
                    try h.write("mct_t_args", [Int32(rows), Int32(s), Int32(twin.numerics.biasUpdateBase - exponent), r.lo, r.hi, 0, 0, 0])
                    try h.write("mct_t_w", params.weights); try h.write("mct_t_bias", params.bias)
                    try h.write("mct_t_in", input); try h.write("mct_t_err", error)
                    try h.write("mct_t_shift", (0..<oc).map { Int8(twin.numerics.requantShift($0)) })
                    try h.write("mct_t_rng", [state])
                }
                let forward = conv.forward(twin, inputs: [input], params: params)
                let twinError = conv.inputError(twin, input: 0, inputs: [input], error: error, exponent: 0, params: params)
                var sums: [[Int32]] = []
                /// What follows acc's input-count sums must stay untouched (the DSP kernel keeps its
                /// transposed weights inside acc).
                let guardWords = [Int32](repeating: 0x5A5A_5A5A, count: 2048 - g.input.count)
                for h in harnesses {
                    _ = try h.call("mct_t_forward")
                    XCTAssertEqual(try h.read("mct_t_out", g.output.count, as: Int8.self), forward, "forward \(label)")
                    try h.write("mct_t_acc", [Int32](repeating: 0, count: g.input.count) + guardWords)
                    let macs = try h.call("mct_t_input_error")
                    let acc = try h.read("mct_t_acc", g.input.count, as: Int32.self)
                    XCTAssertEqual(Array(try h.read("mct_t_acc", 2048, as: Int32.self)[g.input.count...]), guardWords, "input error wrote past acc \(label)")
                    XCTAssertEqual(IntegerKernels.requantizeError(acc).error, twinError.error, "input error \(label)")
                    XCTAssertEqual(Int(macs), conv.inputErrorMACs(error: error), "input error MACs \(label)")
                    sums.append(acc)
                }
                XCTAssertEqual(sums[0], sums[1], "input-error sums of the two variants \(label)")
                var want = params, rng = XorShift32(state: state)
                conv.update(twin, params: &want, inputs: [input], error: error, exponent: exponent, rng: &rng)
                for h in harnesses {
                    let macs = try h.call("mct_t_update")
                    XCTAssertEqual(Int(macs), conv.updateMACs(error: error, weightChannels: rows), "update MACs \(label)")
                    XCTAssertEqual(try h.read("mct_t_w", weightCount, as: Int8.self), want.weights, "updated weights \(label)")
                    XCTAssertEqual(try h.read("mct_t_bias", oc, as: Int32.self), want.bias, "updated bias \(label)")
                    XCTAssertEqual(try h.read("mct_t_rng", 1, as: UInt32.self), [rng.state], "random state after the update \(label)")
                }
                params = want
            }
        }
    }

    func testConv2DKernelsOfBothVariantsMatchTheTwin() throws {
        try assertKernelsMatchTheTwin(Conv2D.self, cases: Self.conv2dCases)
    }

    func testDepthwiseKernelsOfBothVariantsMatchTheTwin() throws {
        try assertKernelsMatchTheTwin(DepthwiseConv2D.self, cases: Self.depthwiseCases)
    }

    /// The twin's layers requantise by one right shift and clamp to [-128, 127]; the DSP forward
    /// clamps four bytes at once and takes left shifts (negative) elsewhere, so both variants
    /// also meet per-channel shifts from -3 to 12 and the ReLU and ReLU6 ranges.
    func testDepthwiseForwardOfBothVariantsAgreesOnAnyShiftAndRange() throws {
        let harnesses = try KernelVariant.allCases.map { try Harness($0, directory: temporaryDirectory(self), kinds: [DepthwiseConv2D.self], harness: BitExactTests.convHarness(DepthwiseConv2D.op)) }
        var seed = SplitMix64(seed: 5, stream: 1)
        func bytes(_ n: Int, _ range: ClosedRange<Int>) -> [Int8] { (0..<n).map { _ in Int8(Int(seed.next() % UInt64(range.count)) + range.lowerBound) } }
        for c in Self.depthwiseCases {
            let model = try quantizedModel(writeFile(temporaryDirectory(self), "m.json", Self.json(c)))
            let g = (model.graph.nodes[0].kind as! DepthwiseConv2D).g
            let dims = [g.input.h, g.input.w, g.input.c, g.output.h, g.output.w, g.output.c, g.kh, g.kw, g.stride, g.padTop, g.padLeft].map { Int16($0) }
            for (lo, hi): (Int32, Int32) in [(-128, 127), (0, 127), (0, 48)] {
                let input = bytes(g.input.count, -128...127), weights = bytes(g.kh * g.kw * g.input.c, -127...127)
                let shifts = bytes(g.output.c, -3...12), bias = (0..<g.output.c).map { _ in Int32(Int(seed.next() % 4001) - 2000) }
                var outputs: [[Int8]] = []
                for h in harnesses {
                    try h.write("mct_t_dims", dims)
                    try h.write("mct_t_args", [0, 0, 0, lo, hi, 0, 0, 0] as [Int32])
                    try h.write("mct_t_w", weights); try h.write("mct_t_bias", bias)
                    try h.write("mct_t_in", input); try h.write("mct_t_shift", shifts)
                    _ = try h.call("mct_t_forward")
                    outputs.append(try h.read("mct_t_out", g.output.count, as: Int8.self))
                }
                XCTAssertEqual(outputs[1], outputs[0], "dsp against portable: \(c.h)x\(c.w)x\(c.c) \(c.fields) range \(lo)...\(hi) shifts \(shifts)")
                XCTAssertTrue(outputs[0].allSatisfy { Int32($0) >= lo && Int32($0) <= hi })
            }
        }
    }

    /// The keyword-spotting DS-CNN (four 3x3 depthwise layers at 25x5x64, ReLU), every layer
    /// trained, with the DSP kernels on the device and in the sanitised host build.
    func testDSCNNTrainsWithDSPKernelsBitExact() throws {
        try assertBitExact(try String(contentsOfFile: ProjectPaths.examples + "/ds-cnn-kws.json", encoding: .utf8), steps: 2, kernels: .dsp)
    }

    /// Two 3x3 same convolutions at stride 1 over four and eight channels (the DSP update's sliding
    /// taps, the input error's transposed weights) trained end to end with the DSP kernels, on the
    /// device and in the sanitised host build (the plain-C twin of the sliding asm).
    func testSameConvStackWithDSPKernelsIsBitExact() throws {
        let json = """
            {"name": "same", "input": {"shape": [6, 5, 4]}, "layers": [
              {"op": "conv2d", "name": "a", "filters": 8, "kernel": 3, "padding": "same", "activation": "relu"},
              {"op": "conv2d", "name": "b", "filters": 6, "kernel": 3, "padding": "same"},
              {"op": "flatten", "name": "f"},
              {"op": "dense", "name": "out", "units": 3}],
             "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 3}}
            """
        try assertBitExact(json, kernels: .dsp)
    }

    /// A CNN with pointwise and strided convolutions trained end to end with the DSP kernels.
    func testConvModelWithDSPKernelsIsBitExact() throws {
        try assertBitExact(stridedStackJSON(learningRateShift: 3), kernels: .dsp)
    }
}
