/// Element-wise sum of two tensors of one shape (a residual connection). The inputs are
/// aligned to the finer scale, summed, and requantised to the output's scale. Backward hands
/// the output error to both inputs unchanged: d(a + b)/da = 1.
struct Add: LayerKind {
    static let op = "add"
    let shape: Shape
    let activation: Activation

    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws {
        guard inputs.count == 2, spec.inputs?.count == 2, spec.inputs?[0] != spec.inputs?[1] else {
            throw ConfigError("field '\(field).inputs': add takes two different named tensors")
        }
        guard inputs[0] == inputs[1] else { throw ConfigError("field '\(field).inputs': shapes \(inputs[0]) and \(inputs[1]) differ") }
        shape = inputs[0]
        activation = spec.activation ?? .none
    }

    var output: Shape { shape }
    var forwardMACs: Int { 0 }

    /// Left shifts of a and b onto the finer input scale, then the right shift to the output.
    private func shifts(_ n: NodeTwin) -> (a: Int, b: Int, out: Int) {
        let f = n.numerics.inputFrac, fine = max(f[0], f[1])
        return (fine - f[0], fine - f[1], fine - n.numerics.outputFrac)
    }

    static let kernelSource = KernelCode(declarations: """
        void mct_add_forward_s8(const int8_t *a, int sa, const int8_t *b, int sb, int n, int shift, int32_t lo, int32_t hi, int8_t *out);
        """, definitions: """

        /* ---- add: forward (backward is a copy of the output error) ---- */

        void mct_add_forward_s8(const int8_t *a, int sa, const int8_t *b, int sb, int n, int shift, int32_t lo, int32_t hi, int8_t *out) {
            for (int i = 0; i < n; i++)
                out[i] = mct_saturate_s8(mct_round_shift((int32_t)a[i] * (1 << sa) + (int32_t)b[i] * (1 << sb), shift), lo, hi);
        }
        """)

    func cForward(_ n: NodeC) -> [String] {
        let s = shifts(n.twin), r = n.numerics.outputRange
        return ["mct_add_forward_s8(\(n.inputs[0]), \(s.a), \(n.inputs[1]), \(s.b), \(shape.count), \(s.out), \(r.lo), \(r.hi), \(n.output));"]
    }
    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String] {
        ["mct_copy_s8(\(dest), \(n.outputError), \(shape.count));", "\(exponent) = \(n.outputExponent);"]
    }

    func forward(_ n: NodeTwin, inputs x: [[Int8]], params: IntegerParameters?) -> [Int8] {
        let s = shifts(n), r = n.numerics.outputRange
        return (0..<shape.count).map { i in
            IntegerKernels.saturate8(IntegerKernels.roundShift((Int32(x[0][i]) << s.a) + (Int32(x[1][i]) << s.b), s.out), r.lo, r.hi)
        }
    }
    func inputError(_ n: NodeTwin, input k: Int, inputs x: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int) {
        (error, exponent)
    }
    func floatForward(inputs x: [[Float]], params: FloatParameters?) -> [Float] { zip(x[0], x[1]).map { $0 + $1 } }
    func floatBackward(inputs x: [[Float]], gradient: [Float], params: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float]) {
        ([gradient, gradient], [], [])
    }
}
