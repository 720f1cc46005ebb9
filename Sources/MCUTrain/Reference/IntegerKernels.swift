import Foundation

/// The Swift twins of the shared C kernels (CodeGen/KernelSource.swift); each layer kind's
/// twins are beside its C in Layers/. Each function performs exactly the same integer
/// operations in the same order, including every random draw. Change one, change both.
public enum IntegerKernels {
    /// Rescale by 2^-shift, rounding half up; a negative shift scales up. (`mct_round_shift`)
    @inline(__always)
    public static func roundShift(_ x: Int32, _ shift: Int) -> Int32 {
        if shift > 0 { return (x &+ (1 << (shift - 1))) >> shift }
        return x &* (1 << -shift)
    }

    /// Stochastic rounding of x · 2^-shift: unbiased, so updates far below one LSB still
    /// move the weights on average. Shifts are clamped to [-8, 30]. (`mct_stochastic_shift`)
    @inline(__always)
    public static func stochasticShift(_ x: Int32, _ shift: Int, _ rng: inout XorShift32) -> Int32 {
        shift <= 0 ? stochasticShift(x, shift, noise: 0) : stochasticShift(x, shift, noise: rng.next())
    }

    /// The same with the draw given: its low bits are the noise (none below a shift of 1).
    @inline(__always)
    public static func stochasticShift(_ x: Int32, _ shift: Int, noise r: UInt32) -> Int32 {
        let s = min(30, max(-8, shift))
        if s <= 0 { return x &* (1 << -s) }
        return (x &+ Int32(bitPattern: r & ((1 << UInt32(s)) - 1))) >> s
    }

    /// The dense update's per-row scale e · 2^(16 − s) for 1 ≤ s ≤ 30; above 16, e is first
    /// rounded stochastically by s − 16 (one draw). (`mct_dense_step_scale`)
    public static func stepScale(_ e: Int32, _ s: Int, _ rng: inout XorShift32) -> Int32 {
        stepScale(e, s, noise: s > 16 ? rng.next() : 0)
    }

    /// The same with the pre-rounding's draw given (used above 16 only).
    public static func stepScale(_ e: Int32, _ s: Int, noise r: UInt32) -> Int32 {
        s > 16 ? stochasticShift(e, s - 16, noise: r) : e * (1 << (16 - s))
    }

    /// Weight k of four sharing draw r takes bits 8k...8k+15 of r, rotated. (`mct_step_noise`)
    @inline(__always)
    public static func stepNoise(_ r: UInt32, lane k: Int) -> UInt32 {
        (r >> UInt32(8 * k) | r << UInt32((32 - 8 * k) & 31)) & 0xFFFF
    }

    /// One weight's step (scale · a + u) >> 16 with u < 2^16 random: e · a · 2^-s rounded up
    /// with probability equal to its fraction, so its mean over every u is exact.
    @inline(__always)
    public static func weightStep(_ scale: Int32, _ a: Int8, noise u: UInt32) -> Int32 {
        (scale &* Int32(a) &+ Int32(u)) >> 16
    }

    @inline(__always)
    static func saturate8(_ x: Int32, _ lo: Int32 = -127, _ hi: Int32 = 127) -> Int8 {
        Int8(min(hi, max(lo, x)))
    }

    /// int32 errors into int8 with the smallest shift that fits. (`mct_requantize_error_s8`)
    public static func requantizeError(_ acc: [Int32]) -> (error: [Int8], shift: Int) {
        let largest = acc.reduce(UInt32(0)) { max($0, $1.magnitude) }
        let bits = largest == 0 ? 0 : 32 - largest.leadingZeroBitCount
        let shift = max(0, bits - 7)
        return (acc.map { saturate8(roundShift($0, shift)) }, shift)
    }

    /// Zero the error where the activation clamped. (`mct_activation_backward_s8`)
    public static func activationBackward(_ error: [Int8], output y: [Int8], lo: Int32, hi: Int32) -> [Int8] {
        zip(error, y).map { e, v in Int32(v) <= lo || Int32(v) >= hi ? 0 : e }
    }

    /// Sum of two errors of one tensor with their exponents. (`mct_error_merge_s8`)
    public static func mergeError(_ a: [Int8], _ xa: Int, _ b: [Int8], _ xb: Int) -> (error: [Int8], exponent: Int) {
        let x = max(xa, xb)
        let sums = zip(a, b).map { roundShift(Int32($0), x - xa) + roundShift(Int32($1), x - xb) }
        let extra = sums.contains { $0 > 127 || $0 < -127 } ? 1 : 0
        return (sums.map { saturate8(roundShift($0, extra)) }, x + extra)
    }

    /// First index of the largest value. (`mct_argmax_s32`)
    public static func argmax(_ x: [Int32]) -> Int {
        var best = 0
        for i in 1..<x.count where x[i] > x[best] { best = i }
        return best
    }

    /// Softmax table: e^(−k/16) in Q15 for k = 0..255; beyond that the term is below 1/32768·e^-16 and is 0.
    public static let expTable: [UInt16] = (0..<256).map { UInt16((32768.0 * exp(-Double($0) / 16.0)).rounded()) }
    /// p − y is formed in Q15 and shifted by 8 into int8, so the output error exponent is −7.
    public static let outputErrorExponent = -7

    public struct SoftmaxResult: Equatable { public var error: [Int8]; public var pTrue: Int32; public var prediction: Int }

    /// Softmax from a Q4 exp table, then the int8 output error (p − y) >> 8. (`mct_softmax_xent_backward_s32`)
    public static func softmaxCrossEntropyBackward(logits: [Int32], label: Int, logitShift: Int) -> SoftmaxResult {
        let p = probabilities(logits: logits, logitShift: logitShift)
        let error = p.indices.map { j in saturate8(roundShift(p[j] - (j == label ? 32768 : 0), 8), -128, 127) }
        return SoftmaxResult(error: error, pTrue: p[label], prediction: argmax(logits))
    }

    /// The softmax's probabilities in Q15, as both the loss and the uncertainty scores form them.
    static func probabilities(logits: [Int32], logitShift: Int) -> [Int32] {
        let top = logits[argmax(logits)]
        let e: [UInt32] = logits.map { z in
            let t = roundShift(top &- z, logitShift)
            return t < 256 ? UInt32(expTable[Int(t)]) : 0
        }
        let reciprocal = (UInt32(1) << 30) / e.reduce(0, &+)
        return e.map { Int32(($0 &* reciprocal) >> 15) }
    }
}
