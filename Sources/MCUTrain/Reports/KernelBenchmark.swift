import Foundation

/// Each training kernel alone, per variant and shape: the MACs it runs and the cycles the
/// cycle model charges for its instructions in the emulator (the call into the kernel from a
/// small generated harness included). Every error value is non-zero, so every MAC runs.
public struct KernelBenchmark {
    /// One layer shape; `dims` is the convolution geometry (nil for dense).
    public struct Shape: Sendable {
        public let op: String
        public let label: String
        let dense: (inputs: Int, outputs: Int)?
        let conv: (h: Int, w: Int, inC: Int, outC: Int, k: Int)?
    }

    public struct Row: Sendable {
        public let kernel: String
        public let variant: KernelVariant
        public let shape: String
        public let macs: UInt32
        public let cycles: UInt64
        public var macsPerCycle: Double { Double(macs) / Double(cycles) }
    }

    /// The issue's shapes: the digits MLP's and two larger dense layers, and a MobileNet-style
    /// block at 16×16 (stride 1, same padding).
    public static let shapes: [Shape] = [
        Shape(op: "dense", label: "64x32", dense: (64, 32), conv: nil),
        Shape(op: "dense", label: "256x128", dense: (256, 128), conv: nil),
        Shape(op: "dense", label: "784x128", dense: (784, 128), conv: nil),
        Shape(op: "conv2d", label: "3x3 16x16x16->32", dense: nil, conv: (16, 16, 16, 32, 3)),
        Shape(op: "depthwise_conv2d", label: "3x3 16x16x32", dense: nil, conv: (16, 16, 32, 32, 3)),
        Shape(op: "pointwise", label: "16x16x32->32", dense: nil, conv: (16, 16, 32, 32, 1)),
    ]
    static let passes = ["forward", "input_error", "update"]
    /// A typical update: the digits MLP's output layer steps at s = 12, its bias at 2.
    static let weightShift = 12, biasShift = 2

    public let board: Board
    public init(board: Board) { self.board = board }

    /// `variants`: by default every variant the board's core runs.
    public func run(buildDirectory: String, variants: [KernelVariant]? = nil) throws -> [Row] {
        var rows: [Row] = []
        for variant in variants ?? KernelVariant.allCases.filter({ (try? $0.check(board)) != nil }) {
            try variant.check(board)
            let kinds: [any LayerKind.Type] = [Dense.self, Conv2D.self, DepthwiseConv2D.self]
            let files = ["mct_kernels.h": KernelSource.header(kinds: kinds), "mct_kernels.c": KernelSource.source(kinds: kinds, variant: variant),
                         "mct_kernel_bench.c": Self.harness]
            let elf = try ELFFile(path: FirmwareBuilder(board: board, directory: buildDirectory + "/" + variant.rawValue)
                .build(generated: files, firmware: [], sources: ["mct_kernels.c", "mct_kernel_bench.c"]))
            let machine = try Machine(board: board, timing: try board.core.timingModel())
            try machine.load(elf)
            let top = try machine.address(of: "__StackTop")
            for (c, shape) in Self.shapes.enumerated() {
                for (k, pass) in Self.passes.enumerated() {
                    _ = try machine.call("mct_bench_prepare", [UInt32(c)], stackTop: top, maxCycles: 1 << 32)
                    let r = try machine.call("mct_bench_run", [UInt32(c), UInt32(k)], stackTop: top, maxCycles: 1 << 32)
                    rows.append(Row(kernel: "\(shape.op) \(pass)", variant: variant, shape: shape.label, macs: r.value, cycles: r.cycles))
                }
            }
        }
        return rows
    }

    /// Issue #7's floors for the DSP kernels on a Cortex-M4, in MAC/cycle: fixed for the forward
    /// passes and the large dense layer; a convolution's backward passes must reach 0.75x the
    /// same shape's measured DSP forward.
    static let forwardGoals = ["dense forward 784x128": 0.45, "dense input_error 784x128": 0.35, "dense update 784x128": 0.15,
                               "conv2d forward 3x3 16x16x16->32": 0.40, "pointwise forward 16x16x32->32": 0.35,
                               "depthwise_conv2d forward 3x3 16x16x32": 0.12]

    static func goal(of r: Row, in rows: [Row]) -> Double? {
        guard r.variant == .dsp else { return nil }
        if let g = forwardGoals["\(r.kernel) \(r.shape)"] { return g }
        let op = r.kernel.split(separator: " ")[0]
        guard op != "dense", !r.kernel.hasSuffix("forward"),
              let forward = rows.first(where: { $0.kernel == "\(op) forward" && $0.shape == r.shape && $0.variant == .dsp }) else { return nil }
        return 0.75 * forward.macsPerCycle
    }

    public func render(_ rows: [Row]) -> String {
        let goals = board.core == .cortexM4
        var table = TextTable(headers: ["kernel", "variant", "shape", "MACs", "cycles", "MAC/cycle", "vs portable"] + (goals ? ["M4 goal"] : []))
        for r in rows {
            let base = rows.first { $0.kernel == r.kernel && $0.shape == r.shape && $0.variant == .portable }
            let goal = Self.goal(of: r, in: rows).map { ">= \(format($0, 3)) " + (r.macsPerCycle >= $0 ? "met" : "MISSED") } ?? ""
            table.rows.append([r.kernel, r.variant.rawValue, r.shape, grouped(Int(r.macs)), grouped(Int(r.cycles)), format(r.macsPerCycle, 3),
                               base.map { format(Double($0.cycles) / Double(r.cycles), 2) + "x" } ?? "-"] + (goals ? [goal] : []))
        }
        return """
        kernel cycles on \(board.name) (\(board.core.rawValue), cycle model, data in RAM, every error non-zero; update at w_shift \(Self.weightShift)):

        \(table.render())
        """
    }

    /// Buffers carved from one static block per shape (the largest fits the nRF52840's RAM),
    /// filled by an LCG so no value depends on the host; errors are never zero.
    static var harness: String {
        let cases = shapes.enumerated().map { c, s -> String in
            if let d = s.dense {
                return """
                    case \(c): {
                        int8_t *w = mem, *in = w + \(d.inputs * d.outputs), *err = in + \(d.inputs), *out = err + \(d.outputs), *shift = out + \(d.outputs);
                        int32_t *bias = (int32_t *)(mem + \(align(d.inputs * d.outputs + d.inputs + 3 * d.outputs))), *acc = bias + \(d.outputs);
                        if (prepare) { fill(w, \(d.inputs * d.outputs), 0); fill(in, \(d.inputs), 0); fill(err, \(d.outputs), 1); fill(shift, \(d.outputs), 2); fill((int8_t *)bias, \(4 * d.outputs), 0); return 0; }
                        if (pass == 0) { mct_dense_forward_s8(in, \(d.inputs), w, bias, \(d.outputs), shift, -128, 127, out); return \(d.inputs * d.outputs); }
                        if (pass == 1) return mct_dense_input_error_s8(err, \(d.outputs), w, \(d.inputs), acc);
                        return mct_dense_update_s8(w, bias, in, \(d.inputs), err, \(d.outputs), \(d.outputs), \(weightShift), \(biasShift), &rng);
                    }
                """
            }
            let g = s.conv!, depthwise = s.op == "depthwise_conv2d", op = depthwise ? "depthwise_conv2d" : "conv2d"
            let inCount = g.h * g.w * g.inC, outCount = g.h * g.w * g.outC, weights = depthwise ? g.k * g.k * g.inC : g.k * g.k * g.inC * g.outC
            let bytes = align(weights + inCount + 2 * outCount + g.outC)
            return """
                case \(c): {
                    static const mct_dims_t d = {\(g.h), \(g.w), \(g.inC), \(g.h), \(g.w), \(g.outC), \(g.k), \(g.k), 1, \(g.k / 2), \(g.k / 2)};
                    int8_t *w = mem, *in = w + \(weights), *err = in + \(inCount), *out = err + \(outCount), *shift = out + \(outCount);
                    int32_t *bias = (int32_t *)(mem + \(bytes)), *acc = bias + \(g.outC);
                    if (prepare) { fill(w, \(weights), 0); fill(in, \(inCount), 0); fill(err, \(outCount), 1); fill(shift, \(g.outC), 2); fill((int8_t *)bias, \(4 * g.outC), 0); return 0; }
                    if (pass == 0) { mct_\(op)_forward_s8(&d, in, w, bias, shift, -128, 127, out); return mct_taps_inside(&d) * \(depthwise ? g.inC : g.inC * g.outC)u; }
                    if (pass == 1) return mct_\(op)_input_error_s8(&d, err, w, acc);
                    return mct_\(op)_update_s8(&d, w, bias, in, err, \(g.outC), \(weightShift), \(biasShift), &rng);
                }
            """
        }
        return """
        /* mct_kernel_bench.c: drives each kernel once per call for `mcutrain bench`. Generated; do not edit. */
        #include "mct_kernels.h"

        static uint8_t mem_bytes[\(memoryBytes)] __attribute__((aligned(4)));
        static mct_rng_t rng = {1u};
        static uint32_t lcg = 12345u;

        /* kind 0: any int8 but -128; 1: non-zero errors; 2: requantisation shifts 6..9. */
        static void fill(int8_t *p, int n, int kind) {
            for (int i = 0; i < n; i++) {
                lcg = lcg * 1664525u + 1013904223u;
                int v = (int)(lcg >> 24) - 128;
                p[i] = (int8_t)(kind == 2 ? 6 + (v & 3) : (kind == 1 && v == 0) || v == -128 ? 1 : v);
            }
        }

        static uint32_t bench(int c, int pass, int prepare) {
            int8_t *mem = (int8_t *)mem_bytes;
            switch (c) {
        \(cases.joined(separator: "\n"))
            }
            return 0;
        }

        /* The host calls the two functions below directly; main only satisfies startup.c. */
        int main(void) { return 0; }

        void mct_bench_prepare(int c) { (void)bench(c, 0, 1); }
        uint32_t mct_bench_run(int c, int pass) { return bench(c, pass, 0); }

        """
    }

    private static func align(_ n: Int) -> Int { (n + 3) & ~3 }

    /// The largest shape's int8 buffers plus its int32 bias and input-error accumulator.
    static var memoryBytes: Int {
        shapes.map { s in
            if let d = s.dense { return align(d.inputs * d.outputs + d.inputs + 3 * d.outputs) + 4 * (d.outputs + d.inputs) }
            let g = s.conv!, weights = s.op == "depthwise_conv2d" ? g.k * g.k * g.inC : g.k * g.k * g.inC * g.outC
            return align(weights + g.h * g.w * (g.inC + 2 * g.outC) + g.outC) + 4 * (g.outC + g.h * g.w * g.inC)
        }.max()!
    }
}
