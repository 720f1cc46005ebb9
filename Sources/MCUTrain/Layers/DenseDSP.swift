/// Dense kernels for the DSP extension, bit-identical to the portable ones (int32 wrapping
/// sums do not depend on order; the update draws the same random bits for the same weights).
/// Four input bytes are one word: SXTB16 splits it into bytes 0/2 and 1/3 as halfword pairs,
/// and SMLAD multiplies two pairs and adds both products in one cycle.
extension Dense {
    static let dsp = Dense.updateSteps + """

        /* ---- dense (DSP): forward, input error, update ---- */

        void mct_dense_forward_s8(const int8_t *in, int n_in, const int8_t *w, const int32_t *bias, int n_out,
                                  const int8_t *shift, int32_t lo, int32_t hi, int8_t *out) {
            int j = 0;
            for (; j + 4 <= n_out; j += 4) {
                int32_t s0 = bias[j], s1 = bias[j + 1], s2 = bias[j + 2], s3 = bias[j + 3];
                mct_dot4_s8(in, n_in, w + j * n_in, n_in, &s0, &s1, &s2, &s3);
                out[j] = mct_requantize_s8(s0, shift[j], lo, hi);
                out[j + 1] = mct_requantize_s8(s1, shift[j + 1], lo, hi);
                out[j + 2] = mct_requantize_s8(s2, shift[j + 2], lo, hi);
                out[j + 3] = mct_requantize_s8(s3, shift[j + 3], lo, hi);
            }
            for (; j < n_out; j++)
                out[j] = mct_requantize_s8(mct_dot1_s8(in, n_in, w + j * n_in, bias[j]), shift[j], lo, hi);
        }

        void mct_dense_logits_s8(const int8_t *in, int n_in, const int8_t *w, const int32_t *bias, int n_out, int32_t *logits) {
            int j = 0;
            for (; j + 4 <= n_out; j += 4) {
                logits[j] = bias[j]; logits[j + 1] = bias[j + 1]; logits[j + 2] = bias[j + 2]; logits[j + 3] = bias[j + 3];
                mct_dot4_s8(in, n_in, w + j * n_in, n_in, &logits[j], &logits[j + 1], &logits[j + 2], &logits[j + 3]);
            }
            for (; j < n_out; j++) logits[j] = mct_dot1_s8(in, n_in, w + j * n_in, bias[j]);
        }

        /* acc[i] = sum_j w[j][i] * err[j], four inputs at a time down all rows (mct_columns4_s8:
         * a zero four-error word skips its four rows). Returns the MACs of non-zero rows. */
        uint32_t mct_dense_input_error_s8(const int8_t *err, int n_out, const int8_t *w, int n_in, int32_t *acc) {
            uint32_t macs = 0;
            for (int j = 0; j < n_out; j++) macs += err[j] != 0 ? (uint32_t)n_in : 0u;
            int i = 0;
            for (; i + 4 <= n_in; i += 4) {
                int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                mct_columns4_s8(w + i, n_in, err, n_out, &s0, &s1, &s2, &s3);
                acc[i] = s0; acc[i + 1] = s1; acc[i + 2] = s2; acc[i + 3] = s3;
            }
            for (; i < n_in; i++) {
                int32_t s = 0;
                for (int j = 0; j < n_out; j++) s += w[j * n_in + i] * err[j];
                acc[i] = s;
            }
            return macs;
        }

        /* The row loop four weights at a time, for 8 <= s: then scale fits 16 bits and each step
         * lies in [-64, 64]. Adding 128 << 16 with each u (UXTAH, which also rotates the draw
         * to the weight's bits) makes the steps' top halves 64..192, so they pack into bytes with
         * one ORR and turn signed with one EOR; QSUB8 subtracts them saturating, SSUB8/SEL clamp
         * at -127. Returns the weights done. */
        static inline __attribute__((always_inline)) void mct_dense_update4_s8(int8_t *row, const int8_t *in, int32_t scale, uint32_t x, int32_t k, int32_t m) {
            int32_t a = mct_read_s8x4(in), a02 = mct_sxtb16(a), a13 = mct_sxtb16_ror8(a);
            int32_t s02 = mct_pkhtb(mct_smlabt(scale, a02, mct_uxtah_ror(k, x, 16)), mct_smlabb(scale, a02, mct_uxtah_ror(k, x, 0)));
            int32_t s13 = mct_pkhtb(mct_smlabt(scale, a13, mct_uxtah_ror(k, x, 24)), mct_smlabb(scale, a13, mct_uxtah_ror(k, x, 8)));
            int32_t steps = (int32_t)(((uint32_t)s02 | (uint32_t)s13 << 8) ^ 0x80808080u);
            mct_write_s8x4(row, mct_max127_s8x4(mct_qsub8(mct_read_s8x4(row), steps), m));
        }

        static inline __attribute__((always_inline)) int mct_dense_update_row4_s8(int8_t *row, const int8_t *in, int n, int32_t scale, mct_rng_t *rng) {
            /* Kept in registers: the compiler would rebuild them inside the loop. */
            int32_t k = 128 << 16, m = (int32_t)0x81818181;
            __asm__("" : "+r"(k), "+r"(m));
            uint32_t x = rng->state;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                x = mct_xorshift32(x);
                mct_dense_update4_s8(row + i, in + i, scale, x, k, m);
                x = mct_xorshift32(x);
                mct_dense_update4_s8(row + i + 4, in + i + 4, scale, x, k, m);
            }
            if (i + 4 <= n) {
                x = mct_xorshift32(x);
                mct_dense_update4_s8(row + i, in + i, scale, x, k, m);
                i += 4;
            }
            rng->state = x;
            return i;
        }

        """ + update(rowLoop: """
            int done = s >= 8 ? mct_dense_update_row4_s8(row, in, n_in, scale, rng) : 0;
                            if (done < n_in) mct_dense_update_row_s8(row, in, done, n_in, scale, rng);
            """)
}
