/// The depthwise forward for the DSP extension, bit-identical to the portable one (int32
/// wrapping sums do not depend on order). Each channel has its own kernel, so products of
/// different channels never add: four channels are one word of input and one of weights
/// (HWC), split by SXTB16 into halfword pairs and multiplied lane by lane (SMLABB, SMLATT).
extension DepthwiseConv2D {
    static let dspForward = """

        /* ---- depthwise_conv2d (DSP): forward; input error and update as portable ---- */

        /* One tap of four channels: s_k += x[k] * w[k]. */
        #define MCT_DW_TAP4(xp, wp)                                                                                   \\
            do {                                                                                                      \\
                int32_t v_ = mct_read_s8x4(xp), u_ = mct_read_s8x4(wp);                                               \\
                int32_t vl_ = mct_sxtb16(v_), ul_ = mct_sxtb16(u_), vh_ = mct_sxtb16_ror8(v_), uh_ = mct_sxtb16_ror8(u_); \\
                s0 = mct_smlabb(vl_, ul_, s0); s2 = mct_smlatt(vl_, ul_, s2);                                          \\
                s1 = mct_smlabb(vh_, uh_, s1); s3 = mct_smlatt(vh_, uh_, s3);                                          \\
            } while (0)

        void mct_depthwise_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                             const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            const int c = d->in_c, in_row = d->in_w * c, w_row = d->k_w * c;
            for (int oy = 0; oy < d->out_h; oy++) {
                /* The kernel rows [ky0, ky1) inside the input. */
                const int y0 = oy * d->stride - d->pad_t;
                const int ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + d->k_h > d->in_h ? d->in_h - y0 : d->k_h;
                for (int ox = 0; ox < d->out_w; ox++, out += c) {
                    /* The kernel columns [kx0, kx1) inside. */
                    const int x0 = ox * d->stride - d->pad_l;
                    const int kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + d->k_w > d->in_w ? d->in_w - x0 : d->k_w;
                    int ch = 0;
                    for (; ch + 4 <= c; ch += 4) {
                        int32_t s0 = bias[ch], s1 = bias[ch + 1], s2 = bias[ch + 2], s3 = bias[ch + 3];
                        const int8_t *xr = in + ((y0 + ky0) * d->in_w + x0 + kx0) * c + ch, *wr = w + (ky0 * d->k_w + kx0) * c + ch;
                        for (int ky = ky0; ky < ky1; ky++, xr += in_row, wr += w_row) {
                            const int8_t *x = xr, *wk = wr;
                            int kx = kx0;
                            for (; kx + 2 <= kx1; kx += 2, x += 2 * c, wk += 2 * c) {
                                MCT_DW_TAP4(x, wk);
                                MCT_DW_TAP4(x + c, wk + c);
                            }
                            if (kx < kx1) MCT_DW_TAP4(x, wk);
                        }
                        out[ch] = mct_requantize_s8(s0, shift[ch], lo, hi);
                        out[ch + 1] = mct_requantize_s8(s1, shift[ch + 1], lo, hi);
                        out[ch + 2] = mct_requantize_s8(s2, shift[ch + 2], lo, hi);
                        out[ch + 3] = mct_requantize_s8(s3, shift[ch + 3], lo, hi);
                    }
                    for (; ch < c; ch++) {
                        int32_t s = bias[ch];
                        for (int ky = ky0; ky < ky1; ky++)
                            for (int kx = kx0; kx < kx1; kx++)
                                s += (int32_t)w[(ky * d->k_w + kx) * c + ch] * in[((y0 + ky) * d->in_w + x0 + kx) * c + ch];
                        out[ch] = mct_requantize_s8(s, shift[ch], lo, hi);
                    }
                }
            }
        }

        """
}
