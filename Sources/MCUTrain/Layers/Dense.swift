/// Fully connected: out[j] = act(b[j] + Σ_i w[j][i] · in[i]), weights row-major [out][in].
/// Reads any tensor as a flat vector (NHWC order), so a `flatten` before it is only a view.
struct Dense: LayerKind {
    static let op = "dense"
    let inputs: Int
    let units: Int
    let activation: Activation

    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws {
        guard inputs.count == 1 else { throw ConfigError("field '\(field)': dense takes one input") }
        guard let units = spec.units, (1...65536).contains(units) else { throw ConfigError("field '\(field).units' must be 1...65536") }
        self.inputs = inputs[0].count
        self.units = units
        activation = spec.activation ?? .none
    }

    var output: Shape { Shape(1, 1, units) }
    var parameters: ParameterShape? { ParameterShape(channels: units, perChannel: inputs, fanIn: inputs) }
    var forwardMACs: Int { inputs * units }
    func inputErrorScratch(input k: Int) -> Int { inputs }

    // MARK: C

    static var kernelSource: KernelCode { kernelSource(.portable) }

    static func kernelSource(_ variant: KernelVariant) -> KernelCode {
        KernelCode(declarations: declarations, definitions: variant == .dsp ? dsp : portable)
    }

    private static let declarations = """
        void mct_dense_forward_s8(const int8_t *in, int n_in, const int8_t *w, const int32_t *bias, int n_out,
                                  const int8_t *shift, int32_t lo, int32_t hi, int8_t *out);
        void mct_dense_logits_s8(const int8_t *in, int n_in, const int8_t *w, const int32_t *bias, int n_out, int32_t *logits);
        uint32_t mct_dense_input_error_s8(const int8_t *err, int n_out, const int8_t *w, int n_in, int32_t *acc);
        uint32_t mct_dense_update_s8(int8_t *w, int32_t *bias, const int8_t *in, int n_in, const int8_t *err, int n_out,
                                     int weight_rows, int w_shift, int b_shift, mct_rng_t *rng);
        """

    /// The weight step both variants share: its scale per row, and the row loop that the DSP
    /// variant runs on the tail of a row and at shifts below 8.
    static let updateSteps = """

        /* ---- dense update: stochastic rounding, four weights per random draw ---- */

        /* e * 2^(16 - s): then (scale * a + u) >> 16, u sixteen random bits, is e * a * 2^-s
         * rounded up with probability equal to its fraction (unbiased). Shifts above 16 first
         * round e itself by s - 16 (one draw, also unbiased), so u never needs more than 16 bits. */
        static int32_t mct_dense_step_scale(int32_t e, int s, mct_rng_t *rng) {
            if (s > 16) {
                e = mct_stochastic_shift(e, s - 16, rng);
                s = 16;
            }
            return e * (1 << (16 - s));
        }

        /* Weight k of a group of four takes bits 8k..8k+15 of the group's draw (rotated): each
         * weight's u is uniform over 16 bits, so each step is unbiased; neighbours share bits
         * only for shifts above 8. */
        static inline uint32_t mct_step_noise(uint32_t r, int k) {
            return (r >> (8 * k) | r << ((32 - 8 * k) & 31)) & 0xFFFFu;
        }

        /* row[i] -= step for i in [from, n), from a multiple of 4, clamped to +-127. The state
         * stays in a register: row may alias it. */
        static void mct_dense_update_row_s8(int8_t *row, const int8_t *in, int from, int n, int32_t scale, mct_rng_t *rng) {
            uint32_t x = rng->state;
            for (int i = from; i < n; i += 4) {
                x = mct_xorshift32(x);
                for (int k = 0; k < 4 && i + k < n; k++)
                    row[i + k] = mct_saturate_s8(row[i + k] - ((scale * in[i + k] + (int32_t)mct_step_noise(x, k)) >> 16), -127, 127);
            }
            rng->state = x;
        }

        """

    /// The update both variants run around their row loop; `rowLoop` updates row `row` with
    /// `scale` (the portable loop, or the DSP loop then the portable one on the tail).
    static func update(rowLoop: String) -> String {
        """
        /* SGD in place: w -= sr(e_j * a_i) for the first weight_rows rows, b -= sr(e_j); rows
         * with zero error are skipped. Returns the weight-gradient MACs run. */
        uint32_t mct_dense_update_s8(int8_t *w, int32_t *bias, const int8_t *in, int n_in, const int8_t *err, int n_out,
                                     int weight_rows, int w_shift, int b_shift, mct_rng_t *rng) {
            const int s = w_shift > 30 ? 30 : (w_shift < -8 ? -8 : w_shift);
            uint32_t macs = 0;
            for (int j = 0; j < n_out; j++) {
                int32_t e = err[j];
                if (e == 0) continue;
                if (j < weight_rows) {
                    int8_t *row = w + j * n_in;
                    if (s <= 0) {
                        for (int i = 0; i < n_in; i++) row[i] = mct_saturate_s8(row[i] - e * in[i] * (1 << -s), -127, 127);
                    } else {
                        int32_t scale = mct_dense_step_scale(e, s, rng);
                        \(rowLoop)
                    }
                    macs += (uint32_t)n_in;
                }
                bias[j] -= mct_stochastic_shift(e, b_shift, rng);
            }
            return macs;
        }
        """
    }

    private static let portable = updateSteps + """

        /* ---- dense: forward, input error, update ---- */

        void mct_dense_forward_s8(const int8_t *in, int n_in, const int8_t *w, const int32_t *bias, int n_out,
                                  const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            for (int j = 0; j < n_out; j++)
                out[j] = mct_saturate_s8(mct_round_shift(mct_dot_s8(w + j * n_in, in, n_in, bias[j]), shift[j]), lo, hi);
        }

        void mct_dense_logits_s8(const int8_t *in, int n_in, const int8_t *w, const int32_t *bias, int n_out, int32_t *logits) {
            for (int j = 0; j < n_out; j++) logits[j] = mct_dot_s8(w + j * n_in, in, n_in, bias[j]);
        }

        /* acc[i] = sum_j w[j][i] * err[j], walking the weights row by row. Returns the MACs run. */
        uint32_t mct_dense_input_error_s8(const int8_t *err, int n_out, const int8_t *w, int n_in, int32_t *acc) {
            uint32_t macs = 0;
            for (int i = 0; i < n_in; i++) acc[i] = 0;
            for (int j = 0; j < n_out; j++) {
                int32_t e = err[j];
                if (e == 0) continue;
                const int8_t *row = w + j * n_in;
                for (int i = 0; i < n_in; i++) acc[i] += (int32_t)row[i] * e;
                macs += (uint32_t)n_in;
            }
            return macs;
        }

        """ + update(rowLoop: "mct_dense_update_row_s8(row, in, 0, n_in, scale, rng);")

    func cDeclarations(_ n: NodeC) -> [String] { n.node.isLogits ? [] : [n.shiftTable(channels: units)] }

    func cForward(_ n: NodeC) -> [String] {
        if n.node.isLogits { return ["mct_dense_logits_s8(\(n.inputs[0]), \(inputs), \(n.weights), \(n.bias), \(units), \(n.output));"] }
        let r = n.numerics.outputRange
        return ["mct_dense_forward_s8(\(n.inputs[0]), \(inputs), \(n.weights), \(n.bias), \(units), \(n.shifts), \(r.lo), \(r.hi), \(n.output));"]
    }

    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String] {
        ["\(NodeC.macs) += mct_dense_input_error_s8(\(n.outputError), \(units), \(n.weights), \(inputs), \(n.scratch));",
         "\(exponent) = \(n.outputExponent) - \(n.numerics.weightFrac[0]) + mct_requantize_error_s8(\(n.scratch), \(inputs), \(dest));"]
    }

    func cUpdate(_ n: NodeC) -> [String] {
        ["\(NodeC.macs) += mct_dense_update_s8(\(n.weightsOrNull), \(n.bias), \(n.inputs[0]), \(inputs), \(n.outputError), \(units), \(n.weightChannels), \(n.weightShift), \(n.biasShift), &mct_rng);"]
    }

    // MARK: Swift integer twin

    func logits(input: [Int8], params: IntegerParameters) -> [Int32] {
        (0..<units).map { j in dot(params.weights, j * inputs, input, params.bias[j]) }
    }

    func forward(_ n: NodeTwin, inputs x: [[Int8]], params: IntegerParameters?) -> [Int8] {
        let r = n.numerics.outputRange, p = params!
        return (0..<units).map { j in
            IntegerKernels.saturate8(IntegerKernels.roundShift(dot(p.weights, j * inputs, x[0], p.bias[j]), n.numerics.requantShift(j)), r.lo, r.hi)
        }
    }

    private func dot(_ w: [Int8], _ start: Int, _ x: [Int8], _ bias: Int32) -> Int32 {
        var sum = bias
        for i in 0..<inputs { sum &+= Int32(w[start + i]) * Int32(x[i]) }
        return sum
    }

    func inputError(_ n: NodeTwin, input k: Int, inputs x: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int) {
        let params = params!
        var acc = [Int32](repeating: 0, count: inputs)
        for j in 0..<units where error[j] != 0 {
            let e = Int32(error[j])
            for i in 0..<inputs { acc[i] &+= Int32(params.weights[j * inputs + i]) * e }
        }
        let (q, shift) = IntegerKernels.requantizeError(acc)
        return (q, exponent - n.numerics.weightFrac[0] + shift)
    }

    func inputErrorMACs(error: [Int8]) -> Int { error.filter { $0 != 0 }.count * inputs }
    func updateMACs(error: [Int8], weightChannels: Int) -> Int { error.prefix(weightChannels).filter { $0 != 0 }.count * inputs }

    /// Mirrors `mct_dense_update_s8`: per row the scale's draw (shifts above 16), one draw per
    /// four weights, then the bias's.
    func update(_ n: NodeTwin, params p: inout IntegerParameters, inputs x: [[Int8]], error: [Int8], exponent: Int, rng: inout XorShift32) {
        let rows = n.node.update.weightChannels(of: units)
        let s = min(30, max(-8, n.numerics.weightUpdateBase - exponent)), bs = n.numerics.biasUpdateBase - exponent
        for j in 0..<units where error[j] != 0 {
            let e = Int32(error[j])
            if j < rows {
                let w0 = j * inputs
                if s <= 0 {
                    for i in 0..<inputs { p.weights[w0 + i] = IntegerKernels.saturate8(Int32(p.weights[w0 + i]) - e * Int32(x[0][i]) * (1 << -s)) }
                } else {
                    let scale = IntegerKernels.stepScale(e, s, &rng)
                    for i in stride(from: 0, to: inputs, by: 4) {
                        let r = rng.next()
                        for k in 0..<min(4, inputs - i) {
                            let step = IntegerKernels.weightStep(scale, x[0][i + k], noise: IntegerKernels.stepNoise(r, lane: k))
                            p.weights[w0 + i + k] = IntegerKernels.saturate8(Int32(p.weights[w0 + i + k]) - step)
                        }
                    }
                }
            }
            p.bias[j] &-= IntegerKernels.stochasticShift(e, bs, &rng)
        }
    }

    // MARK: float twin

    func floatForward(inputs x: [[Float]], params p: FloatParameters?) -> [Float] {
        (0..<units).map { j in
            var s = p!.bias[j]
            for i in 0..<inputs { s += p!.weights[j * inputs + i] * x[0][i] }
            return s
        }
    }

    func floatBackward(inputs x: [[Float]], gradient g: [Float], params p: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float]) {
        var dx = [Float](repeating: 0, count: inputs), dw = [Float](repeating: 0, count: inputs * units)
        for j in 0..<units where g[j] != 0 {
            for i in 0..<inputs {
                dx[i] += p!.weights[j * inputs + i] * g[j]
                dw[j * inputs + i] = g[j] * x[0][i]
            }
        }
        return ([dx], dw, g)
    }
}
