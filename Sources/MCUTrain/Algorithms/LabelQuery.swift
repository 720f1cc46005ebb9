import Foundation

/// Active learning on a stream (seed 000): the device scores each incoming sample's uncertainty
/// in fixed point and asks for its label only when the score beats a running threshold, which
/// tracks the (1 − r) quantile of the scores for r = labels left / samples left, so the budget
/// is spent evenly over the stream. It never asks for more labels than the budget.
public struct LabelQuery: Sendable, Equatable {
    /// REFERENCE §5's scores, each scaled so 1 (32768) is most uncertain.
    public enum Method: String, CaseIterable, Sendable { case leastConfidence = "least_confidence", margin, ratio, entropy }

    public let method: Method
    public let budget: Int
    public let streamLength: Int

    public init(method: Method, budget: Int, streamLength: Int) throws {
        guard streamLength <= 1 << 30 else { throw ConfigError("the stream of \(streamLength) samples is too long (at most 2^30)") }
        guard budget >= 1, budget <= min(streamLength, 65535) else {
            throw ConfigError("--label-budget \(budget) must be 1...\(min(streamLength, 65535)) (at most the samples in the stream)")
        }
        self.method = method; self.budget = budget; self.streamLength = streamLength
    }

    /// The threshold moves by 1/64 of the rate's distance to a request, or of the rate.
    static let thresholdShift = 6

    /// log2(1 + i/64) in Q15: the entropy's logarithm from a normalised mantissa.
    static let log2Table: [Int32] = (0..<64).map { Int32((log2(1 + Double($0) / 64) * 32768).rounded()) }
    static func log2Q15(_ n: Int) -> Int32 { Int32((log2(Double(n)) * 32768).rounded()) }

    // MARK: Swift twin

    /// (`mct_uncertainty_q15`)
    static func uncertainty(logits: [Int32], logitShift: Int, method: Method) -> Int32 {
        var p1: Int32 = 0, p2: Int32 = 0, h: UInt32 = 0
        for p in IntegerKernels.probabilities(logits: logits, logitShift: logitShift) {
            if p > p1 { p2 = p1; p1 = p } else if p > p2 { p2 = p }
            if p > 0 {
                let k = 31 - UInt32(p).leadingZeroBitCount
                let m = UInt32(p) << UInt32(15 - k)
                h &+= (UInt32(p) &* UInt32(Int32(15 - k) * 32768 - log2Table[Int((m - 32768) >> 9)])) >> 15
            }
        }
        let n = Int32(logits.count)
        switch method {
        case .leastConfidence: return (32768 - p1) * n / (n - 1)
        case .margin: return 32768 - (p1 - p2)
        case .ratio: return p2 * 32768 / p1
        case .entropy: return Int32(min(32768, (h << 13) / UInt32(log2Q15(logits.count) >> 2)))
        }
    }

    /// The running threshold, the labels and samples left (`mct_label_gate_t`).
    public struct Gate: Sendable, Equatable {
        var threshold: Int32 = 16384
        var labelsLeft: Int32
        var samplesLeft: Int32
    }

    var initialGate: Gate { Gate(labelsLeft: Int32(budget), samplesLeft: Int32(streamLength)) }

    /// (`mct_wants_label`)
    static func wantsLabel(_ score: Int32, gate g: inout Gate) -> Bool {
        let rate = g.samplesLeft > 0 ? Int32((UInt32(g.labelsLeft) << 15) / UInt32(g.samplesLeft)) : 0
        if g.samplesLeft > 0 { g.samplesLeft -= 1 }
        if score > g.threshold && g.labelsLeft > 0 {
            g.labelsLeft -= 1
            g.threshold += (32768 - rate) >> Int32(thresholdShift)
            return true
        }
        g.threshold -= rate >> Int32(thresholdShift)
        return false
    }

    // MARK: C

    static let kernelSource = KernelCode(declarations: """
        typedef struct { int32_t threshold, labels_left, samples_left; } mct_label_gate_t;

        int32_t mct_uncertainty_q15(const int32_t *logits, int n, int logit_shift, int method, int32_t log2_n);
        int32_t mct_wants_label(int32_t score, mct_label_gate_t *gate);
        """, definitions: """

        /* ---- active learning: uncertainty of a prediction, the label gate ---- */

        /* log2(1 + i/64) in Q15. */
        static const int32_t mct_log2_q15[64] = {
        \(stride(from: 0, to: 64, by: 16).map { "    " + log2Table[$0..<$0 + 16].map(String.init).joined(separator: ", ") }.joined(separator: ",\n"))
        };

        /* Uncertainty in Q15 (32768 = most uncertain) from the training softmax's probabilities:
         * 0 least confidence (1 - p1) n/(n - 1), 1 margin 1 - (p1 - p2), 2 ratio p2/p1,
         * 3 entropy -sum p log2 p / log2 n (log2_n in Q15). */
        int32_t mct_uncertainty_q15(const int32_t *logits, int n, int logit_shift, int method, int32_t log2_n) {
            int32_t top = logits[mct_argmax_s32(logits, n)];
            uint32_t sum = 0;
            for (int j = 0; j < n; j++) {
                int32_t t = mct_round_shift(top - logits[j], logit_shift);
                sum += t < 256 ? mct_exp_q15[t] : 0u;
            }
            uint32_t reciprocal = (1u << 30) / sum, h = 0;
            int32_t p1 = 0, p2 = 0;
            for (int j = 0; j < n; j++) {
                int32_t t = mct_round_shift(top - logits[j], logit_shift);
                int32_t p = (int32_t)(((t < 256 ? mct_exp_q15[t] : 0u) * reciprocal) >> 15);
                if (p > p1) { p2 = p1; p1 = p; } else if (p > p2) p2 = p;
                if (p > 0) {
                    int k = 31 - __builtin_clz((uint32_t)p);
                    uint32_t m = (uint32_t)p << (15 - k);
                    h += ((uint32_t)p * (uint32_t)((15 - k) * 32768 - mct_log2_q15[(m - 32768u) >> 9])) >> 15;
                }
            }
            switch (method) {
            case 0: return (32768 - p1) * n / (n - 1);
            case 1: return 32768 - (p1 - p2);
            case 2: return p2 * 32768 / p1;
            default: {
                uint32_t e = (h << 13) / (uint32_t)(log2_n >> 2);  /* the table's floor can overshoot log2 n a little */
                return e > 32768u ? 32768 : (int32_t)e;
            }
            }
        }

        /* Ask for a label when the score beats the threshold and the budget lasts. With rate =
         * labels left / samples left (Q15), the threshold rises by (1 - rate)/64 on a request and
         * falls by rate/64 otherwise, so requests settle at that rate. */
        int32_t mct_wants_label(int32_t score, mct_label_gate_t *gate) {
            int32_t rate = gate->samples_left > 0 ? (int32_t)(((uint32_t)gate->labels_left << 15) / (uint32_t)gate->samples_left) : 0;
            if (gate->samples_left > 0) gate->samples_left--;
            if (score > gate->threshold && gate->labels_left > 0) {
                gate->labels_left--;
                gate->threshold += (32768 - rate) >> \(thresholdShift);
                return 1;
            }
            gate->threshold -= rate >> \(thresholdShift);
            return 0;
        }
        """)

    /// `mct_query` (forward, score, gate) and `mct_train_queried` (backward of that forward).
    func cFunctions(logitShift: Int, classes: Int) -> String {
        let method = Method.allCases.firstIndex(of: self.method)!
        return """
        /* Active learning (\(self.method.rawValue), budget \(budget) labels of a \(streamLength)-sample stream). */
        mct_label_gate_t mct_gate = {16384, \(budget), \(streamLength)};
        int32_t mct_uncertainty;

        int32_t mct_query(void) {
            mct_forward();
            mct_uncertainty = mct_uncertainty_q15(mct_logits, MCT_CLASSES, \(logitShift), \(method), \(Self.log2Q15(classes)));
            return mct_wants_label(mct_uncertainty, &mct_gate);
        }

        int32_t mct_train_queried(int32_t label) {
            return mct_backward(label);
        }

        """
    }
}
