/// The Swift twins of the generated C kernels (`mct_*` in CodeGen/KernelSource.swift).
/// Each function performs exactly the same integer operations in the same order, including
/// every random draw, so device and host agree bit for bit. Change one, change both.
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
        let s = min(30, max(-8, shift))
        if s <= 0 { return x &* (1 << -s) }
        let noise = Int32(bitPattern: rng.next() & ((1 << UInt32(s)) - 1))
        return (x &+ noise) >> s
    }

    @inline(__always)
    static func saturate8(_ x: Int32, _ lo: Int32 = -127, _ hi: Int32 = 127) -> Int8 {
        Int8(min(hi, max(lo, x)))
    }

    /// acc[j] = bias[j] + Σ_i w[j·nIn + i] · input[i]. (`mct_dense_forward_s8`)
    public static func denseForward(input: [Int8], weights: [Int8], bias: [Int32], outputs: Int) -> [Int32] {
        let nIn = input.count
        return (0..<outputs).map { j in
            var acc = bias[j]
            for i in 0..<nIn { acc &+= Int32(weights[j * nIn + i]) * Int32(input[i]) }
            return acc
        }
    }

    /// ReLU and requantisation to int8. (`mct_relu_requantize_s8`)
    public static func reluRequantize(_ acc: [Int32], shift: Int) -> [Int8] {
        acc.map { saturate8(roundShift($0, shift), 0, 127) }
    }

    /// First index of the largest value. (`mct_argmax_s32`)
    public static func argmax(_ x: [Int32]) -> Int {
        var best = 0
        for i in 1..<x.count where x[i] > x[best] { best = i }
        return best
    }

    public struct SoftmaxResult: Equatable { public var error: [Int8]; public var pTrue: Int32; public var prediction: Int }

    /// Softmax from a Q4 exp table, then the int8 output error (p − y) >> 8. (`mct_softmax_xent_backward_s32`)
    public static func softmaxCrossEntropyBackward(logits: [Int32], label: Int, logitShift: Int) -> SoftmaxResult {
        let prediction = argmax(logits)
        let top = logits[prediction]
        let table = FixedPointPlan.expTable
        let e: [UInt32] = logits.map { z in
            let t = roundShift(top &- z, logitShift)
            return t < 256 ? UInt32(table[Int(t)]) : 0
        }
        let sum = e.reduce(0, &+)
        let reciprocal = (UInt32(1) << 30) / sum
        var error = [Int8](repeating: 0, count: logits.count)
        var pTrue: Int32 = 0
        for j in 0..<logits.count {
            let p = Int32((e[j] &* reciprocal) >> 15)
            if j == label { pTrue = p }
            let d = p - (j == label ? 32768 : 0)
            error[j] = saturate8(roundShift(d, FixedPointPlan.outputErrorShift), -128, 127)
        }
        return SoftmaxResult(error: error, pTrue: pTrue, prediction: prediction)
    }

    /// Input error of a dense layer through ReLU, rescaled per sample into int8.
    /// Returns the error and the right shift applied. (`mct_dense_backward_s8`)
    public static func denseBackward(outputError: [Int8], weights: [Int8], activation: [Int8]) -> (error: [Int8], shift: Int) {
        let nIn = activation.count
        var g = [Int32](repeating: 0, count: nIn)
        var largest: UInt32 = 0
        for i in 0..<nIn where activation[i] > 0 {
            var acc: Int32 = 0
            for j in 0..<outputError.count { acc &+= Int32(weights[j * nIn + i]) * Int32(outputError[j]) }
            g[i] = acc
            largest = max(largest, acc.magnitude)
        }
        let bits = largest == 0 ? 0 : 32 - largest.leadingZeroBitCount
        let shift = max(0, bits - 7)
        return (g.map { saturate8(roundShift($0, shift)) }, shift)
    }

    /// SGD step in place: w −= sr(e_j · a_i, weightShift), b −= sr(e_j, biasShift);
    /// rows in output order, weights before the bias. (`mct_dense_update_s8`)
    public static func denseUpdate(weights: inout [Int8], bias: inout [Int32], input: [Int8], error: [Int8],
                                   weightShift: Int, biasShift: Int, rng: inout XorShift32) {
        let nIn = input.count
        for j in 0..<error.count {
            let e = Int32(error[j])
            if e == 0 { continue }
            for i in 0..<nIn {
                let step = stochasticShift(e * Int32(input[i]), weightShift, &rng)
                weights[j * nIn + i] = saturate8(Int32(weights[j * nIn + i]) - step)
            }
            bias[j] &-= stochasticShift(e, biasShift, &rng)
        }
    }

    /// Uniform weights in [-range, range] by multiply-high, no division; zero bias. (`mct_dense_init_s8`)
    public static func denseInit(count: Int, range: Int, rng: inout XorShift32) -> [Int8] {
        let span = UInt32(2 * range + 1)
        return (0..<count).map { _ in Int8(Int32(((rng.next() >> 16) &* span) >> 16) - Int32(range)) }
    }
}
