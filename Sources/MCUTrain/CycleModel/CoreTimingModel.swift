/// Cycle cost of one translated block, split so the per-block meter can settle the last
/// instruction's branch outcome only once it sees where execution went next.
public struct BlockTiming: Equatable, Sendable {
    /// Instructions in the block.
    public var instructions: UInt32
    /// Every cycle of the block except those of its last instruction, whose cost depends
    /// on where execution continues.
    public var cycles: UInt32
    /// Added if execution continues at address + size (branch not taken, or no branch).
    public var fallCycles: UInt32
    /// Added if the next block starts elsewhere (branch taken).
    public var jumpCycles: UInt32

    public init(instructions: UInt32, cycles: UInt32, fallCycles: UInt32, jumpCycles: UInt32) {
        self.instructions = instructions
        self.cycles = cycles
        self.fallCycles = fallCycles
        self.jumpCycles = jumpCycles
    }
}

/// A core's instruction timing, asked once per newly translated block so that executing
/// the block again costs the emulator nothing but an addition.
public protocol CoreTimingModel {
    func time(block code: [UInt8], at address: UInt32) throws -> BlockTiming
}

public enum CycleModelError: Error, Equatable {
    /// Capstone could not be opened for ARM Thumb M-class.
    case decoderUnavailable
    /// Capstone cannot decode the instruction at this address; timing the rest of the
    /// block would undercount it, so the block is refused instead.
    case undecodable(address: UInt32)
    /// A block needs at least one instruction.
    case emptyBlock(address: UInt32)
}
