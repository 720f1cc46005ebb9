/// The two kernels every backward pass runs between layers: requantizing an int32 error
/// into int8 with a per-sample shift, and masking it through a clamping activation. In a
/// small MLP they cost as much as a layer's update, so the DSP variant has its own (after
/// the intrinsics it uses); both variants give identical bytes.
enum ErrorKernels {
    static let portable = """

        /* An int32 error tensor into int8 with a per-sample scale: the smallest right shift
         * that fits the largest magnitude into 7 bits. Returns the shift. */
        int mct_requantize_error_s8(const int32_t *acc, int n, int8_t *err) {
            uint32_t largest = 0;
            for (int i = 0; i < n; i++) {
                uint32_t m = acc[i] < 0 ? (uint32_t)-acc[i] : (uint32_t)acc[i];
                if (m > largest) largest = m;
            }
            int bits = largest ? 32 - __builtin_clz(largest) : 0;
            int shift = bits > 7 ? bits - 7 : 0;
            for (int i = 0; i < n; i++) err[i] = mct_saturate_s8(mct_round_shift(acc[i], shift), -127, 127);
            return shift;
        }

        /* Through a clamping activation: the error survives only where lo < y < hi. */
        void mct_activation_backward_s8(int8_t *err, const int8_t *y, int n, int32_t lo, int32_t hi) {
            for (int i = 0; i < n; i++)
                if (y[i] <= lo || y[i] >= hi) err[i] = 0;
        }

        """

    static let dsp = """

        /* ---- error kernels (DSP) ---- */

        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
        /* Bytes of e where first <= y <= last (bytewise), zero elsewhere: SSUB8 sets a byte's GE
         * flag where the difference is not negative, SEL keeps e there. */
        static inline int32_t mct_keep_between_s8x4(int32_t e, int32_t y, int32_t first, int32_t last) {
            int32_t t;
            __asm__("ssub8 %1, %2, %3\\n\\tsel %0, %0, %5\\n\\tssub8 %1, %4, %2\\n\\tsel %0, %0, %5"
                    : "+r"(e), "=&r"(t) : "r"(y), "r"(first), "r"(last), "r"(0) : "cc");
            return e;
        }
        #else
        static inline int32_t mct_keep_between_s8x4(int32_t e, int32_t y, int32_t first, int32_t last) {
            uint32_t r = 0;
            for (int k = 0; k < 32; k += 8) {
                int32_t v = (int8_t)((uint32_t)y >> k), f = (int8_t)((uint32_t)first >> k), l = (int8_t)((uint32_t)last >> k);
                if (v >= f && v <= l) r |= (uint32_t)e & 0xFFu << k;
            }
            return (int32_t)r;
        }
        #endif
        static inline uint32_t mct_magnitude(int32_t x) { int32_t sign = x >> 31; return (uint32_t)((x ^ sign) - sign); }

        /* As the portable kernel, four values per pass: the OR of the magnitudes has the same top
         * bit as the largest; the rounded values saturate to 8 bits (SSAT), pack into a word, and
         * -128 is lifted to -127 four at a time. */
        int mct_requantize_error_s8(const int32_t *acc, int n, int8_t *err) {
            uint32_t any = 0;
            int i = 0;
            for (; i + 4 <= n; i += 4)
                any |= mct_magnitude(acc[i]) | mct_magnitude(acc[i + 1]) | mct_magnitude(acc[i + 2]) | mct_magnitude(acc[i + 3]);
            for (; i < n; i++) any |= mct_magnitude(acc[i]);
            int bits = any ? 32 - __builtin_clz(any) : 0;
            int shift = bits > 7 ? bits - 7 : 0;
            uint32_t half = shift ? 1u << (shift - 1) : 0u;
            int32_t m = (int32_t)0x81818181;
            for (i = 0; i + 4 <= n; i += 4) {
                uint32_t b0 = (uint8_t)mct_ssat8((int32_t)((uint32_t)acc[i] + half) >> shift);
                uint32_t b1 = (uint8_t)mct_ssat8((int32_t)((uint32_t)acc[i + 1] + half) >> shift);
                uint32_t b2 = (uint8_t)mct_ssat8((int32_t)((uint32_t)acc[i + 2] + half) >> shift);
                uint32_t b3 = (uint8_t)mct_ssat8((int32_t)((uint32_t)acc[i + 3] + half) >> shift);
                mct_write_s8x4(err + i, mct_max127_s8x4((int32_t)(b0 | b1 << 8 | b2 << 16 | b3 << 24), m));
            }
            for (; i < n; i++) {
                int32_t r = mct_ssat8((int32_t)((uint32_t)acc[i] + half) >> shift);
                err[i] = (int8_t)(r < -127 ? -127 : r);
            }
            return shift;
        }

        /* As the portable kernel, four values per word: a value keeps its error where
         * lo + 1 <= y <= hi - 1, the bounds taken into the int8 range first. */
        void mct_activation_backward_s8(int8_t *err, const int8_t *y, int n, int32_t lo, int32_t hi) {
            int32_t first = (lo < -129 ? -129 : (lo > 127 ? 127 : lo)) + 1, last = (hi > 128 ? 128 : (hi < -128 ? -128 : hi)) - 1;
            int i = 0;
            if (first <= last) {
                int32_t first4 = (int32_t)((uint8_t)first * 0x01010101u), last4 = (int32_t)((uint8_t)last * 0x01010101u);
                for (; i + 4 <= n; i += 4)
                    mct_write_s8x4(err + i, mct_keep_between_s8x4(mct_read_s8x4(err + i), mct_read_s8x4(y + i), first4, last4));
            }
            for (; i < n; i++)
                if (y[i] <= lo || y[i] >= hi) err[i] = 0;
        }

        """
}
