/// Conv2d kernels for the DSP extension, bit-identical to the portable ones (int32 wrapping
/// sums do not depend on order). In NHWC with OHWI weights, the taps of one kernel row that
/// fall inside the input are contiguous in both the input and the weights: each is one dot
/// product of (taps inside) × in_c bytes, run for four output channels at once like a dense
/// layer's rows (a pointwise conv is a dense layer per pixel).
extension Conv2D {
    static let dspForward = """

        /* ---- conv2d (DSP): forward, input error ---- */

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

        /* acc[ci] for ci in [c0, in_c) of input pixel (iy, ix), gathered: the output positions
         * whose taps reach input row iy are oy = (iy + pad_t - ky) / stride for ky = (iy + pad_t)
         * % stride, + stride, ... (likewise columns), and for each the weights' columns down all
         * output channels (taps bytes apart) times that position's errors, four input channels
         * at a time. */
        static void mct_conv2d_gather_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int iy, int ix, int c0, int32_t *acc) {
            const int ic = d->in_c, oc = d->out_c, s = d->stride, taps = d->k_h * d->k_w * ic;
            const int ry = (iy + d->pad_t) % s, oyr = (iy + d->pad_t) / s, rx = (ix + d->pad_l) % s, oxr = (ix + d->pad_l) / s;
            for (int ci = c0; ci < ic; ci++) acc[ci] = 0;
            for (int ky = ry, oy = oyr; ky < d->k_h && oy >= 0; ky += s, oy--) {
                if (oy >= d->out_h) continue;
                for (int kx = rx, ox = oxr; kx < d->k_w && ox >= 0; kx += s, ox--) {
                    if (ox >= d->out_w) continue;
                    const int8_t *wk = w + (ky * d->k_w + kx) * ic, *e = err + (oy * d->out_w + ox) * oc;
                    int ci = c0;
                    for (; ci + 4 <= ic; ci += 4)
                        mct_columns4_s8(wk + ci, taps, e, oc, &acc[ci], &acc[ci + 1], &acc[ci + 2], &acc[ci + 3]);
                    for (; ci < ic; ci++) {
                        int32_t sum = acc[ci];
                        for (int co = 0; co < oc; co++) sum += wk[ci + co * taps] * e[co];
                        acc[ci] = sum;
                    }
                }
            }
        }

        /* a[0..3] = the dot products of `rows` runs of n errors (e_row bytes apart, from the
         * first) with the four rows of transposed weights at wr (w_row bytes apart; the next
         * run's 4 * w_row bytes back). Inlined twice, once with rows = 1. */
        static inline __attribute__((always_inline)) void mct_conv2d_error_pixel4_s8(const int8_t *e, int n, int rows, int e_row,
                                                                                    const int8_t *wr, int w_row, int32_t *a) {
            int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int r = 0; r < rows; r++) mct_dot4_s8(e + r * e_row, n, wr - r * 4 * w_row, w_row, &s0, &s1, &s2, &s3);
            a[0] = s0; a[1] = s1; a[2] = s2; a[3] = s3;
        }

        /* wt = input channels [c0, c0 + 4) of the weights as [ky][ci][k_w - 1 - kx][co]: each
         * (tap, input channel) a row of out_c contiguous bytes, the kernel columns reversed so
         * that at stride 1 the taps of a kernel row that reach consecutive output pixels
         * (kx falling as ox rises) are one run of bytes, like those pixels' errors. */
        static void mct_conv2d_transpose4_s8(const mct_dims_t *d, const int8_t *w, int c0, int8_t *wt) {
            const int ic = d->in_c, oc = d->out_c, taps = d->k_h * d->k_w * ic;
            for (int ky = 0; ky < d->k_h; ky++)
                for (int ci = 0; ci < 4; ci++)
                    for (int kx = d->k_w - 1; kx >= 0; kx--) {
                        const int8_t *src = w + (ky * d->k_w + kx) * ic + c0 + ci;
                        for (int co = 0; co < oc; co++, src += taps) *wt++ = *src;
                    }
        }

        /* Whether at most half the words of four errors mct_columns4_s8 reads (each pixel's
         * first 4 * (oc / 4) channels) are non-zero; never with fewer than four channels. */
        static int mct_conv2d_sparse_error_s8(const int8_t *err, int pixels, int oc) {
            int words = 0, live = 0;
            for (int p = 0; p < pixels; p++, err += oc)
                for (int co = 0; co + 4 <= oc; co += 4, words++) live += mct_read_s8x4(err + co) != 0;
            return words > 0 && 2 * live <= words;
        }

        /* acc = the transposed convolution of err. Per group of four input channels the
         * group's weights are transposed (mct_conv2d_transpose4_s8) so that every input pixel
         * is four dot products of contiguous errors and contiguous weight rows, as in the
         * forward pass (mct_dot4_s8, about twice the MACs per cycle of the column sums a
         * gather over the OHWI weights runs). The transposed weights (4 * k_h * k_w * out_c
         * bytes) live in acc itself, over its last pixels: those, the pixels of an input too
         * small to hold them and the in_c % 4 channels left over are gathered afterwards
         * straight from w (mct_conv2d_gather_s8), so the kernel needs no memory beyond acc.
         * The dot products do not skip zero errors and the gather skips each word of four, so
         * when at most half the error words are non-zero (channels dropped by meProp or
         * TinyProp) every pixel is gathered. The MACs returned are the portable kernel's: in_c
         * per non-zero error per tap inside. */
        uint32_t mct_conv2d_input_error_s8(const mct_dims_t *d, const int8_t *err, const int8_t *w, int32_t *acc) {
            const int ic = d->in_c, oc = d->out_c, s = d->stride, positions = d->in_h * d->in_w, groups = ic / 4;
            uint32_t macs = 0;
            for (int oy = 0; oy < d->out_h; oy++) {
                int rows = 0;
                for (int ky = 0; ky < d->k_h; ky++) {
                    int iy = oy * s + ky - d->pad_t;
                    rows += iy >= 0 && iy < d->in_h;
                }
                for (int ox = 0; ox < d->out_w; ox++) {
                    int cols = 0, nonzero = 0;
                    for (int kx = 0; kx < d->k_w; kx++) {
                        int ix = ox * s + kx - d->pad_l;
                        cols += ix >= 0 && ix < d->in_w;
                    }
                    for (int co = 0; co < oc; co++) nonzero += err[(oy * d->out_w + ox) * oc + co] != 0;
                    macs += (uint32_t)(nonzero * rows * cols * ic);
                }
            }
            const int wt_pixels = (4 * d->k_h * d->k_w * oc + 4 * ic - 1) / (4 * ic);
            const int sparse = mct_conv2d_sparse_error_s8(err, d->out_h * d->out_w, oc);
            const int fast = groups > 0 && wt_pixels < positions && !sparse ? positions - wt_pixels : 0;
            int8_t *wt = (int8_t *)(acc + fast * ic);
            const int w_row = d->k_w * oc, e_row = d->out_w * oc;
            for (int c0 = 0; c0 < 4 * groups && fast > 0; c0 += 4) {
                mct_conv2d_transpose4_s8(d, w, c0, wt);
                int32_t *a = acc + c0;
                for (int iy = 0, p = 0; p < fast; iy++) {
                    const int oyr = iy + d->pad_t;
                    const int ky0 = oyr >= d->out_h ? oyr - d->out_h + 1 : 0, ky1 = oyr < d->k_h - 1 ? oyr : d->k_h - 1;
                    for (int ix = 0; ix < d->in_w && p < fast; ix++, p++, a += ic) {
                        if (s == 1) {
                            /* Kernel rows ky1 down to ky0 reach output rows oyr - ky1 up: rows of the
                             * errors e_row bytes apart and of wt 4 * w_row bytes back; kernel columns
                             * [kx0, kx1] reach output columns oxr - kx1 ... oxr - kx0, one run. */
                            const int oxr = ix + d->pad_l;
                            const int kx0 = oxr >= d->out_w ? oxr - d->out_w + 1 : 0, kx1 = oxr < d->k_w - 1 ? oxr : d->k_w - 1;
                            const int n = kx1 >= kx0 ? (kx1 - kx0 + 1) * oc : 0, rows = ky1 >= ky0 && n > 0 ? ky1 - ky0 + 1 : 0;
                            const int8_t *e = err + (oyr - ky1) * e_row + (oxr - kx1) * oc;
                            const int8_t *wr = wt + ky1 * 4 * w_row + (d->k_w - 1 - kx1) * oc;
                            if (rows == 1) mct_conv2d_error_pixel4_s8(e, n, 1, e_row, wr, w_row, a);
                            else mct_conv2d_error_pixel4_s8(e, n, rows, e_row, wr, w_row, a);
                        } else {
                            int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                            const int ry = oyr % s, rx = (ix + d->pad_l) % s, oxr = (ix + d->pad_l) / s;
                            for (int ky = ry, oy = oyr / s; ky < d->k_h && oy >= 0; ky += s, oy--) {
                                if (oy >= d->out_h) continue;
                                for (int kx = rx, ox = oxr; kx < d->k_w && ox >= 0; kx += s, ox--)
                                    if (ox < d->out_w)
                                        mct_dot4_s8(err + oy * e_row + ox * oc, oc, wt + ky * 4 * w_row + (d->k_w - 1 - kx) * oc, w_row, &s0, &s1, &s2, &s3);
                            }
                            a[0] = s0; a[1] = s1; a[2] = s2; a[3] = s3;
                        }
                    }
                }
            }
            for (int p = 0; p < positions; p++)
                if (p >= fast || 4 * groups < ic)
                    mct_conv2d_gather_s8(d, err, w, p / d->in_w, p % d->in_w, p >= fast ? 0 : 4 * groups, acc + p * ic);
            return macs;
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
