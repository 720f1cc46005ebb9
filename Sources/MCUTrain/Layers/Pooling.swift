/// Non-overlapping pooling (stride = window, valid padding): each input value lies in at most
/// one window, so backward routes each output error to its window without accumulation.
/// Pools keep their input's scale.
struct PoolWindow: Sendable {
    let g: Geometry
    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws {
        guard inputs.count == 1 else { throw ConfigError("field '\(field)': \(spec.op) takes one input") }
        let g = try Geometry(input: inputs[0], outChannels: inputs[0].c, kernel: spec.kernel, stride: spec.stride ?? spec.kernel?.first,
                             padding: .valid, field: field)
        guard g.kh == g.kw, g.stride == g.kh else { throw ConfigError("field '\(field)': pools take a square window with stride equal to it") }
        guard spec.padding != .same else { throw ConfigError("field '\(field).padding': pools use valid padding") }
        self.g = g
    }

    /// body(outputIndex, [inputIndex]) per output value; window inputs in row-major order.
    @inline(__always)
    func eachWindow(_ body: (Int, [Int]) -> Void) {
        let c = g.input.c
        for oy in 0..<g.output.h { for ox in 0..<g.output.w { for ch in 0..<c {
            var window: [Int] = []
            for ky in 0..<g.kh { for kx in 0..<g.kw { window.append(((oy * g.stride + ky) * g.input.w + ox * g.stride + kx) * c + ch) } }
            body((oy * g.output.w + ox) * c + ch, window)
        } } }
    }
}

/// Averaging without division: sum · mul >> shift with mul ≈ 2^shift / n (as large as int32
/// allows), and backward e · m8 >> 8 with exponent −⌊log2 n⌋, m8 = 256 · 2^⌊log2 n⌋ / n ∈ (128, 256].
struct Averaging: Sendable, Equatable {
    let n: Int
    var shift: Int { min(23, 16 + (Int.bitWidth - 1 - n.leadingZeroBitCount)) }
    var mul: Int32 { Int32((Double(1 << shift) / Double(n)).rounded()) }
    var log2n: Int { Int.bitWidth - 1 - n.leadingZeroBitCount }
    var m8: Int32 { Int32((256.0 * Double(1 << log2n) / Double(n)).rounded()) }

    func average(_ sum: Int32) -> Int8 { IntegerKernels.saturate8(IntegerKernels.roundShift(sum &* mul, shift), -128, 127) }
    func spread(_ e: Int8) -> Int8 { IntegerKernels.saturate8(IntegerKernels.roundShift(Int32(e) * m8, 8)) }
}

struct AveragePool: LayerKind {
    static let op = "avg_pool"
    let window: PoolWindow
    var activation: Activation { .none }
    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws { window = try PoolWindow(spec, inputs: inputs, field: field) }
    var output: Shape { window.g.output }
    var forwardMACs: Int { 0 }
    private var avg: Averaging { Averaging(n: window.g.kh * window.g.kw) }

    static let kernelSource = KernelCode(declarations: """
        void mct_avg_pool_forward_s8(const mct_dims_t *d, const int8_t *in, int32_t mul, int shift, int8_t *out);
        void mct_avg_pool_backward_s8(const mct_dims_t *d, const int8_t *err, int32_t m8, int8_t *err_in);
        """, definitions: """

        /* ---- avg_pool (stride = window): forward, input error ---- */

        void mct_avg_pool_forward_s8(const mct_dims_t *d, const int8_t *in, int32_t mul, int shift, int8_t *out) {
            const int c = d->in_c;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        int32_t sum = 0;
                        for (int ky = 0; ky < d->k_h; ky++)
                            for (int kx = 0; kx < d->k_w; kx++)
                                sum += in[((oy * d->stride + ky) * d->in_w + ox * d->stride + kx) * c + ch];
                        *out++ = mct_saturate_s8(mct_round_shift(sum * mul, shift), -128, 127);
                    }
        }

        void mct_avg_pool_backward_s8(const mct_dims_t *d, const int8_t *err, int32_t m8, int8_t *err_in) {
            const int c = d->in_c;
            for (int i = 0; i < d->in_h * d->in_w * c; i++) err_in[i] = 0;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        int8_t v = mct_saturate_s8(mct_round_shift((int32_t)*err++ * m8, 8), -127, 127);
                        for (int ky = 0; ky < d->k_h; ky++)
                            for (int kx = 0; kx < d->k_w; kx++)
                                err_in[((oy * d->stride + ky) * d->in_w + ox * d->stride + kx) * c + ch] = v;
                    }
        }
        """)

    func cDeclarations(_ n: NodeC) -> [String] { [window.g.cDims(n.prefix)] }
    func cForward(_ n: NodeC) -> [String] {
        ["mct_avg_pool_forward_s8(\(n.dims), \(n.inputs[0]), \(avg.mul), \(avg.shift), \(n.output));"]
    }
    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String] {
        ["mct_avg_pool_backward_s8(\(n.dims), \(n.outputError), \(avg.m8), \(dest));", "\(exponent) = \(n.outputExponent) - \(avg.log2n);"]
    }

    func forward(_ n: NodeTwin, inputs x: [[Int8]], params: IntegerParameters?) -> [Int8] {
        var out = [Int8](repeating: 0, count: output.count)
        window.eachWindow { o, w in out[o] = avg.average(w.reduce(Int32(0)) { $0 + Int32(x[0][$1]) }) }
        return out
    }
    func inputError(_ n: NodeTwin, input k: Int, inputs x: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int) {
        var e = [Int8](repeating: 0, count: window.g.input.count)
        window.eachWindow { o, w in for i in w { e[i] = avg.spread(error[o]) } }
        return (e, exponent - avg.log2n)
    }
    func floatForward(inputs x: [[Float]], params: FloatParameters?) -> [Float] {
        var out = [Float](repeating: 0, count: output.count)
        window.eachWindow { o, w in out[o] = w.reduce(0) { $0 + x[0][$1] } / Float(w.count) }
        return out
    }
    func floatBackward(inputs x: [[Float]], gradient: [Float], params: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float]) {
        var dx = [Float](repeating: 0, count: window.g.input.count)
        window.eachWindow { o, w in for i in w { dx[i] = gradient[o] / Float(w.count) } }
        return ([dx], [], [])
    }
}

struct MaxPool: LayerKind {
    static let op = "max_pool"
    let window: PoolWindow
    var activation: Activation { .none }
    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws { window = try PoolWindow(spec, inputs: inputs, field: field) }
    var output: Shape { window.g.output }
    var forwardMACs: Int { 0 }
    var backwardReadsInput: Bool { true }

    static let kernelSource = KernelCode(declarations: """
        void mct_max_pool_forward_s8(const mct_dims_t *d, const int8_t *in, int8_t *out);
        void mct_max_pool_backward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *err, int8_t *err_in);
        """, definitions: """

        /* ---- max_pool (stride = window): forward, input error to the first maximum ---- */

        static int mct_max_pool_argmax(const mct_dims_t *d, const int8_t *in, int oy, int ox, int ch) {
            int best = -1;
            for (int ky = 0; ky < d->k_h; ky++)
                for (int kx = 0; kx < d->k_w; kx++) {
                    int i = ((oy * d->stride + ky) * d->in_w + ox * d->stride + kx) * d->in_c + ch;
                    if (best < 0 || in[i] > in[best]) best = i;
                }
            return best;
        }

        void mct_max_pool_forward_s8(const mct_dims_t *d, const int8_t *in, int8_t *out) {
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int ch = 0; ch < d->in_c; ch++) *out++ = in[mct_max_pool_argmax(d, in, oy, ox, ch)];
        }

        void mct_max_pool_backward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *err, int8_t *err_in) {
            for (int i = 0; i < d->in_h * d->in_w * d->in_c; i++) err_in[i] = 0;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int ch = 0; ch < d->in_c; ch++) err_in[mct_max_pool_argmax(d, in, oy, ox, ch)] = *err++;
        }
        """)

    func cDeclarations(_ n: NodeC) -> [String] { [window.g.cDims(n.prefix)] }
    func cForward(_ n: NodeC) -> [String] { ["mct_max_pool_forward_s8(\(n.dims), \(n.inputs[0]), \(n.output));"] }
    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String] {
        ["mct_max_pool_backward_s8(\(n.dims), \(n.inputs[0]), \(n.outputError), \(dest));", "\(exponent) = \(n.outputExponent);"]
    }

    private func argmax(_ x: [Int8], _ w: [Int]) -> Int { w.dropFirst().reduce(w[0]) { x[$1] > x[$0] ? $1 : $0 } }
    private func argmax(_ x: [Float], _ w: [Int]) -> Int { w.dropFirst().reduce(w[0]) { x[$1] > x[$0] ? $1 : $0 } }

    func forward(_ n: NodeTwin, inputs x: [[Int8]], params: IntegerParameters?) -> [Int8] {
        var out = [Int8](repeating: 0, count: output.count)
        window.eachWindow { o, w in out[o] = x[0][argmax(x[0], w)] }
        return out
    }
    func inputError(_ n: NodeTwin, input k: Int, inputs x: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int) {
        var e = [Int8](repeating: 0, count: window.g.input.count)
        window.eachWindow { o, w in e[argmax(x[0], w)] = error[o] }
        return (e, exponent)
    }
    func floatForward(inputs x: [[Float]], params: FloatParameters?) -> [Float] {
        var out = [Float](repeating: 0, count: output.count)
        window.eachWindow { o, w in out[o] = x[0][argmax(x[0], w)] }
        return out
    }
    func floatBackward(inputs x: [[Float]], gradient: [Float], params: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float]) {
        var dx = [Float](repeating: 0, count: window.g.input.count)
        window.eachWindow { o, w in dx[argmax(x[0], w)] = gradient[o] }
        return ([dx], [], [])
    }
}

/// Average over all positions: H×W×C → 1×1×C.
struct GlobalAveragePool: LayerKind {
    static let op = "global_avg_pool"
    let input: Shape
    var activation: Activation { .none }
    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws {
        guard inputs.count == 1 else { throw ConfigError("field '\(field)': global_avg_pool takes one input") }
        input = inputs[0]
    }
    var output: Shape { Shape(1, 1, input.c) }
    var forwardMACs: Int { 0 }
    private var positions: Int { input.h * input.w }
    private var avg: Averaging { Averaging(n: positions) }

    static let kernelSource = KernelCode(declarations: """
        void mct_global_avg_pool_forward_s8(const int8_t *in, int positions, int c, int32_t mul, int shift, int8_t *out);
        void mct_global_avg_pool_backward_s8(const int8_t *err, int positions, int c, int32_t m8, int8_t *err_in);
        """, definitions: """

        /* ---- global_avg_pool: forward, input error ---- */

        void mct_global_avg_pool_forward_s8(const int8_t *in, int positions, int c, int32_t mul, int shift, int8_t *out) {
            for (int ch = 0; ch < c; ch++) {
                int32_t sum = 0;
                for (int p = 0; p < positions; p++) sum += in[p * c + ch];
                out[ch] = mct_saturate_s8(mct_round_shift(sum * mul, shift), -128, 127);
            }
        }

        void mct_global_avg_pool_backward_s8(const int8_t *err, int positions, int c, int32_t m8, int8_t *err_in) {
            for (int ch = 0; ch < c; ch++) {
                int8_t v = mct_saturate_s8(mct_round_shift((int32_t)err[ch] * m8, 8), -127, 127);
                for (int p = 0; p < positions; p++) err_in[p * c + ch] = v;
            }
        }
        """)

    func cForward(_ n: NodeC) -> [String] {
        ["mct_global_avg_pool_forward_s8(\(n.inputs[0]), \(positions), \(input.c), \(avg.mul), \(avg.shift), \(n.output));"]
    }
    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String] {
        ["mct_global_avg_pool_backward_s8(\(n.outputError), \(positions), \(input.c), \(avg.m8), \(dest));", "\(exponent) = \(n.outputExponent) - \(avg.log2n);"]
    }

    func forward(_ n: NodeTwin, inputs x: [[Int8]], params: IntegerParameters?) -> [Int8] {
        (0..<input.c).map { ch in avg.average(stride(from: ch, to: input.count, by: input.c).reduce(Int32(0)) { $0 + Int32(x[0][$1]) }) }
    }
    func inputError(_ n: NodeTwin, input k: Int, inputs x: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int) {
        ((0..<input.count).map { avg.spread(error[$0 % input.c]) }, exponent - avg.log2n)
    }
    func floatForward(inputs x: [[Float]], params: FloatParameters?) -> [Float] {
        (0..<input.c).map { ch in stride(from: ch, to: input.count, by: input.c).reduce(0) { $0 + x[0][$1] } / Float(positions) }
    }
    func floatBackward(inputs x: [[Float]], gradient: [Float], params: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float]) {
        ([(0..<input.count).map { gradient[$0 % input.c] / Float(positions) }], [], [])
    }
}
