/// Depthwise 2-D convolution (multiplier 1), NHWC, weights [k_h][k_w][c]: each channel has
/// its own kernel, so it costs k_h·k_w MACs per output value.
struct DepthwiseConv2D: Convolution {
    static let op = "depthwise_conv2d"
    let g: Geometry
    let activation: Activation

    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws {
        guard inputs.count == 1 else { throw ConfigError("field '\(field)': depthwise_conv2d takes one input") }
        g = try Geometry(input: inputs[0], outChannels: inputs[0].c, kernel: spec.kernel, stride: spec.stride, padding: spec.padding, field: field)
        activation = spec.activation ?? .none
    }

    private var channels: Int { g.input.c }
    var parameters: ParameterShape? { ParameterShape(channels: channels, perChannel: g.kh * g.kw, fanIn: g.kh * g.kw) }
    var forwardMACs: Int { g.tapsInside * channels }

    // MARK: C

    static var kernelSource: KernelCode { kernelSource(.portable) }

    static func kernelSource(_ variant: KernelVariant) -> KernelCode {
        KernelCode(declarations: declarations, definitions: variant == .dsp ? dspForward + dspBackward : portableForward + portableBackward)
    }

    private static let declarations = """
        void mct_depthwise_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                             const int8_t *shift, int32_t lo, int32_t hi, int8_t *out);
        uint32_t mct_depthwise_conv2d_input_error_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc);
        uint32_t mct_depthwise_conv2d_update_s8(const mct_dims_t *d, int8_t *w, int32_t *bias, const int8_t *in, const int8_t *err,
                                                int weight_channels, int w_shift, int b_shift, mct_rng_t *rng);
        """

    private static let portableForward = """

        /* ---- depthwise_conv2d: forward ---- */

        void mct_depthwise_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                             const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            const int c = d->in_c;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        int32_t sum = bias[ch];
                        for (int ky = 0; ky < d->k_h; ky++) {
                            int iy = oy * d->stride + ky - d->pad_t;
                            if (iy < 0 || iy >= d->in_h) continue;
                            for (int kx = 0; kx < d->k_w; kx++) {
                                int ix = ox * d->stride + kx - d->pad_l;
                                if (ix < 0 || ix >= d->in_w) continue;
                                sum += (int32_t)w[(ky * d->k_w + kx) * c + ch] * in[(iy * d->in_w + ix) * c + ch];
                            }
                        }
                        *out++ = mct_saturate_s8(mct_round_shift(sum, shift[ch]), lo, hi);
                    }
        }


        """

    private static let portableBackward = """

        /* ---- depthwise_conv2d: input error, update ---- */

        /* Returns the MACs run, as the update does. */
        uint32_t mct_depthwise_conv2d_input_error_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc) {
            const int c = d->in_c;
            uint32_t macs = 0;
            for (int i = 0; i < d->in_h * d->in_w * c; i++) acc[i] = 0;
            for (int oy = 0; oy < d->out_h; oy++)
                for (int ox = 0; ox < d->out_w; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        int32_t e = *err++;
                        if (e == 0) continue;
                        for (int ky = 0; ky < d->k_h; ky++) {
                            int iy = oy * d->stride + ky - d->pad_t;
                            if (iy < 0 || iy >= d->in_h) continue;
                            for (int kx = 0; kx < d->k_w; kx++) {
                                int ix = ox * d->stride + kx - d->pad_l;
                                if (ix < 0 || ix >= d->in_w) continue;
                                acc[(iy * d->in_w + ix) * c + ch] += (int32_t)w[(ky * d->k_w + kx) * c + ch] * e;
                                macs++;
                            }
                        }
                    }
            return macs;
        }

        uint32_t mct_depthwise_conv2d_update_s8(const mct_dims_t *d, int8_t *w, int32_t *bias, const int8_t *in, const int8_t *err,
                                                int weight_channels, int w_shift, int b_shift, mct_rng_t *rng) {
            const int c = d->in_c, positions = d->out_h * d->out_w;
            const uint32_t channel_macs = mct_taps_inside(d);
            uint32_t macs = 0;
            for (int ch = 0; ch < c; ch++) {
                int32_t gb = 0, any = 0;
                for (int p = 0; p < positions; p++) {
                    gb += err[p * c + ch];
                    any |= err[p * c + ch];
                }
                if (!any) continue;
                if (ch < weight_channels) {
                    macs += channel_macs;
                    for (int ky = 0; ky < d->k_h; ky++)
                        for (int kx = 0; kx < d->k_w; kx++) {
                            int32_t g = 0;
                            for (int oy = 0; oy < d->out_h; oy++) {
                                int iy = oy * d->stride + ky - d->pad_t;
                                if (iy < 0 || iy >= d->in_h) continue;
                                for (int ox = 0; ox < d->out_w; ox++) {
                                    int ix = ox * d->stride + kx - d->pad_l;
                                    if (ix < 0 || ix >= d->in_w) continue;
                                    g += (int32_t)err[(oy * d->out_w + ox) * c + ch] * in[(iy * d->in_w + ix) * c + ch];
                                }
                            }
                            int8_t *wk = w + (ky * d->k_w + kx) * c + ch;
                            *wk = mct_saturate_s8((int32_t)*wk - mct_stochastic_shift(g, w_shift, rng), -127, 127);
                        }
                }
                bias[ch] -= mct_stochastic_shift(gb, b_shift, rng);
            }
            return macs;
        }
        """

    /// body(outputIndex, inputIndex, weightIndex) for every tap inside the input.
    @inline(__always)
    func eachTap(_ body: (Int, Int, Int) -> Void) {
        let c = channels
        for oy in 0..<g.output.h { for ox in 0..<g.output.w {
            for ky in 0..<g.kh { guard let iy = g.inY(oy, ky) else { continue }
                for kx in 0..<g.kw { guard let ix = g.inX(ox, kx) else { continue }
                    let o0 = (oy * g.output.w + ox) * c, i0 = (iy * g.input.w + ix) * c, w0 = (ky * g.kw + kx) * c
                    for ch in 0..<c { body(o0 + ch, i0 + ch, w0 + ch) }
                }
            }
        } }
    }

    /// HWC: a channel's weights are every c-th.
    func weightIndices(of c: Int) -> StrideTo<Int> { stride(from: c, to: g.kh * g.kw * channels, by: channels) }
}
