/// The depthwise backward kernels for the DSP extension (see DepthwiseConv2DDSP.swift for
/// the window and grid helpers they share with the forward).
extension DepthwiseConv2D {
    static let dspBackward = """

        /* The outputs [o0, o1] along one axis that input index i feeds, and the tap k the first uses:
         * o * stride + k - pad = i with 0 <= k < taps and 0 <= o < n. */
        static inline int mct_dw_fed_by(int i, int pad, int taps, int stride, int n, int *o0, int *k0) {
            int first = i + pad - taps + 1, last = (i + pad) / stride;
            *o0 = first <= 0 ? 0 : (first + stride - 1) / stride;
            if (last > n - 1) last = n - 1;
            *k0 = i + pad - *o0 * stride;
            return last - *o0 + 1;
        }

        /* The positions [o0, o0 + count) along one axis where tap k falls inside the input:
         * 0 <= o * stride + k - pad < n_in and 0 <= o < n_out. */
        static inline int mct_dw_positions(int k, int pad, int stride, int n_in, int n_out, int *o0) {
            const int last = n_in - 1 + pad - k;
            *o0 = pad > k ? (pad - k + stride - 1) / stride : 0;
            if (last < 0) return 0;
            const int o1 = last / stride + 1;
            return (o1 < n_out ? o1 : n_out) - *o0;
        }

        /* The input error of channels from ch0 on, each input summing its taps directly (any stride). */
        static void mct_dw_input_error_gather(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc, int ch0) {
            const int c = d->in_c, c4 = c & ~3, s = d->stride, err_row = d->out_w * c;
            for (int iy = 0; iy < d->in_h; iy++) {
                int oy0, ky0;
                const int rows = mct_dw_fed_by(iy, d->pad_t, d->k_h, s, d->out_h, &oy0, &ky0);
                for (int ix = 0; ix < d->in_w; ix++, acc += c) {
                    int ox0, kx0;
                    const int cols = mct_dw_fed_by(ix, d->pad_l, d->k_w, s, d->out_w, &ox0, &kx0);
                    const int8_t *e = err + (oy0 * d->out_w + ox0) * c, *wk = w + (ky0 * d->k_w + kx0) * c;
                    int ch = ch0;
                    for (; ch < c4; ch += 4) {
                        int32_t sum[4] = {0, 0, 0, 0};
                        mct_dw_grid4(e + ch, c, err_row, wk + ch, -s * c, -s * d->k_w * c, rows, cols, sum);
                        acc[ch] = sum[0]; acc[ch + 1] = sum[1]; acc[ch + 2] = sum[2]; acc[ch + 3] = sum[3];
                    }
                    for (; ch < c; ch++) acc[ch] = mct_dw_grid1(e + ch, c, err_row, wk + ch, -s * c, -s * d->k_w * c, rows, cols, 0);
                }
            }
        }

        /* How many of four error bytes are non-zero. */
        static inline uint32_t mct_dw_nonzero4(uint32_t v) {
            uint32_t t = ((v & 0x7F7F7F7Fu) + 0x7F7F7F7Fu) | v;
            return ((t >> 7 & 0x01010101u) * 0x01010101u) >> 24;
        }

        /* A gather: each input sums the outputs it fed, the kernel walked backwards, so each
         * accumulator is written once, four channels a word. At stride 1 with a 3x3 kernel that is the
         * forward's window over the errors (the kernel flipped, padded by 2 - pad); otherwise each
         * input sums its taps directly. Returns the MACs the portable scatter runs: each output's taps
         * inside times its non-zero errors. */
        uint32_t mct_depthwise_conv2d_input_error_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc) {
            const int c = d->in_c, c4 = c & ~3;
            if (d->stride == 1 && d->k_h == 3 && d->k_w == 3 && d->out_h >= 3 && d->out_w >= 3) {
                for (int ch = 0; ch < c4; ch += 4) {
                    mct_dw_window_t win[3];
                    for (int e = 0; e < 3; e++) {
                        win[e].start[0] = win[e].start[1] = win[e].start[2] = win[e].start[3] = 0;
                        win[e].dy = win[e].dx = 3;
                    }
                    mct_dw_correlate3x3(err + ch, d->out_h, d->out_w, c, 1, 2 - d->pad_t, 2 - d->pad_l, d->in_h, d->in_w, w + 8 * c + ch, -c, win,
                                        0, acc + ch);
                }
                if (c4 < c) mct_dw_input_error_gather(d, err, w, acc, c4);
            } else {
                mct_dw_input_error_gather(d, err, w, acc, 0);
            }
            uint32_t macs = 0;
            for (int oy = 0; oy < d->out_h; oy++) {
                int ky0, ky1;
                mct_dw_inside(oy * d->stride - d->pad_t, d->k_h, d->in_h, &ky0, &ky1);
                for (int ox = 0; ox < d->out_w; ox++, err += c) {
                    int kx0, kx1;
                    mct_dw_inside(ox * d->stride - d->pad_l, d->k_w, d->in_w, &kx0, &kx1);
                    uint32_t nonzero = 0;
                    int ch = 0;
                    for (; ch < c4; ch += 4) nonzero += mct_dw_nonzero4((uint32_t)mct_read_s8x4(err + ch));
                    for (; ch < c; ch++) nonzero += err[ch] != 0;
                    if (ky1 > ky0 && kx1 > kx0) macs += nonzero * (uint32_t)((ky1 - ky0) * (kx1 - kx0));
                }
            }
            return macs;
        }

        /* The weight gradient of four channels a tap at a time (each tap's sum over the positions
         * inside), applied with the portable kernel's draws: channel by channel, its taps in order,
         * then its bias. Each channel takes its own copy of the generator, moved on by the draws of
         * the channels before it, so the four can be stepped together. */
        uint32_t mct_depthwise_conv2d_update_s8(const mct_dims_t *d, int8_t *w, int32_t *bias, const int8_t *in, const int8_t *err,
                                                int weight_channels, int w_shift, int b_shift, mct_rng_t *rng) {
            const int c = d->in_c, c4 = c & ~3, positions = d->out_h * d->out_w, taps = d->k_h * d->k_w, s = d->stride;
            const uint32_t channel_macs = mct_taps_inside(d);
            uint32_t macs = 0;
            for (int ch = 0; ch < c4; ch += 4) {
                /* The bias gradients, and which channels have any error (the others take no step, no draw). */
                int32_t b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                uint32_t any = 0;
                for (const int8_t *e = err + ch, *end = e + positions * c; e != end; e += c) {
                    const int32_t v = mct_read_s8x4(e), lo = mct_sxtb16(v), hi = mct_sxtb16_ror8(v);
                    any |= (uint32_t)v;
                    b0 = mct_smlabb(lo, 1, b0); b2 = mct_smlatb(lo, 1, b2);
                    b1 = mct_smlabb(hi, 1, b1); b3 = mct_smlatb(hi, 1, b3);
                }
                if (!any) continue;
                const int32_t gb[4] = {b0, b1, b2, b3};
                mct_rng_t lane[4];
                int trained[4];
                for (int k = 0; k < 4; k++) {
                    lane[k] = *rng;
                    trained[k] = 0;
                    if (!(any >> 8 * k & 0xFF)) continue;
                    trained[k] = ch + k < weight_channels;
                    macs += trained[k] ? channel_macs : 0;
                    /* The draws this channel's weights and bias take: one per stochastic shift right. */
                    int draws = (trained[k] && w_shift > 0 ? taps : 0) + (b_shift > 0);
                    while (draws--) (void)mct_rng_next(rng);
                }
                if (trained[0] | trained[1] | trained[2] | trained[3])
                    for (int ky = 0; ky < d->k_h; ky++) {
                        int oy0;
                        const int rows = mct_dw_positions(ky, d->pad_t, s, d->in_h, d->out_h, &oy0);
                        for (int kx = 0; kx < d->k_w; kx++) {
                            int ox0;
                            const int cols = mct_dw_positions(kx, d->pad_l, s, d->in_w, d->out_w, &ox0);
                            int32_t g[4] = {0, 0, 0, 0};
                            if (rows > 0 && cols > 0)
                                mct_dw_grid4(err + (oy0 * d->out_w + ox0) * c + ch, c, d->out_w * c,
                                             in + ((oy0 * s + ky - d->pad_t) * d->in_w + ox0 * s + kx - d->pad_l) * c + ch, s * c, s * d->in_w * c,
                                             rows, cols, g);
                            int8_t *wk = w + (ky * d->k_w + kx) * c + ch;
                            for (int k = 0; k < 4; k++)
                                if (trained[k]) wk[k] = mct_saturate_s8((int32_t)wk[k] - mct_stochastic_shift(g[k], w_shift, &lane[k]), -127, 127);
                        }
                    }
                for (int k = 0; k < 4; k++)
                    if (any >> 8 * k & 0xFF) bias[ch + k] -= mct_stochastic_shift(gb[k], b_shift, &lane[k]);
            }
            for (int ch = c4; ch < c; ch++) {
                int32_t gb = 0, any = 0;
                for (int p = 0; p < positions; p++) {
                    gb += err[p * c + ch];
                    any |= err[p * c + ch];
                }
                if (!any) continue;
                if (ch < weight_channels) {
                    macs += channel_macs;
                    for (int ky = 0; ky < d->k_h; ky++) {
                        int oy0;
                        const int rows = mct_dw_positions(ky, d->pad_t, s, d->in_h, d->out_h, &oy0);
                        for (int kx = 0; kx < d->k_w; kx++) {
                            int ox0;
                            const int cols = mct_dw_positions(kx, d->pad_l, s, d->in_w, d->out_w, &ox0);
                            int32_t g = rows > 0 && cols > 0
                                ? mct_dw_grid1(err + (oy0 * d->out_w + ox0) * c + ch, c, d->out_w * c,
                                               in + ((oy0 * s + ky - d->pad_t) * d->in_w + ox0 * s + kx - d->pad_l) * c + ch, s * c, s * d->in_w * c,
                                               rows, cols, 0)
                                : 0;
                            int8_t *wk = w + (ky * d->k_w + kx) * c + ch;
                            *wk = mct_saturate_s8((int32_t)*wk - mct_stochastic_shift(g, w_shift, rng), -127, 127);
                        }
                    }
                }
                bias[ch] -= mct_stochastic_shift(gb, b_shift, rng);
            }
            return macs;
        }

        """
}
