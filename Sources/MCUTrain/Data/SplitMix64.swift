/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose output depends only on
/// the seed, so splits, shuffles and weight initialisation are reproducible on every platform and
/// Swift version. The standard library's generator is neither seedable nor stable across releases.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one of many streams sharing a seed (say, one per epoch). The stream number
    /// is scrambled first so that neighbouring streams do not produce shifted copies of each other.
    public init(seed: UInt64, stream: UInt64) {
        state = seed ^ SplitMix64.scramble(stream &+ SplitMix64.golden)
    }

    public mutating func next() -> UInt64 {
        state &+= SplitMix64.golden
        return SplitMix64.scramble(state)
    }

    /// A uniform value in `0..<bound`. Implemented here (Lemire's multiply-and-reject) rather than
    /// via `Int.random(in:using:)`, whose algorithm the standard library may change between releases.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.next(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Fisher–Yates, spelled out for the same stability reason as `next(below:)`.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(i, next(below: i + 1))
        }
    }

    private static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    private static func scramble(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
