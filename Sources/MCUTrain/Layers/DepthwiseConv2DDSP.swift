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
    static let dspForward = """

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

        """
}
