/// Which C a run's kernels are written in: `portable` runs on every Cortex-M (the M0 has no
/// DSP extension); `dsp` uses the M4/M7 SIMD instructions (SXTB16, SMLAD, PKHBT/PKHTB,
/// QSUB8/SEL) and works on several output rows per pass over the input. Both have the same
/// signatures and give bit-identical results; a kind without a DSP version emits its
/// portable C in both.
public enum KernelVariant: String, CaseIterable, Sendable, Codable {
    case portable, dsp

    /// Refuses a variant the board's core cannot run. The host build compiles the DSP C with
    /// plain-C intrinsics, so only the target decides.
    public func check(_ board: Board) throws {
        guard self == .dsp, !board.core.hasDSP else { return }
        throw ConfigError("--kernels dsp needs the DSP extension, which \(board.name)'s \(board.core.rawValue) lacks: use --kernels portable")
    }

    /// The intrinsics the DSP kernels use, each with its instruction where the compiler
    /// targets the DSP extension (ACLE or inline asm where GCC 12 has no intrinsic) and the
    /// same arithmetic in plain C elsewhere: the `--fast` host build compiles the DSP C too.
    static let intrinsics = """

        /* ---- DSP intrinsics: the instruction on an M4/M7, its exact arithmetic in C elsewhere ---- */
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
        #include <arm_acle.h>
        #define MCT_ASM2(op, a, b) ({ int32_t r_; __asm__(op : "=r"(r_) : "r"(a), "r"(b)); r_; })
        /* Bytes 0 and 2 (or 1 and 3) sign-extended into two halfwords. */
        static inline int32_t mct_sxtb16(int32_t x) { return __sxtb16(x); }
        static inline int32_t mct_sxtb16_ror8(int32_t x) { int32_t r; __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x)); return r; }
        static inline int32_t mct_smlad(int32_t a, int32_t b, int32_t c) { return __smlad(a, b, c); }
        static inline int32_t mct_smlabb(int32_t a, int32_t b, int32_t c) { return __smlabb(a, b, c); }
        static inline int32_t mct_smlabt(int32_t a, int32_t b, int32_t c) { return __smlabt(a, b, c); }
        static inline int32_t mct_smlatb(int32_t a, int32_t b, int32_t c) { return __smlatb(a, b, c); }
        static inline int32_t mct_smlatt(int32_t a, int32_t b, int32_t c) { return __smlatt(a, b, c); }
        /* a + the low half of x rotated right by rot (0, 8, 16 or 24). */
        #define mct_uxtah_ror(a, x, rot) ({ int32_t r_; __asm__("uxtah %0, %1, %2, ror #" #rot : "=r"(r_) : "r"(a), "r"(x)); r_; })
        /* Bottom halves: lo's low, hi's high. */
        static inline int32_t mct_pkhbt(int32_t lo, int32_t hi) { return MCT_ASM2("pkhbt %0, %1, %2, lsl #16", lo, hi); }
        /* Top halves: hi's high, lo's high moved down. */
        static inline int32_t mct_pkhtb(int32_t hi, int32_t lo) { return MCT_ASM2("pkhtb %0, %1, %2, asr #16", hi, lo); }
        static inline int32_t mct_qsub8(int32_t a, int32_t b) { return __qsub8(a, b); }
        static inline int32_t mct_ssat8(int32_t x) { return __ssat(x, 8); }
        /* Each byte of x clamped to the same byte of lo and hi (signed, lo <= hi): SSUB8 sets GE
         * where x >= the bound, SEL picks. */
        static inline int32_t mct_clamp_s8x4(int32_t x, int32_t lo, int32_t hi) {
            int32_t t;
            __asm__("ssub8 %0, %1, %2\\n\\tsel %1, %1, %2\\n\\tssub8 %0, %1, %3\\n\\tsel %1, %3, %1" : "=&r"(t), "+r"(x) : "r"(lo), "r"(hi));
            return x;
        }
        /* Each byte at least -127; m holds 0x81818181 (SSUB8 sets GE where x >= m, SEL picks). */
        static inline int32_t mct_max127_s8x4(int32_t x, int32_t m) {
            int32_t r;
            __asm__("ssub8 %0, %1, %2\\n\\tsel %0, %1, %2" : "=&r"(r) : "r"(x), "r"(m));
            return r;
        }
        #else
        static inline int32_t mct_lo16(int32_t x) { return (int16_t)(x & 0xFFFF); }
        static inline int32_t mct_hi16(int32_t x) { return (int16_t)((uint32_t)x >> 16); }
        static inline int32_t mct_halves(int32_t lo, int32_t hi) { return (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16)); }
        static inline int32_t mct_sxtb16(int32_t x) { return mct_halves((int8_t)(x & 0xFF), (int8_t)(((uint32_t)x >> 16) & 0xFF)); }
        static inline int32_t mct_sxtb16_ror8(int32_t x) { return mct_sxtb16((int32_t)((uint32_t)x >> 8 | (uint32_t)x << 24)); }
        static inline int32_t mct_smlad(int32_t a, int32_t b, int32_t c) {
            return (int32_t)((uint32_t)c + (uint32_t)(mct_lo16(a) * mct_lo16(b)) + (uint32_t)(mct_hi16(a) * mct_hi16(b)));
        }
        static inline int32_t mct_smlabb(int32_t a, int32_t b, int32_t c) { return (int32_t)((uint32_t)c + (uint32_t)(mct_lo16(a) * mct_lo16(b))); }
        static inline int32_t mct_smlabt(int32_t a, int32_t b, int32_t c) { return (int32_t)((uint32_t)c + (uint32_t)(mct_lo16(a) * mct_hi16(b))); }
        static inline int32_t mct_smlatb(int32_t a, int32_t b, int32_t c) { return (int32_t)((uint32_t)c + (uint32_t)(mct_hi16(a) * mct_lo16(b))); }
        static inline int32_t mct_smlatt(int32_t a, int32_t b, int32_t c) { return (int32_t)((uint32_t)c + (uint32_t)(mct_hi16(a) * mct_hi16(b))); }
        static inline int32_t mct_uxtah_ror(int32_t a, uint32_t x, int rot) {
            return (int32_t)((uint32_t)a + ((x >> rot | x << ((32 - rot) & 31)) & 0xFFFFu));
        }
        static inline int32_t mct_pkhbt(int32_t lo, int32_t hi) { return mct_halves(lo, hi); }
        static inline int32_t mct_pkhtb(int32_t hi, int32_t lo) { return mct_halves(mct_hi16(lo), mct_hi16(hi)); }
        static inline int32_t mct_qsub8(int32_t a, int32_t b) {
            uint32_t r = 0;
            for (int k = 0; k < 32; k += 8) {
                int32_t d = (int8_t)(((uint32_t)a >> k) & 0xFF) - (int8_t)(((uint32_t)b >> k) & 0xFF);
                r |= (uint32_t)(uint8_t)(d > 127 ? 127 : (d < -128 ? -128 : d)) << k;
            }
            return (int32_t)r;
        }
        static inline int32_t mct_ssat8(int32_t x) { return x < -128 ? -128 : (x > 127 ? 127 : x); }
        static inline int32_t mct_clamp_s8x4(int32_t x, int32_t lo, int32_t hi) {
            uint32_t r = 0;
            for (int k = 0; k < 32; k += 8) {
                int32_t v = (int8_t)((uint32_t)x >> k), l = (int8_t)((uint32_t)lo >> k), h = (int8_t)((uint32_t)hi >> k);
                r |= (uint32_t)(uint8_t)(v < l ? l : (v > h ? h : v)) << k;
            }
            return (int32_t)r;
        }
        static inline int32_t mct_max127_s8x4(int32_t x, int32_t m) {
            (void)m;
            uint32_t r = 0;
            for (int k = 0; k < 32; k += 8) {
                int32_t v = (int8_t)(((uint32_t)x >> k) & 0xFF);
                r |= (uint32_t)(uint8_t)(v < -127 ? -127 : v) << k;
            }
            return (int32_t)r;
        }
        #endif
        /* Four bytes at any alignment (the M4 and M7 load words unaligned). */
        static inline int32_t mct_read_s8x4(const int8_t *p) { int32_t v; __builtin_memcpy(&v, p, 4); return v; }
        static inline void mct_write_s8x4(int8_t *p, int32_t v) { __builtin_memcpy(p, &v, 4); }

        /* mct_saturate_s8(mct_round_shift(x, shift), lo, hi) inlined, for lo <= hi (an output
         * range): no calls per output, and on the M4 a clamp without branches (IT blocks), as
         * ReLU outputs clamp at lo about half the time. */
        static inline int8_t mct_requantize_s8(int32_t x, int shift, int32_t lo, int32_t hi) {
            x = shift > 0 ? (x + (1 << (shift - 1))) >> shift : x * (1 << -shift);
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
            __asm__("cmp %0, %1\\n\\tit lt\\n\\tmovlt %0, %1\\n\\tcmp %0, %2\\n\\tit gt\\n\\tmovgt %0, %2" : "+r"(x) : "r"(lo), "r"(hi) : "cc");
            return (int8_t)x;
        #else
            return (int8_t)(x < lo ? lo : (x > hi ? hi : x));
        #endif
        }

        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
        /* One input word against the four rows: mct_dot4_s8's loop runs it twice a pass. */
        #define MCT_DOT4_WORD_ASM \\
            "ldr %[v], [%[x]], #4\\n\\t" \\
            "ldr %[u], [%[p0], %[stride]]\\n\\t" \\
            "ldr %[t], [%[p0]], #4\\n\\t" \\
            "sxtb16 %[x02], %[v]\\n\\t" \\
            "sxtb16 %[x13], %[v], ror #8\\n\\t" \\
            "sxtb16 %[v], %[t]\\n\\t" \\
            "sxtb16 %[t], %[t], ror #8\\n\\t" \\
            "smlad %[a], %[v], %[x02], %[a]\\n\\t" \\
            "smlad %[a], %[t], %[x13], %[a]\\n\\t" \\
            "sxtb16 %[v], %[u]\\n\\t" \\
            "sxtb16 %[u], %[u], ror #8\\n\\t" \\
            "smlad %[b], %[v], %[x02], %[b]\\n\\t" \\
            "smlad %[b], %[u], %[x13], %[b]\\n\\t" \\
            "ldr %[u], [%[p2], %[stride]]\\n\\t" \\
            "ldr %[t], [%[p2]], #4\\n\\t" \\
            "sxtb16 %[v], %[t]\\n\\t" \\
            "sxtb16 %[t], %[t], ror #8\\n\\t" \\
            "smlad %[c], %[v], %[x02], %[c]\\n\\t" \\
            "smlad %[c], %[t], %[x13], %[c]\\n\\t" \\
            "sxtb16 %[v], %[u]\\n\\t" \\
            "sxtb16 %[u], %[u], ror #8\\n\\t" \\
            "smlad %[d], %[v], %[x02], %[d]\\n\\t" \\
            "smlad %[d], %[u], %[x13], %[d]\\n\\t"
        #endif

        /* sum[r] += w row r . in (n bytes) for four rows stride bytes apart, every input word loaded
         * and split once for all four: dense rows (stride n) and a convolution's kernel rows. */
        static inline __attribute__((always_inline)) void mct_dot4_s8(const int8_t *in, int n, const int8_t *w, int stride,
                                                                     int32_t *s0, int32_t *s1, int32_t *s2, int32_t *s3) {
            /* Rows 1 and 3 are addressed from rows 0 and 2 plus stride: two pointers, not four. */
            const int8_t *p0 = w, *p2 = w + 2 * stride, *x = in, *end = in + (n & ~3);
            int32_t a = *s0, b = *s1, c = *s2, d = *s3;
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
            /* An odd word first, so the loop below takes two words per pass. */
            if ((end - x) & 4) {
                int32_t v = mct_read_s8x4(x), x02 = mct_sxtb16(v), x13 = mct_sxtb16_ror8(v);
                v = mct_read_s8x4(p0); a = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, a));
                v = mct_read_s8x4(p0 + stride); b = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, b));
                v = mct_read_s8x4(p2); c = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, c));
                v = mct_read_s8x4(p2 + stride); d = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, d));
                x += 4; p0 += 4; p2 += 4;
            }
        #endif
            if (x != end) {
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
                /* GCC spills stride and end from this loop; written out it keeps all 14 registers busy
                 * and every load after the first pipelines; unrolled twice (about 25 cycles per 16 MACs). */
                int32_t v, u, t, x02, x13;
                __asm__ volatile(
                    "1:\\n\\t"
                    MCT_DOT4_WORD_ASM MCT_DOT4_WORD_ASM
                    "cmp %[x], %[end]\\n\\t"
                    "bne 1b"
                    : [x] "+r"(x), [p0] "+r"(p0), [p2] "+r"(p2), [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(d),
                      [v] "=&r"(v), [u] "=&r"(u), [t] "=&r"(t), [x02] "=&r"(x02), [x13] "=&r"(x13)
                    : [stride] "r"(stride), [end] "r"(end)
                    : "cc", "memory");
        #else
                for (; x != end; x += 4, p0 += 4, p2 += 4) {
                    int32_t v = mct_read_s8x4(x), x02 = mct_sxtb16(v), x13 = mct_sxtb16_ror8(v);
                    v = mct_read_s8x4(p0); a = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, a));
                    v = mct_read_s8x4(p0 + stride); b = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, b));
                    v = mct_read_s8x4(p2); c = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, c));
                    v = mct_read_s8x4(p2 + stride); d = mct_smlad(mct_sxtb16(v), x02, mct_smlad(mct_sxtb16_ror8(v), x13, d));
                }
        #endif
            }
            /* The last n % 4 bytes, from where the word loop stopped. */
            for (int i = 0; i < (n & 3); i++) {
                a += p0[i] * x[i];
                b += p0[stride + i] * x[i];
                c += p2[i] * x[i];
                d += p2[stride + i] * x[i];
            }
            *s0 = a; *s1 = b; *s2 = c; *s3 = d;
        }

        /* One row: the rows left over after the blocks of four. */
        static inline int32_t mct_dot1_s8(const int8_t *in, int n, const int8_t *w, int32_t s) {
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                int32_t x = mct_read_s8x4(in + i), v = mct_read_s8x4(w + i);
                s = mct_smlad(mct_sxtb16(v), mct_sxtb16(x), mct_smlad(mct_sxtb16_ror8(v), mct_sxtb16_ror8(x), s));
            }
            for (; i < n; i++) s += w[i] * in[i];
            return s;
        }

        /* s[k] += sum_j p[j * stride + k] * e[j] over n rows, for k < 4 (a dense layer's or a
         * convolution's input error): four inputs' sums down the rows (bytes 0/2 and 1/3 of each row word times that row's error, SMLABB/SMLATB);
         * four errors are one word, and a zero word skips its four rows. */
        static inline __attribute__((always_inline)) void mct_columns4_s8(const int8_t *p, int stride, const int8_t *e, int n,
                                                                         int32_t *s0, int32_t *s1, int32_t *s2, int32_t *s3) {
            int32_t a = *s0, b = *s1, c = *s2, d = *s3;
            const int8_t *p0 = p, *p2 = p + 2 * stride, *end = e + (n & ~3);
            if (e != end) {
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
                /* Written out: all 14 registers, the row loads in pairs (about 42 cycles per 16 MACs). */
                int32_t t, e02, e13, v0, v1;
                __asm__ volatile(
                    "1:\\n\\t"
                    "ldr %[t], [%[e]], #4\\n\\t"
                    "cmp %[t], #0\\n\\t"
                    "beq 2f\\n\\t"
                    "sxtb16 %[e02], %[t]\\n\\t"
                    "sxtb16 %[e13], %[t], ror #8\\n\\t"
                    "ldr %[v0], [%[p0]]\\n\\t"
                    "ldr %[v1], [%[p0], %[stride]]\\n\\t"
                    "sxtb16 %[t], %[v0]\\n\\t"
                    "sxtb16 %[v0], %[v0], ror #8\\n\\t"
                    "smlabb %[a], %[t], %[e02], %[a]\\n\\t"
                    "smlatb %[c], %[t], %[e02], %[c]\\n\\t"
                    "smlabb %[b], %[v0], %[e02], %[b]\\n\\t"
                    "smlatb %[d], %[v0], %[e02], %[d]\\n\\t"
                    "sxtb16 %[t], %[v1]\\n\\t"
                    "sxtb16 %[v1], %[v1], ror #8\\n\\t"
                    "smlabb %[a], %[t], %[e13], %[a]\\n\\t"
                    "smlatb %[c], %[t], %[e13], %[c]\\n\\t"
                    "smlabb %[b], %[v1], %[e13], %[b]\\n\\t"
                    "smlatb %[d], %[v1], %[e13], %[d]\\n\\t"
                    "ldr %[v0], [%[p2]]\\n\\t"
                    "ldr %[v1], [%[p2], %[stride]]\\n\\t"
                    "sxtb16 %[t], %[v0]\\n\\t"
                    "sxtb16 %[v0], %[v0], ror #8\\n\\t"
                    "smlabt %[a], %[t], %[e02], %[a]\\n\\t"
                    "smlatt %[c], %[t], %[e02], %[c]\\n\\t"
                    "smlabt %[b], %[v0], %[e02], %[b]\\n\\t"
                    "smlatt %[d], %[v0], %[e02], %[d]\\n\\t"
                    "sxtb16 %[t], %[v1]\\n\\t"
                    "sxtb16 %[v1], %[v1], ror #8\\n\\t"
                    "smlabt %[a], %[t], %[e13], %[a]\\n\\t"
                    "smlatt %[c], %[t], %[e13], %[c]\\n\\t"
                    "smlabt %[b], %[v1], %[e13], %[b]\\n\\t"
                    "smlatt %[d], %[v1], %[e13], %[d]\\n\\t"
                    "2:\\n\\t"
                    "add %[p0], %[p0], %[stride], lsl #2\\n\\t"
                    "add %[p2], %[p2], %[stride], lsl #2\\n\\t"
                    "cmp %[e], %[end]\\n\\t"
                    "bne 1b"
                    : [e] "+r"(e), [p0] "+r"(p0), [p2] "+r"(p2), [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(d),
                      [t] "=&r"(t), [e02] "=&r"(e02), [e13] "=&r"(e13), [v0] "=&r"(v0), [v1] "=&r"(v1)
                    : [stride] "r"(stride), [end] "r"(end)
                    : "cc", "memory");
        #else
                for (; e != end; e += 4, p0 += 4 * stride, p2 += 4 * stride) {
                    int32_t ev = mct_read_s8x4(e);
                    if (ev == 0) continue;
                    /* Errors 0 and 2, 1 and 3 as halfword pairs: rows 0 and 1 take the bottoms, 2 and 3 the tops. */
                    int32_t e02 = mct_sxtb16(ev), e13 = mct_sxtb16_ror8(ev);
                    int32_t v0 = mct_read_s8x4(p0), v1 = mct_read_s8x4(p0 + stride), v2 = mct_read_s8x4(p2), v3 = mct_read_s8x4(p2 + stride);
                    int32_t lo = mct_sxtb16(v0), hi = mct_sxtb16_ror8(v0);
                    a = mct_smlabb(lo, e02, a); c = mct_smlatb(lo, e02, c); b = mct_smlabb(hi, e02, b); d = mct_smlatb(hi, e02, d);
                    lo = mct_sxtb16(v1); hi = mct_sxtb16_ror8(v1);
                    a = mct_smlabb(lo, e13, a); c = mct_smlatb(lo, e13, c); b = mct_smlabb(hi, e13, b); d = mct_smlatb(hi, e13, d);
                    lo = mct_sxtb16(v2); hi = mct_sxtb16_ror8(v2);
                    a = mct_smlabt(lo, e02, a); c = mct_smlatt(lo, e02, c); b = mct_smlabt(hi, e02, b); d = mct_smlatt(hi, e02, d);
                    lo = mct_sxtb16(v3); hi = mct_sxtb16_ror8(v3);
                    a = mct_smlabt(lo, e13, a); c = mct_smlatt(lo, e13, c); b = mct_smlabt(hi, e13, b); d = mct_smlatt(hi, e13, d);
                }
        #endif
            }
            for (int j = 0; j < (n & 3); j++, p0 += stride) {
                int32_t v = mct_read_s8x4(p0), lo = mct_sxtb16(v), hi = mct_sxtb16_ror8(v), x = end[j];
                a = mct_smlabb(lo, x, a); c = mct_smlatb(lo, x, c);
                b = mct_smlabb(hi, x, b); d = mct_smlatb(hi, x, d);
            }
            *s0 = a; *s1 = b; *s2 = c; *s3 = d;
        }

        """
}

extension Core {
    /// The ARMv7E-M DSP extension (M4, M7); ARMv6-M (M0, M0+) has none.
    public var hasDSP: Bool { self == .cortexM4 || self == .cortexM7 }
}
