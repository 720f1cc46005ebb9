/// The selection kernels of the sparse backward passes, in C and as Swift twins that perform
/// the same integer operations. Top-k needs no sort and no memory beyond one score per
/// channel: the k-th largest score is found bit by bit from the top (a radix select), then one
/// pass keeps what is above it and, of the ties, the first from a random channel on. Int8
/// errors tie often (every wrong class of an unsure softmax has the same error), and a fixed
/// tie order would train the same few classes' logits down on every sample.
public enum Selector {
    static let kernelSource = KernelCode(declarations: """
        typedef struct { uint32_t mantissa; int32_t exponent; } mct_magnitude_t;

        uint32_t mct_error_scores_s8(const int8_t *err, int positions, int channels, uint32_t *score);
        void mct_keep_top_k_s8(int8_t *err, int positions, int channels, int k, const uint32_t *score, mct_rng_t *rng);
        int32_t mct_ratio_to_max_q15(uint32_t y, int x, mct_magnitude_t *max);
        int mct_tinyprop_k(int32_t ratio, int32_t s_min, int32_t s_range, int32_t zeta, int n);
        int32_t mct_tinypropv2_trains(const int8_t *err, int n, mct_magnitude_t *alpha_max,
                                      int32_t d_min, int32_t d_range, int32_t beta, int32_t threshold);
        """, definitions: """

        /* ---- sparse backward: scores, top-k, TinyProp's k, TinyPropv2's decision ---- */

        /* score[c] = sum over positions of |err[p][c]| (NHWC); returns the sum of all scores. */
        uint32_t mct_error_scores_s8(const int8_t *err, int positions, int channels, uint32_t *score) {
            uint32_t total = 0;
            for (int c = 0; c < channels; c++) score[c] = 0;
            for (int p = 0; p < positions; p++)
                for (int c = 0; c < channels; c++) {
                    int32_t e = *err++;
                    score[c] += (uint32_t)(e < 0 ? -e : e);
                }
            for (int c = 0; c < channels; c++) total += score[c];
            return total;
        }

        /* Zero every channel's error but the k with the largest scores; ties go to the first
         * channels from a random one on, cyclically. */
        void mct_keep_top_k_s8(int8_t *err, int positions, int channels, int k, const uint32_t *score, mct_rng_t *rng) {
            if (k >= channels) return;
            uint32_t top = 0, t = 0;
            for (int c = 0; c < channels; c++)
                if (score[c] > top) top = score[c];
            /* t = the largest value with at least k scores >= t: the k-th largest score. */
            for (uint32_t bit = top ? 1u << (31 - __builtin_clz(top)) : 0u; bit; bit >>= 1) {
                int count = 0;
                for (int c = 0; c < channels; c++) count += score[c] >= (t | bit);
                if (count >= k) t |= bit;
            }
            int ties = k, c = (int)(mct_rng_next(rng) % (uint32_t)channels);
            for (int i = 0; i < channels; i++) ties -= score[i] > t;
            for (int i = 0; i < channels; i++, c = c + 1 == channels ? 0 : c + 1) {
                if (score[c] > t) continue;
                if (score[c] == t && ties > 0) { ties--; continue; }
                for (int p = 0; p < positions; p++) err[p * channels + c] = 0;
            }
        }

        /* (y * 2^x) / max in Q15, the running maximum updated first so the ratio is at most 1.
         * Values are kept normalised (mantissa bit 31 set), so any two compare exactly. */
        int32_t mct_ratio_to_max_q15(uint32_t y, int x, mct_magnitude_t *max) {
            if (y == 0) return 0;
            int lz = __builtin_clz(y);
            uint32_t m = y << lz;
            int32_t e = x - lz;
            if (max->mantissa == 0 || e > max->exponent || (e == max->exponent && m >= max->mantissa)) {
                max->mantissa = m;
                max->exponent = e;
                return 32768;
            }
            int32_t d = max->exponent - e;
            if (d > 31) return 0;
            return (int32_t)((((m >> d) >> 16) << 15) / (max->mantissa >> 16));
        }

        /* TinyProp: k = (s_min + ratio (s_max - s_min)) zeta^c of n outputs, at least one. */
        int mct_tinyprop_k(int32_t ratio, int32_t s_min, int32_t s_range, int32_t zeta, int n) {
            uint32_t s = (uint32_t)(s_min + ((ratio * s_range) >> 15));
            uint32_t k = (((s * (uint32_t)zeta) >> 15) * (uint32_t)n) >> 15;
            return k < 1u ? 1 : (k > (uint32_t)n ? n : (int)k);
        }

        /* TinyPropv2: backpropagate only when D = (d_min + alpha / alpha_max (d_max - d_min)) beta
         * exceeds the threshold, alpha = sum |p - y| of this sample. */
        int32_t mct_tinypropv2_trains(const int8_t *err, int n, mct_magnitude_t *alpha_max,
                                      int32_t d_min, int32_t d_range, int32_t beta, int32_t threshold) {
            uint32_t alpha = 0;
            for (int j = 0; j < n; j++) alpha += (uint32_t)(err[j] < 0 ? -err[j] : err[j]);
            int32_t ratio = mct_ratio_to_max_q15(alpha, -7, alpha_max);
            int64_t d = (int64_t)(d_min + ((ratio * d_range) >> 15)) * beta >> 15;
            return d > threshold;
        }
        """)

    /// A positive value as mantissa · 2^exponent with the mantissa's top bit set; 0 = none yet.
    public struct Magnitude: Sendable, Equatable {
        var mantissa: UInt32 = 0
        var exponent: Int32 = 0
    }

    /// (`mct_error_scores_s8`)
    static func scores(_ error: [Int8], positions: Int, channels: Int) -> (scores: [UInt32], sum: UInt32) {
        var score = [UInt32](repeating: 0, count: channels)
        for p in 0..<positions { for c in 0..<channels { score[c] &+= UInt32(abs(Int32(error[p * channels + c]))) } }
        return (score, score.reduce(0, &+))
    }

    /// (`mct_keep_top_k_s8`)
    static func keepTopK(_ error: inout [Int8], positions: Int, channels: Int, k: Int, scores: [UInt32], rng: inout XorShift32) {
        guard k < channels else { return }
        let top = scores.max() ?? 0
        var t: UInt32 = 0
        var bit: UInt32 = top == 0 ? 0 : 1 << (31 - UInt32(top.leadingZeroBitCount))
        while bit != 0 {
            if scores.filter({ $0 >= t | bit }).count >= k { t |= bit }
            bit >>= 1
        }
        var ties = k - scores.filter { $0 > t }.count
        let start = Int(rng.next() % UInt32(channels))
        for c in Array(start..<channels) + Array(0..<start) {
            if scores[c] > t { continue }
            if scores[c] == t && ties > 0 { ties -= 1; continue }
            for p in 0..<positions { error[p * channels + c] = 0 }
        }
    }

    /// (`mct_ratio_to_max_q15`)
    static func ratioToMax(_ y: UInt32, exponent x: Int, max: inout Magnitude) -> Int32 {
        guard y != 0 else { return 0 }
        let lz = y.leadingZeroBitCount
        let m = y << UInt32(lz), e = Int32(x - lz)
        if max.mantissa == 0 || e > max.exponent || (e == max.exponent && m >= max.mantissa) {
            max = Magnitude(mantissa: m, exponent: e)
            return 32768
        }
        let d = max.exponent - e
        guard d <= 31 else { return 0 }
        return Int32((((m >> UInt32(d)) >> 16) << 15) / (max.mantissa >> 16))
    }

    /// (`mct_tinyprop_k`)
    static func tinypropK(ratio: Int32, sMin: Int32, sRange: Int32, zeta: Int32, n: Int) -> Int {
        let s = UInt32(sMin + ((ratio &* sRange) >> 15))
        let k = (((s &* UInt32(zeta)) >> 15) &* UInt32(n)) >> 15
        return k < 1 ? 1 : min(n, Int(k))
    }

    /// (`mct_tinypropv2_trains`)
    static func tinypropv2Trains(_ error: [Int8], alphaMax: inout Magnitude, dMin: Int32, dRange: Int32, beta: Int32, threshold: Int32) -> Bool {
        let alpha = error.reduce(UInt32(0)) { $0 &+ UInt32(abs(Int32($1))) }
        let ratio = ratioToMax(alpha, exponent: IntegerKernels.outputErrorExponent, max: &alphaMax)
        let d = (Int64(dMin + ((ratio &* dRange) >> 15)) * Int64(beta)) >> 15
        return d > Int64(threshold)
    }
}
