/// Conv2d kernels for the DSP extension, bit-identical to the portable ones (int32 wrapping
/// sums do not depend on order). In NHWC with OHWI weights, the taps of one kernel row that
/// fall inside the input are contiguous in both the input and the weights: each is one dot
/// product of (taps inside) × in_c bytes, run for four output channels at once like a dense
/// layer's rows (a pointwise conv is a dense layer per pixel).
extension Conv2D {
    static let dspForward = """

        /* ---- conv2d (DSP): forward; input error and update as portable ---- */

        /* One output pixel, all its channels: `rows` kernel rows of n contiguous bytes each, the
         * input's rows in_row bytes apart and the weights' w_row apart (channels taps apart).
         * Inlined twice, once with rows = 1, so a pointwise layer runs no row loop. */
        static inline __attribute__((always_inline)) void mct_conv2d_pixel_s8(const int8_t *src, int n, int rows, int in_row,
                                                                             const int8_t *wk, int w_row, int taps, int oc,
                                                                             const int32_t *bias, const int8_t *shift,
                                                                             int32_t lo, int32_t hi, int8_t *out) {
            int co = 0;
            for (; co + 4 <= oc; co += 4) {
                int32_t s0 = bias[co], s1 = bias[co + 1], s2 = bias[co + 2], s3 = bias[co + 3];
                for (int r = 0; r < rows; r++)
                    mct_dot4_s8(src + r * in_row, n, wk + co * taps + r * w_row, taps, &s0, &s1, &s2, &s3);
                out[co] = mct_requantize_s8(s0, shift[co], lo, hi);
                out[co + 1] = mct_requantize_s8(s1, shift[co + 1], lo, hi);
                out[co + 2] = mct_requantize_s8(s2, shift[co + 2], lo, hi);
                out[co + 3] = mct_requantize_s8(s3, shift[co + 3], lo, hi);
            }
            for (; co < oc; co++) {
                int32_t s = bias[co];
                for (int r = 0; r < rows; r++) s = mct_dot1_s8(src + r * in_row, n, wk + co * taps + r * w_row, s);
                out[co] = mct_requantize_s8(s, shift[co], lo, hi);
            }
        }

        void mct_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                   const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            const int ic = d->in_c, oc = d->out_c, taps = d->k_h * d->k_w * ic, in_row = d->in_w * ic, w_row = d->k_w * ic;
            for (int oy = 0; oy < d->out_h; oy++) {
                /* The kernel rows [ky0, ky1) inside the input. */
                const int y0 = oy * d->stride - d->pad_t;
                const int ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + d->k_h > d->in_h ? d->in_h - y0 : d->k_h;
                for (int ox = 0; ox < d->out_w; ox++, out += oc) {
                    /* The kernel columns [kx0, kx1) inside: n contiguous bytes per kernel row. */
                    const int x0 = ox * d->stride - d->pad_l;
                    const int kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + d->k_w > d->in_w ? d->in_w - x0 : d->k_w;
                    const int n = kx1 > kx0 ? (kx1 - kx0) * ic : 0, rows = ky1 > ky0 && n > 0 ? ky1 - ky0 : 0;
                    const int8_t *src = in + (y0 + ky0) * in_row + (x0 + kx0) * ic, *wk = w + ky0 * w_row + kx0 * ic;
                    if (rows == 1) mct_conv2d_pixel_s8(src, n, 1, in_row, wk, w_row, taps, oc, bias, shift, lo, hi, out);
                    else mct_conv2d_pixel_s8(src, n, rows, in_row, wk, w_row, taps, oc, bias, shift, lo, hi, out);
                }
            }
        }

        """
}
