/// The depthwise kernels for the DSP extension, bit-identical to the portable ones (int32
/// sums wrap, so their order does not matter; the update draws its random numbers in the
/// portable order). Each channel has its own kernel, so products of different channels never
/// add: four channels are one word of input and one of weights (HWC), split by SXTB16 into
/// halfword pairs and multiplied lane by lane (SMLABB, SMLATT).
///
/// - Forward: a 3x3 kernel's weights are split once per group of four channels; each output
///   is one straight run of nine taps and a four-lane requantisation (SSAT, BFI, SSUB8/SEL),
///   written out on the M4 because GCC spills in a window this size. Windows reaching into the
///   padding are moved inside with their weights shifted the other way (zero weights for the
///   taps outside), so the border takes the same code. Other kernels sum the taps inside.
/// - Input error: a gather instead of the portable scatter, each accumulator written once; at
///   stride 1 with a 3x3 kernel it is the forward's window over the errors, kernel flipped.
/// - Update: each tap's gradient for four channels at once (one sum over the positions where
///   the tap is inside), applied with one copy of the generator per channel, moved on by the
///   draws of the channels before it, so the draws are the portable ones.
extension DepthwiseConv2D {
    static let dspKernels = """

        /* ---- depthwise_conv2d (DSP): forward, input error, update ---- */

        /* One tap of four channels: s_k += x[k] * w[k]. */
        #define MCT_DW_TAP4(xp, wp)                                                                                   \\
            do {                                                                                                      \\
                int32_t v_ = mct_read_s8x4(xp), u_ = mct_read_s8x4(wp);                                               \\
                int32_t vl_ = mct_sxtb16(v_), ul_ = mct_sxtb16(u_), vh_ = mct_sxtb16_ror8(v_), uh_ = mct_sxtb16_ror8(u_); \\
                s0 = mct_smlabb(vl_, ul_, s0); s2 = mct_smlatt(vl_, ul_, s2);                                          \\
                s1 = mct_smlabb(vh_, uh_, s1); s3 = mct_smlatt(vh_, uh_, s3);                                          \\
            } while (0)

        /* s[k] += a[k] * b[k] for four channels over a rows x cols grid of taps: a moves a_col bytes
         * a column and a_row a row, b likewise. All three kernels are this sum: the forward over a
         * window, the input error over the outputs an input feeds, the weight gradient over positions. */
        static inline __attribute__((always_inline)) void mct_dw_grid4(const int8_t *a, int a_col, int a_row, const int8_t *b, int b_col,
                                                                      int b_row, int rows, int cols, int32_t *s) {
            int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
            for (; rows > 0; rows--, a += a_row, b += b_row) {
                const int8_t *x = a, *w = b;
                int n = cols;
                for (; n >= 2; n -= 2, x += 2 * a_col, w += 2 * b_col) {
                    MCT_DW_TAP4(x, w);
                    MCT_DW_TAP4(x + a_col, w + b_col);
                }
                if (n > 0) MCT_DW_TAP4(x, w);
            }
            s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
        }

        /* One channel's sum over the same grid. */
        static inline int32_t mct_dw_grid1(const int8_t *a, int a_col, int a_row, const int8_t *b, int b_col, int b_row, int rows, int cols,
                                           int32_t s) {
            for (; rows > 0; rows--, a += a_row, b += b_row)
                for (int n = 0; n < cols; n++) s += (int32_t)a[n * a_col] * b[n * b_col];
            return s;
        }

        /* The taps [k0, k1) of a window starting at input index x0 (of n) that fall inside. */
        static inline void mct_dw_inside(int x0, int k, int n, int *k0, int *k1) {
            *k0 = x0 < 0 ? -x0 : 0;
            *k1 = x0 + k > n ? n - x0 : k;
        }

        /* ---- the 3x3 window: forward, and the input error at stride 1 ---- */

        /* A 3x3 window's weights for one group of four channels, each tap's word split into halfword
         * pairs (SXTB16 of bytes 0/2, then 1/3) once for all the outputs that use it, and what the
         * forward does with its sums. The offsets are fixed: the M4 code addresses the fields. */
        typedef struct {
            int32_t ws[18];          /* tap t = 3 * row + column: ws[2t] bytes 0/2, ws[2t + 1] bytes 1/3 */
            int32_t start[4];        /* the sums start here: the forward's bias plus the rounding half */
            int32_t down[4];         /* then >> down, or << up: mct_round_shift either way */
            int32_t lo4, hi4;        /* the output range in every byte */
            int32_t up[4];           /* not in the M4 code: a group with a left shift takes the clipped path */
            int dy, dx;              /* how far the window was moved inside (below) */
        } mct_dw_window_t;
        _Static_assert(__builtin_offsetof(mct_dw_window_t, start) == 72 && __builtin_offsetof(mct_dw_window_t, lo4) == 104,
                       "the M4 code below addresses these fields");

        /* A window reaching outside the source is moved inside by (dy, dx) and its weights the other
         * way: the taps that fell outside take zero weights, and adding zero products changes no sum.
         * taps points at tap 0's four weights, step bytes from one tap to the next (negative walks the
         * kernel backwards, for the input error). */
        static void mct_dw_window_weights(mct_dw_window_t *win, const int8_t *taps, int step, int dy, int dx) {
            for (int r = 0; r < 3; r++)
                for (int k = 0; k < 3; k++) {
                    const int sr = r + dy, sk = k + dx, t = 3 * r + k;
                    const int32_t v = sr >= 0 && sr < 3 && sk >= 0 && sk < 3 ? mct_read_s8x4(taps + (3 * sr + sk) * step) : 0;
                    win->ws[2 * t] = mct_sxtb16(v);
                    win->ws[2 * t + 1] = mct_sxtb16_ror8(v);
                }
            win->dy = dy;
            win->dx = dx;
        }

        /* Four sums to four int8 outputs in a word: each shifted as mct_round_shift does and
         * saturated to int8, then all four clamped to the output range at once. */
        static inline int32_t mct_dw_requantize4(const mct_dw_window_t *g, const int32_t *s) {
            uint32_t q = 0;
            for (int k = 0; k < 4; k++) q |= ((uint32_t)mct_ssat8((int32_t)((uint32_t)s[k] << g->up[k]) >> g->down[k]) & 0xFFu) << 8 * k;
            return mct_clamp_s8x4((int32_t)q, g->lo4, g->hi4);
        }

        #if !(defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP)
        /* The window in C: s[k] = start[k] + the nine taps of channel k. */
        static inline void mct_dw_window_c(const mct_dw_window_t *win, const int8_t *x, int col, int row, int32_t *s) {
            int32_t s0 = win->start[0], s1 = win->start[1], s2 = win->start[2], s3 = win->start[3];
            for (int t = 0; t < 9; t++) {
                const int32_t v = mct_read_s8x4(x + (t / 3) * row + (t % 3) * col), vl = mct_sxtb16(v), vh = mct_sxtb16_ror8(v);
                s0 = mct_smlabb(vl, win->ws[2 * t], s0); s2 = mct_smlatt(vl, win->ws[2 * t], s2);
                s1 = mct_smlabb(vh, win->ws[2 * t + 1], s1); s3 = mct_smlatt(vh, win->ws[2 * t + 1], s3);
            }
            s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
        }
        #endif

        /* How far a window of 3 starting at x0 moves to lie inside [0, n) (n >= 3). */
        static inline int mct_dw_move_inside(int x0, int n) { return x0 < 0 ? -x0 : (x0 > n - 3 ? n - 3 - x0 : 0); }

        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
        /* One tap: a word of input at addr, its split weights at off: 10 cycles for 4 MACs. */
        #define MCT_DW_TAP_ASM(addr, off)                                                                             \\
            "ldr %[v], " addr "\\n\\t"                                                                                  \\
            "ldr %[wl], [%[g], #" #off "]\\n\\t"                                                                        \\
            "ldr %[wh], [%[g], #" #off "+4]\\n\\t"                                                                      \\
            "sxtb16 %[t], %[v]\\n\\t"                                                                                  \\
            "sxtb16 %[v], %[v], ror #8\\n\\t"                                                                          \\
            "smlabb %[a0], %[t], %[wl], %[a0]\\n\\t"                                                                   \\
            "smlatt %[a2], %[t], %[wl], %[a2]\\n\\t"                                                                   \\
            "smlabb %[a1], %[v], %[wh], %[a1]\\n\\t"                                                                   \\
            "smlatt %[a3], %[v], %[wh], %[a3]\\n\\t"
        /* The whole window from its start sums; x ends on its last row. */
        #define MCT_DW_WINDOW_ASM                                                                                     \\
            "ldr %[a0], [%[g], #72]\\n\\t"                                                                              \\
            "ldr %[a1], [%[g], #76]\\n\\t"                                                                              \\
            "ldr %[a2], [%[g], #80]\\n\\t"                                                                              \\
            "ldr %[a3], [%[g], #84]\\n\\t"                                                                              \\
            MCT_DW_TAP_ASM("[%[x]]", 0) MCT_DW_TAP_ASM("[%[x], %[col]]", 8) MCT_DW_TAP_ASM("[%[x], %[col], lsl #1]", 16) \\
            "add %[x], %[x], %[row]\\n\\t"                                                                              \\
            MCT_DW_TAP_ASM("[%[x]]", 24) MCT_DW_TAP_ASM("[%[x], %[col]]", 32) MCT_DW_TAP_ASM("[%[x], %[col], lsl #1]", 40) \\
            "add %[x], %[x], %[row]\\n\\t"                                                                              \\
            MCT_DW_TAP_ASM("[%[x]]", 48) MCT_DW_TAP_ASM("[%[x], %[col]]", 56) MCT_DW_TAP_ASM("[%[x], %[col], lsl #1]", 64)
        #define MCT_DW_WINDOW_OPERANDS                                                                                \\
            [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [v] "=&r"(v), [t] "=&r"(t), [wl] "=&r"(wl), \\
            [wh] "=&r"(wh), [x] "+&r"(x)                                                                              \\
            : [g] "r"(win), [col] "r"(col), [row] "r"(row)
        #endif

        /* The window at x (col bytes a column, row a row) requantised to four int8 outputs in a
         * word (no left shifts): shifted, saturated to int8 (SSAT), packed (BFI), clamped to the output range four
         * bytes at once (SSUB8/SEL). Written out on the M4: GCC spills in a window this size. */
        static inline __attribute__((always_inline)) int32_t mct_dw_window_s8(const mct_dw_window_t *win, const int8_t *x, int col, int row) {
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
            int32_t a0, a1, a2, a3, v, t, wl, wh;
            __asm__(MCT_DW_WINDOW_ASM
                    "ldr %[v], [%[g], #88]\\n\\t"
                    "ldr %[t], [%[g], #92]\\n\\t"
                    "ldr %[wl], [%[g], #96]\\n\\t"
                    "ldr %[wh], [%[g], #100]\\n\\t"
                    "asr %[a0], %[a0], %[v]\\n\\t"
                    "asr %[a1], %[a1], %[t]\\n\\t"
                    "asr %[a2], %[a2], %[wl]\\n\\t"
                    "asr %[a3], %[a3], %[wh]\\n\\t"
                    "ssat %[a0], #8, %[a0]\\n\\t"
                    "ssat %[a1], #8, %[a1]\\n\\t"
                    "ssat %[a2], #8, %[a2]\\n\\t"
                    "ssat %[a3], #8, %[a3]\\n\\t"
                    "bfi %[a0], %[a1], #8, #8\\n\\t"
                    "bfi %[a0], %[a2], #16, #8\\n\\t"
                    "bfi %[a0], %[a3], #24, #8\\n\\t"
                    "ldr %[v], [%[g], #104]\\n\\t"
                    "ldr %[t], [%[g], #108]\\n\\t"
                    "ssub8 %[wl], %[a0], %[v]\\n\\t"
                    "sel %[a0], %[a0], %[v]\\n\\t"
                    "ssub8 %[wl], %[a0], %[t]\\n\\t"
                    "sel %[a0], %[t], %[a0]"
                    : MCT_DW_WINDOW_OPERANDS
                    : "cc", "memory");
            return a0;
        #else
            int32_t s[4];
            mct_dw_window_c(win, x, col, row, s);
            return mct_dw_requantize4(win, s);
        #endif
        }

        /* The window's four int32 sums, for the input error. */
        static inline __attribute__((always_inline)) void mct_dw_window_s32(const mct_dw_window_t *win, const int8_t *x, int col, int row, int32_t *s) {
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
            int32_t a0, a1, a2, a3, v, t, wl, wh;
            __asm__(MCT_DW_WINDOW_ASM : MCT_DW_WINDOW_OPERANDS : "memory");
            s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3;
        #else
            mct_dw_window_c(win, x, col, row, s);
        #endif
        }

        /* For one group of four channels: every output of an out_h x out_w grid whose window starts at
         * (o * stride - pad) in the h x w source (c channels; h, w >= 3), from win[] (its start sums,
         * and for the forward its requantisation, already set); int8 outputs to out8, else int32 sums to
         * out32, c apart. The windows inside a row run straight through; the few reaching outside are
         * moved in, with weights cached per side (left, inside, right) while the move stays the same. */
        static void mct_dw_correlate3x3(const int8_t *src, int h, int w, int c, int stride, int pad_t, int pad_l, int out_h, int out_w,
                                        const int8_t *taps, int step, mct_dw_window_t win[3], int8_t *out8, int32_t *out32) {
            const int row = w * c;
            /* Outputs from one whose window needs no move along x up to ox1 need none either. */
            int ox1 = w - 3 + pad_l < 0 ? 0 : (w - 3 + pad_l) / stride + 1;
            if (ox1 > out_w) ox1 = out_w;
            for (int oy = 0; oy < out_h; oy++) {
                const int y0 = oy * stride - pad_t, dy = mct_dw_move_inside(y0, h);
                for (int ox = 0; ox < out_w;) {
                    const int x0 = ox * stride - pad_l, dx = mct_dw_move_inside(x0, w), n = dx ? 1 : ox1 - ox;
                    mct_dw_window_t *e = &win[dx > 0 ? 0 : (dx == 0 ? 1 : 2)];
                    if (e->dy != dy || e->dx != dx) mct_dw_window_weights(e, taps, step, dy, dx);
                    const int8_t *x = src + (y0 + dy) * row + (x0 + dx) * c;
                    const int o = (oy * out_w + ox) * c;
                    if (out8) {
                        int8_t *q = out8 + o;
                        for (int i = 0; i < n; i++, x += stride * c, q += c) mct_write_s8x4(q, mct_dw_window_s8(e, x, c, row));
                    } else {
                        int32_t *q = out32 + o;
                        for (int i = 0; i < n; i++, x += stride * c, q += c) mct_dw_window_s32(e, x, c, row, q);
                    }
                    ox += n;
                }
            }
        }

        /* The forward's start sums and requantisation for channels ch..ch+3, in all three windows;
         * whether they shift right only (a left shift, which calibration rarely picks, is left to C). */
        static int mct_dw_window_requant(mct_dw_window_t win[3], const int32_t *bias, const int8_t *shift, int32_t lo, int32_t hi) {
            for (int e = 0; e < 3; e++) {
                for (int k = 0; k < 4; k++) {
                    const int sh = shift[k];
                    win[e].start[k] = (int32_t)((uint32_t)bias[k] + (sh > 0 ? 1u << (sh - 1) : 0u));
                    win[e].up[k] = sh < 0 ? -sh : 0;
                    win[e].down[k] = sh > 0 ? sh : 0;
                }
                win[e].lo4 = (int32_t)((uint32_t)(uint8_t)lo * 0x01010101u);
                win[e].hi4 = (int32_t)((uint32_t)(uint8_t)hi * 0x01010101u);
                win[e].dy = win[e].dx = 3; /* no move is 3: the weights are not built yet */
            }
            return (win[0].up[0] | win[0].up[1] | win[0].up[2] | win[0].up[3]) == 0;
        }

        /* One output of four channels, its window clipped to the input (any kernel size). */
        static void mct_dw_forward_clipped(const mct_dims_t *d, const int8_t *in, const int8_t *w, const mct_dw_window_t *g, int oy, int ox,
                                           int8_t *o) {
            const int c = d->in_c, y0 = oy * d->stride - d->pad_t, x0 = ox * d->stride - d->pad_l;
            int ky0, ky1, kx0, kx1;
            mct_dw_inside(y0, d->k_h, d->in_h, &ky0, &ky1);
            mct_dw_inside(x0, d->k_w, d->in_w, &kx0, &kx1);
            int32_t s[4] = {g->start[0], g->start[1], g->start[2], g->start[3]};
            mct_dw_grid4(in + ((y0 + ky0) * d->in_w + x0 + kx0) * c, c, d->in_w * c, w + (ky0 * d->k_w + kx0) * c, c, d->k_w * c, ky1 - ky0,
                         kx1 - kx0, s);
            mct_write_s8x4(o, mct_dw_requantize4(g, s));
        }

        /* Four channels at a time: one word of input, one of weights, SMLABB/SMLATT per lane (different
         * channels never add). A 3x3 kernel on an input of at least 3x3 takes the window above; other
         * shapes sum the taps inside each window. */
        void mct_depthwise_conv2d_forward_s8(const mct_dims_t *d, const int8_t *in, const int8_t *w, const int32_t *bias,
                                             const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            const int c = d->in_c, s = d->stride, in_row = d->in_w * c;
            const int window = d->k_h == 3 && d->k_w == 3 && d->in_h >= 3 && d->in_w >= 3;
            int ch = 0;
            for (; ch + 4 <= c; ch += 4) {
                mct_dw_window_t win[3];
                if (mct_dw_window_requant(win, bias + ch, shift + ch, lo, hi) && window) {
                    mct_dw_correlate3x3(in + ch, d->in_h, d->in_w, c, s, d->pad_t, d->pad_l, d->out_h, d->out_w, w + ch, c, win, out + ch, 0);
                    continue;
                }
                for (int oy = 0; oy < d->out_h; oy++)
                    for (int ox = 0; ox < d->out_w; ox++) mct_dw_forward_clipped(d, in + ch, w + ch, &win[1], oy, ox, out + (oy * d->out_w + ox) * c + ch);
            }
            for (; ch < c; ch++) {
                int8_t *o = out + ch;
                for (int oy = 0; oy < d->out_h; oy++) {
                    const int y0 = oy * s - d->pad_t;
                    int ky0, ky1;
                    mct_dw_inside(y0, d->k_h, d->in_h, &ky0, &ky1);
                    for (int ox = 0; ox < d->out_w; ox++, o += c) {
                        const int x0 = ox * s - d->pad_l;
                        int kx0, kx1;
                        mct_dw_inside(x0, d->k_w, d->in_w, &kx0, &kx1);
                        const int32_t sum = mct_dw_grid1(in + ((y0 + ky0) * d->in_w + x0 + kx0) * c + ch, c, in_row, w + (ky0 * d->k_w + kx0) * c + ch,
                                                         c, d->k_w * c, ky1 - ky0, kx1 - kx0, bias[ch]);
                        *o = mct_requantize_s8(sum, shift[ch], lo, hi);
                    }
                }
            }
        }

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
