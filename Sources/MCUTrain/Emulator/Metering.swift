/// How a machine counts cycles and instructions. Both meters give the same figures where
/// both apply; they differ in what they cost and in what they can model.
public enum Metering: Sendable, Equatable {
    /// No meter at all: raw Unicorn speed, for the benchmark. Cycles, instructions, faults'
    /// PCs and cycle limits are then not available.
    case off
    /// A hook at every block start, which settles the previous block's outcome there. A call
    /// out of the translated code per block, but the order of blocks is seen, which flash wait
    /// states behind a fetch cache and the Cortex-M7's branch predictor need.
    case blockHook
    /// Counters updated by the translated code itself (Unicorn patched by
    /// scripts/unicorn/build.sh), summed when read: no call per block, but every run of a
    /// block must cost the same given its outcome.
    case inlineCounters

    /// The cheapest exact meter: the inline counters unless the board's flash has wait states
    /// or the core predicts branches.
    public static func exact(for board: Board, timing: CoreTimingModel) -> Metering {
        board.flashAccess.waitStates == 0 && !timing.predictsBranches ? .inlineCounters : .blockHook
    }
}
