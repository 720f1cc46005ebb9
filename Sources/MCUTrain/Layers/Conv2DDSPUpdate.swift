/// The conv2d update for the DSP extension: the weight gradients summed four input channels
/// (or, for a 3-wide kernel at stride 1, three taps) at once, then rounded in the portable
/// order with the portable draws.
extension Conv2D {
    static let dspUpdate = """

        /* ---- conv2d (DSP): update ---- */

        /* g[k] += sum over output positions of err * in[ci + k], k < 4, for one channel and one
         * tap: output rows [oy0, oy1), columns [ox0, ox1), the inputs xs = stride * in_c bytes
         * apart along a row: one word of inputs split by SXTB16 times the error (SMLABB/SMLATB). */
        static inline __attribute__((always_inline)) void mct_conv2d_gradient4_s8(const mct_dims_t *d, const int8_t *in, const int8_t *err,
                                                                                  int oy0, int oy1, int ox0, int ox1, int ky, int kx,
                                                                                  int32_t *g0, int32_t *g1, int32_t *g2, int32_t *g3) {
            const int ic = d->in_c, oc = d->out_c, xs = d->stride * ic;
            int32_t a = 0, b = 0, c = 0, e4 = 0;
            /* Whole output rows over an input as wide as the output (a pointwise layer at stride
             * 1): the rows follow each other in both tensors, one run of positions. */
            int rows = oy1 - oy0, run = ox1 - ox0;
            if (rows > 1 && ox0 == 0 && ox1 == d->out_w && d->in_w == d->out_w) {
                run *= rows;
                rows = 1;
            }
            for (int oy = oy0; oy < oy0 + rows; oy++) {
                const int iy = oy * d->stride + ky - d->pad_t, ix = ox0 * d->stride + kx - d->pad_l;
                const int8_t *x = in + (iy * d->in_w + ix) * ic, *e = err + (oy * d->out_w + ox0) * oc;
                const int last = ox0 + run;
                int ox = ox0;
                if (run & 1) {
                    int32_t ev = e[0], v = mct_read_s8x4(x), l = mct_sxtb16(v), h = mct_sxtb16_ror8(v);
                    a = mct_smlabb(l, ev, a); c = mct_smlatb(l, ev, c);
                    b = mct_smlabb(h, ev, b); e4 = mct_smlatb(h, ev, e4);
                    ox++; x += xs; e += oc;
                }
                if (ox < last) {
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
                    /* Two positions a pass, all 14 registers (about 23 cycles per 8 MACs). */
                    const int8_t *end = e + (last - ox) * oc;
                    int32_t v0, v1, e0, e1, l;
                    __asm__ volatile(
                    "1:\\n\\t"
                    "ldr %[v0], [%[x]]\\n\\t"
                    "ldr %[v1], [%[x], %[xs]]\\n\\t"
                    "ldrsb %[e0], [%[e]]\\n\\t"
                    "ldrsb %[e1], [%[e], %[oc]]\\n\\t"
                    "sxtb16 %[l], %[v0]\\n\\t"
                    "sxtb16 %[v0], %[v0], ror #8\\n\\t"
                    "smlabb %[a], %[l], %[e0], %[a]\\n\\t"
                    "smlatb %[c], %[l], %[e0], %[c]\\n\\t"
                    "smlabb %[b], %[v0], %[e0], %[b]\\n\\t"
                    "smlatb %[d], %[v0], %[e0], %[d]\\n\\t"
                    "sxtb16 %[l], %[v1]\\n\\t"
                    "sxtb16 %[v1], %[v1], ror #8\\n\\t"
                    "smlabb %[a], %[l], %[e1], %[a]\\n\\t"
                    "smlatb %[c], %[l], %[e1], %[c]\\n\\t"
                    "smlabb %[b], %[v1], %[e1], %[b]\\n\\t"
                    "smlatb %[d], %[v1], %[e1], %[d]\\n\\t"
                    "add %[x], %[x], %[xs], lsl #1\\n\\t"
                    "add %[e], %[e], %[oc], lsl #1\\n\\t"
                    "cmp %[e], %[end]\\n\\t"
                    "bne 1b"
                        : [x] "+r"(x), [e] "+r"(e), [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(e4),
                          [v0] "=&r"(v0), [v1] "=&r"(v1), [e0] "=&r"(e0), [e1] "=&r"(e1), [l] "=&r"(l)
                        : [xs] "r"(xs), [oc] "r"(oc), [end] "r"(end)
                        : "cc", "memory");
        #else
                    for (; ox < last; ox++, x += xs, e += oc) {
                        int32_t ev = e[0], v = mct_read_s8x4(x), l = mct_sxtb16(v), h = mct_sxtb16_ror8(v);
                        a = mct_smlabb(l, ev, a); c = mct_smlatb(l, ev, c);
                        b = mct_smlabb(h, ev, b); e4 = mct_smlatb(h, ev, e4);
                    }
        #endif
                }
            }
            *g0 = a; *g1 = b; *g2 = c; *g3 = e4;
        }

        /* A kernel row's three taps sliding along an input row at stride 1: input pixel ix meets
         * the errors of output columns ix + pad_l - kx, kx < 3, so each loaded and SXTB16-split
         * input word feeds all three taps while three registers hold the errors in reach, one
         * new error loaded per pixel. g[2 kx] and g[2 kx + 1] sum input channels c and c + 2 (the
         * halves of SXTB16 of the word at x) or, with odd, c + 1 and c + 3; e_prev and e_cur are
         * the errors of output columns pad_l - 2 and pad_l - 1 (0 outside), e the first one
         * loaded (column pad_l), then n pixels, n a multiple of 3. The asm keeps the end of e on
         * the stack: three taps' six sums, three errors, the word and four pointers and strides
         * take all 14 registers (about 37 cycles per 18 MACs). */
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
        #define MCT_CONV2D_SLIDE3_PIXEL(split, load_x, load_e, e0, e1, e2) \\
            "ldr %[v], " load_x "\\n\\t" \\
            "ldrsb %[" e0 "], " load_e "\\n\\t" \\
            split \\
            "smlabb %[g0], %[v], %[" e0 "], %[g0]\\n\\t" \\
            "smlatb %[g1], %[v], %[" e0 "], %[g1]\\n\\t" \\
            "smlabb %[g2], %[v], %[" e1 "], %[g2]\\n\\t" \\
            "smlatb %[g3], %[v], %[" e1 "], %[g3]\\n\\t" \\
            "smlabb %[g4], %[v], %[" e2 "], %[g4]\\n\\t" \\
            "smlatb %[g5], %[v], %[" e2 "], %[g5]\\n\\t"
        #define MCT_CONV2D_SLIDE3_STEP(split) \\
            MCT_CONV2D_SLIDE3_PIXEL(split, "[%[x]]", "[%[e]]", "c", "b", "a") \\
            MCT_CONV2D_SLIDE3_PIXEL(split, "[%[x], %[xs]]", "[%[e], %[oc]]", "a", "c", "b") \\
            MCT_CONV2D_SLIDE3_PIXEL(split, "[%[x], %[xs], lsl #1]", "[%[e], %[oc], lsl #1]", "b", "a", "c") \\
            "add %[x], %[x], %[xs], lsl #1\\n\\t" \\
            "add %[e], %[e], %[oc], lsl #1\\n\\t" \\
            "add %[x], %[x], %[xs]\\n\\t" \\
            "add %[e], %[e], %[oc]\\n\\t"
        /* Six pixels a pass; an odd number of threes enters at the second (v non-zero). */
        #define MCT_CONV2D_SLIDE3(split) \\
            __asm__ volatile( \\
                "str %[c], [sp, #-8]!\\n\\t" \\
                "cmp %[v], #0\\n\\t" \\
                "bne 2f\\n\\t" \\
                "1:\\n\\t" \\
                MCT_CONV2D_SLIDE3_STEP(split) \\
                "2:\\n\\t" \\
                MCT_CONV2D_SLIDE3_STEP(split) \\
                "ldr %[c], [sp]\\n\\t" \\
                "cmp %[e], %[c]\\n\\t" \\
                "bne 1b\\n\\t" \\
                "add sp, sp, #8" \\
                : [x] "+r"(x), [e] "+r"(e), [g0] "+r"(g0), [g1] "+r"(g1), [g2] "+r"(g2), [g3] "+r"(g3), [g4] "+r"(g4), \\
                  [g5] "+r"(g5), [a] "+r"(e_prev), [b] "+r"(e_cur), [c] "+r"(c), [v] "+r"(v) \\
                : [xs] "r"(xs), [oc] "r"(oc) \\
                : "cc", "memory")
        #endif
        static inline __attribute__((always_inline)) void mct_conv2d_slide3_s8(const int8_t *x, int xs, const int8_t *e, int oc, int n,
                                                                              int32_t e_prev, int32_t e_cur, int odd, int32_t *g) {
            int32_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5];
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
            /* c carries the end of e into the asm, which parks it on the stack. */
            int32_t c = (int32_t)(e + n * oc), v = (n / 3) & 1;
            if (odd) MCT_CONV2D_SLIDE3("sxtb16 %[v], %[v], ror #8\\n\\t");
            else MCT_CONV2D_SLIDE3("sxtb16 %[v], %[v]\\n\\t");
        #else
            for (int i = 0; i < n; i++, x += xs, e += oc) {
                int32_t w4 = mct_read_s8x4(x), v = odd ? mct_sxtb16_ror8(w4) : mct_sxtb16(w4), c = *e;
                g0 = mct_smlabb(v, c, g0); g1 = mct_smlatb(v, c, g1);
                g2 = mct_smlabb(v, e_cur, g2); g3 = mct_smlatb(v, e_cur, g3);
                g4 = mct_smlabb(v, e_prev, g4); g5 = mct_smlatb(v, e_prev, g5);
                e_prev = e_cur; e_cur = c;
            }
        #endif
            g[0] = g0; g[1] = g1; g[2] = g2; g[3] = g3; g[4] = g4; g[5] = g5;
        }

        /* The gradients of taps (ky, kx), kx < 3, for input channels c0 + k, k < 4, of a
         * kernel three wide at stride 1 with one column of padding each side (in_w == out_w),
         * over input rows [iy0, iy1). Those rows are one run of pixels p whose tap kx meets output
         * p + 1 - kx counted the same way, row after row, so the taps slide over all the rows in
         * two passes (even channels, odd channels) with no set-up per row; the products a pass
         * makes across a row's end (tap 0 of a row's last pixel with the next row's first error,
         * tap 2 of a row's first pixel with the previous row's last) are taken off afterwards.
         * The last pixels, at least one so that no load passes the last row's errors, go one by
         * one. h[2 kx] and h[2 kx + 1] sum channels c0 and c0 + 2 of tap kx, h[6 + 2 kx] and
         * h[7 + 2 kx] channels c0 + 1 and c0 + 3. */
        static void mct_conv2d_gradient3x4_s8(const mct_dims_t *d, const int8_t *in, const int8_t *err, int iy0, int iy1, int ky,
                                              int32_t h[12]) {
            const int ic = d->in_c, oc = d->out_c, wd = d->in_w, n = (iy1 - iy0) * wd, run = n > 0 ? (n - 1) / 3 * 3 : 0;
            const int8_t *x = in + iy0 * wd * ic, *e = err + (iy0 - ky + d->pad_t) * wd * oc;
            for (int i = 0; i < 12; i++) h[i] = 0;
            if (run > 0) {
                mct_conv2d_slide3_s8(x, ic, e + oc, oc, run, 0, e[0], 0, h);
                mct_conv2d_slide3_s8(x, ic, e + oc, oc, run, 0, e[0], 1, h + 6);
            }
            /* Pixel q = r * wd starts row r: the products across the end of row r - 1 (its last
             * pixel xl with row r's first error el[oc]; q with el, row r - 1's last), summed apart
             * (tap 0's even and odd channels, tap 2's) and taken off once. */
            int32_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
            const int8_t *xl = x + (wd - 1) * ic, *el = e + (wd - 1) * oc;
            for (int q = wd; q <= run && q < n; q += wd, xl += wd * ic, el += wd * oc) {
                int32_t v = mct_read_s8x4(xl), ev = el[oc], lo = mct_sxtb16(v), hi = mct_sxtb16_ror8(v);
                t0 = mct_smlabb(lo, ev, t0); t1 = mct_smlatb(lo, ev, t1); t2 = mct_smlabb(hi, ev, t2); t3 = mct_smlatb(hi, ev, t3);
                if (q < run) {
                    v = mct_read_s8x4(xl + ic); ev = el[0]; lo = mct_sxtb16(v); hi = mct_sxtb16_ror8(v);
                    t4 = mct_smlabb(lo, ev, t4); t5 = mct_smlatb(lo, ev, t5); t6 = mct_smlabb(hi, ev, t6); t7 = mct_smlatb(hi, ev, t7);
                }
            }
            h[0] -= t0; h[1] -= t1; h[6] -= t2; h[7] -= t3;
            h[4] -= t4; h[5] -= t5; h[10] -= t6; h[11] -= t7;
            /* The last pixels, row by row from column run % wd. */
            for (int p = run, ix = run % wd; p < n; p++, ix = ix + 1 == wd ? 0 : ix + 1) {
                const int32_t v = mct_read_s8x4(x + p * ic), lo = mct_sxtb16(v), hi = mct_sxtb16_ror8(v);
                for (int kx = 0; kx < 3; kx++) {
                    const int ox = ix + 1 - kx;
                    if (ox < 0 || ox >= wd) continue;
                    const int32_t ev = e[(p - kx + 1) * oc];
                    h[2 * kx] = mct_smlabb(lo, ev, h[2 * kx]); h[2 * kx + 1] = mct_smlatb(lo, ev, h[2 * kx + 1]);
                    h[6 + 2 * kx] = mct_smlabb(hi, ev, h[6 + 2 * kx]); h[7 + 2 * kx] = mct_smlatb(hi, ev, h[7 + 2 * kx]);
                }
            }
        }

        /* One input channel's gradient for tap (ky, kx) over output rows [oy0, oy1) and columns
         * [ox0, ox1), in and err offset to the channels: the in_c % 4 channels left over. */
        static int32_t mct_conv2d_gradient1_s8(const mct_dims_t *d, const int8_t *in, const int8_t *err, int oy0, int oy1,
                                               int ox0, int ox1, int ky, int kx) {
            int32_t g = 0;
            for (int oy = oy0; oy < oy1; oy++)
                for (int ox = ox0; ox < ox1; ox++)
                    g += (int32_t)err[(oy * d->out_w + ox) * d->out_c]
                         * in[((oy * d->stride + ky - d->pad_t) * d->in_w + ox * d->stride + kx - d->pad_l) * d->in_c];
            return g;
        }

        /* w[k] -= gradient g_k, stochastically rounded by w_shift, for k < 4, drawing in that order. */
        static inline __attribute__((always_inline)) void mct_conv2d_apply4_s8(int8_t *w, int32_t g0, int32_t g1, int32_t g2, int32_t g3,
                                                                              int w_shift, mct_rng_t *rng) {
            w[0] = mct_saturate_s8((int32_t)w[0] - mct_stochastic_shift(g0, w_shift, rng), -127, 127);
            w[1] = mct_saturate_s8((int32_t)w[1] - mct_stochastic_shift(g1, w_shift, rng), -127, 127);
            w[2] = mct_saturate_s8((int32_t)w[2] - mct_stochastic_shift(g2, w_shift, rng), -127, 127);
            w[3] = mct_saturate_s8((int32_t)w[3] - mct_stochastic_shift(g3, w_shift, rng), -127, 127);
        }

        /* As the portable update, weight by weight in the same order with the same draws; the
         * gradients of four input channels are summed at once, and of a kernel three wide at stride
         * 1 with same padding those of a whole kernel row (mct_conv2d_gradient3x4_s8). */
        uint32_t mct_conv2d_update_s8(const mct_dims_t *d, int8_t *w, int32_t *bias, const int8_t *in, const int8_t *err,
                                      int weight_channels, int w_shift, int b_shift, mct_rng_t *rng) {
            const int ic = d->in_c, oc = d->out_c, positions = d->out_h * d->out_w;
            const uint32_t channel_macs = mct_taps_inside(d) * (uint32_t)ic;
            uint32_t macs = 0;
            for (int co = 0; co < oc; co++) {
                /* The channel's errors two at a time: their sum (the bias gradient) and whether any is non-zero. */
                int32_t gb = 0, any = 0;
                const int8_t *col = err + co;
                for (int p = 0; p + 2 <= positions; p += 2, col += 2 * oc) {
                    const int32_t e0 = col[0], e1 = col[oc];
                    gb += e0 + e1;
                    any |= e0 | e1;
                }
                if (positions & 1) {
                    gb += col[0];
                    any |= col[0];
                }
                if (!any) continue;
                if (co < weight_channels) {
                    int8_t *wk = w + co * d->k_h * d->k_w * ic;
                    macs += channel_macs;
                    for (int ky = 0; ky < d->k_h; ky++) {
                        /* The output rows and columns whose tap (ky, kx) lies inside the input. */
                        int oy0 = 0, oy1;
                        while (oy0 < d->out_h && oy0 * d->stride + ky - d->pad_t < 0) oy0++;
                        for (oy1 = oy0; oy1 < d->out_h && oy1 * d->stride + ky - d->pad_t < d->in_h; oy1++) {}
                        if (d->stride == 1 && d->k_w == 3 && d->pad_l == 1 && d->in_w == d->out_w && ic >= 4) {
                            /* The three taps of the row at once, each with its own stream of draws: the
                             * portable order draws a row's weights kx by kx, so tap kx's draws start
                             * kx * in_c draws on (one each when w_shift > 0, none otherwise). */
                            mct_rng_t r0 = *rng, r1, r2;
                            for (int i = 0; i < ic && w_shift > 0; i++) mct_rng_next(rng);
                            r1 = *rng;
                            for (int i = 0; i < ic && w_shift > 0; i++) mct_rng_next(rng);
                            r2 = *rng;
                            const int iy0 = oy0 + ky - d->pad_t, iy1 = oy1 + ky - d->pad_t;
                            int ci = 0;
                            for (; ci + 4 <= ic; ci += 4) {
                                int32_t h[12];
                                mct_conv2d_gradient3x4_s8(d, in + ci, err + co, iy0, iy1, ky, h);
                                mct_conv2d_apply4_s8(wk + ci, h[0], h[6], h[1], h[7], w_shift, &r0);
                                mct_conv2d_apply4_s8(wk + ic + ci, h[2], h[8], h[3], h[9], w_shift, &r1);
                                mct_conv2d_apply4_s8(wk + 2 * ic + ci, h[4], h[10], h[5], h[11], w_shift, &r2);
                            }
                            for (; ci < ic; ci++) {
                                /* Tap kx reaches output columns [1 - kx, out_w + 1 - kx) inside the row. */
                                const int32_t g0 = mct_conv2d_gradient1_s8(d, in + ci, err + co, oy0, oy1, 1, d->out_w, ky, 0);
                                const int32_t g1 = mct_conv2d_gradient1_s8(d, in + ci, err + co, oy0, oy1, 0, d->out_w, ky, 1);
                                const int32_t g2 = mct_conv2d_gradient1_s8(d, in + ci, err + co, oy0, oy1, 0, d->out_w - 1, ky, 2);
                                wk[ci] = mct_saturate_s8((int32_t)wk[ci] - mct_stochastic_shift(g0, w_shift, &r0), -127, 127);
                                wk[ic + ci] = mct_saturate_s8((int32_t)wk[ic + ci] - mct_stochastic_shift(g1, w_shift, &r1), -127, 127);
                                wk[2 * ic + ci] = mct_saturate_s8((int32_t)wk[2 * ic + ci] - mct_stochastic_shift(g2, w_shift, &r2), -127, 127);
                            }
                            *rng = r2;
                            wk += 3 * ic;
                            continue;
                        }
                        for (int kx = 0; kx < d->k_w; kx++) {
                            int ox0 = 0, ox1;
                            while (ox0 < d->out_w && ox0 * d->stride + kx - d->pad_l < 0) ox0++;
                            for (ox1 = ox0; ox1 < d->out_w && ox1 * d->stride + kx - d->pad_l < d->in_w; ox1++) {}
                            int ci = 0;
                            for (; ci + 4 <= ic; ci += 4, wk += 4) {
                                int32_t g[4];
                                mct_conv2d_gradient4_s8(d, in + ci, err + co, oy0, oy1, ox0, ox1, ky, kx, &g[0], &g[1], &g[2], &g[3]);
                                mct_conv2d_apply4_s8(wk, g[0], g[1], g[2], g[3], w_shift, rng);
                            }
                            for (; ci < ic; ci++, wk++) {
                                const int32_t g = mct_conv2d_gradient1_s8(d, in + ci, err + co, oy0, oy1, ox0, ox1, ky, kx);
                                *wk = mct_saturate_s8((int32_t)*wk - mct_stochastic_shift(g, w_shift, rng), -127, 127);
                            }
                        }
                    }
                }
                bias[co] -= mct_stochastic_shift(gb, b_shift, rng);
            }
            return macs;
        }

        """
}
