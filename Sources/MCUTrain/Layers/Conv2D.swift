/// 2-D convolution, NHWC, weights [out_c][k_h][k_w][in_c] (CMSIS-NN's OHWI); `pointwise` is
/// this with a 1×1 kernel.
struct Conv2D: Convolution {
    static let op = "conv2d"
    let g: Geometry
    let activation: Activation

    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws {
        guard inputs.count == 1 else { throw ConfigError("field '\(field)': \(spec.op) takes one input") }
        guard let filters = spec.filters, (1...1024).contains(filters) else { throw ConfigError("field '\(field).filters' must be 1...1024") }
        g = try Geometry(input: inputs[0], outChannels: filters, kernel: spec.op == "pointwise" ? [1, 1] : spec.kernel,
                         stride: spec.stride, padding: spec.padding, field: field)
        activation = spec.activation ?? .none
    }

    private var taps: Int { g.kh * g.kw * g.input.c }
    var parameters: ParameterShape? { ParameterShape(channels: g.output.c, perChannel: taps, fanIn: taps) }
    /// Exact: taps that fall in the padding are not multiplied.
    var forwardMACs: Int { g.tapsInside * g.input.c * g.output.c }

    // MARK: C

    static var kernelSource: KernelCode { kernelSource(.portable) }

    static func kernelSource(_ variant: KernelVariant) -> KernelCode {
        KernelCode(declarations: declarations, definitions: variant == .dsp ? dspForward + dspUpdate : portableForward + portableInputError + update)
    }

    private static let declarations = """
        void mct_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                   const int8_t *shift, int32_t lo, int32_t hi, int8_t *out);
        uint32_t mct_conv2d_input_error_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc);
        uint32_t mct_conv2d_update_s8(const mct_dims_t *d, int8_t *w, int32_t *bias, const int8_t *in, const int8_t *err,
                                  int weight_channels, int w_shift, int b_shift, mct_rng_t *rng);
        """

    private static let portableForward = """

        /* ---- conv2d: forward ---- */

        void mct_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                   const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            const int ic = d->in_c, taps = d->k_h * d->k_w * ic;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int co = 0; co < d->out_c; co++) {
                        int32_t sum = bias[co];
                        for (int ky = 0; ky < d->k_h; ky++) {
                            int iy = oy * d->stride + ky - d->pad_t;
                            if (iy < 0 || iy >= d->in_h) continue;
                            for (int kx = 0; kx < d->k_w; kx++) {
                                int ix = ox * d->stride + kx - d->pad_l;
                                if (ix < 0 || ix >= d->in_w) continue;
                                sum = mct_dot_s8(w + co * taps + (ky * d->k_w + kx) * ic, in + (iy * d->in_w + ix) * ic, ic, sum);
                            }
                        }
                        *out++ = mct_saturate_s8(mct_round_shift(sum, shift[co]), lo, hi);
                    }
        }


        """

    private static let portableInputError = """

        /* ---- conv2d: input error ---- */

        /* acc = the transposed convolution of err: every output error scattered back through its
         * taps. Returns the MACs run. */
        uint32_t mct_conv2d_input_error_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc) {
            const int ic = d->in_c, taps = d->k_h * d->k_w * ic;
            uint32_t macs = 0;
            for (int i = 0; i < d->in_h * d->in_w * ic; i++) acc[i] = 0;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int co = 0; co < d->out_c; co++) {
                        int32_t e = *err++;
                        if (e == 0) continue;
                        for (int ky = 0; ky < d->k_h; ky++) {
                            int iy = oy * d->stride + ky - d->pad_t;
                            if (iy < 0 || iy >= d->in_h) continue;
                            for (int kx = 0; kx < d->k_w; kx++) {
                                int ix = ox * d->stride + kx - d->pad_l;
                                if (ix < 0 || ix >= d->in_w) continue;
                                const int8_t *wk = w + co * taps + (ky * d->k_w + kx) * ic;
                                int32_t *a = acc + (iy * d->in_w + ix) * ic;
                                for (int ci = 0; ci < ic; ci++) a[ci] += (int32_t)wk[ci] * e;
                                macs += (uint32_t)ic;
                            }
                        }
                    }
            return macs;
        }

        """

    private static let update = """

        /* ---- conv2d: update ---- */

        /* Each weight's gradient summed over the output positions, then applied at once (no
         * gradient buffer): the first weight_channels channels' weights, every channel's bias.
         * Returns the weight-gradient MACs run. */
        uint32_t mct_conv2d_update_s8(const mct_dims_t *d, int8_t *w, int32_t *bias, const int8_t *in, const int8_t *err,
                                      int weight_channels, int w_shift, int b_shift, mct_rng_t *rng) {
            const int ic = d->in_c, oc = d->out_c, positions = d->out_h * d->out_w;
            const uint32_t channel_macs = mct_taps_inside(d) * (uint32_t)ic;
            uint32_t macs = 0;
            for (int co = 0; co < oc; co++) {
                int32_t gb = 0, any = 0;
                for (int p = 0; p < positions; p++) {
                    gb += err[p * oc + co];
                    any |= err[p * oc + co];
                }
                if (!any) continue;
                if (co < weight_channels) {
                    int8_t *wk = w + co * d->k_h * d->k_w * ic;
                    macs += channel_macs;
                    for (int ky = 0; ky < d->k_h; ky++)
                        for (int kx = 0; kx < d->k_w; kx++)
                            for (int ci = 0; ci < ic; ci++, wk++) {
                                int32_t g = 0;
                                for (int oy = 0; oy < d->out_h; oy++) {
                                    int iy = oy * d->stride + ky - d->pad_t;
                                    if (iy < 0 || iy >= d->in_h) continue;
                                    for (int ox = 0; ox < d->out_w; ox++) {
                                        int ix = ox * d->stride + kx - d->pad_l;
                                        if (ix < 0 || ix >= d->in_w) continue;
                                        g += (int32_t)err[(oy * d->out_w + ox) * oc + co] * in[(iy * d->in_w + ix) * ic + ci];
                                    }
                                }
                                *wk = mct_saturate_s8((int32_t)*wk - mct_stochastic_shift(g, w_shift, rng), -127, 127);
                            }
                }
                bias[co] -= mct_stochastic_shift(gb, b_shift, rng);
            }
            return macs;
        }
        """

    /// body(outputIndex, inputIndex, weightIndex) for every tap inside the input.
    @inline(__always)
    func eachTap(_ body: (Int, Int, Int) -> Void) {
        let ic = g.input.c
        for oy in 0..<g.output.h { for ox in 0..<g.output.w { for co in 0..<g.output.c {
            let o = (oy * g.output.w + ox) * g.output.c + co
            for ky in 0..<g.kh { guard let iy = g.inY(oy, ky) else { continue }
                for kx in 0..<g.kw { guard let ix = g.inX(ox, kx) else { continue }
                    let i0 = (iy * g.input.w + ix) * ic, w0 = co * taps + (ky * g.kw + kx) * ic
                    for ci in 0..<ic { body(o, i0 + ci, w0 + ci) }
                }
            }
        } } }
    }

    /// OHWI: a channel's weights are contiguous.
    func weightIndices(of c: Int) -> StrideTo<Int> { stride(from: c * taps, to: (c + 1) * taps, by: 1) }
}
