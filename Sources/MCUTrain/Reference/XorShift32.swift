/// The device's random source, for weight init and stochastic rounding. xorshift32 costs a
/// few cycles per draw on a Cortex-M and is trivially mirrored bit for bit on the host.
public struct XorShift32: Sendable, Equatable {
    public private(set) var state: UInt32

    /// Same mixing as `mct_rng_seed` in the generated C.
    public init(seed: UInt32) {
        let s = seed &* 2_654_435_761 &+ 0x6A09_E667
        state = s == 0 ? 1 : s
    }

    /// Resumes from a state the firmware reports (non-zero).
    public init(state: UInt32) {
        self.state = state
    }

    public mutating func next() -> UInt32 {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return state
    }
}
