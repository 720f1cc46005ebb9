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
    /// SDIV/UDIV in the block. The counts above charge each at the core's
    /// `minimumDivideCycles`; only the operand values at run time tell how much longer it took.
    public var divides: [DivideSite]
    /// Loads and stores in the block that must be word aligned; not part of the timing, but
    /// found in the same decode so the emulator can check them.
    public var wordAccesses: [WordAccessSite]
    /// How a core with branch prediction guesses where the block's last instruction goes;
    /// `.none` on cores that do not predict (their refill is in `jumpCycles`).
    public var prediction: BranchPrediction
    /// Added when the guess is wrong, on top of `fallCycles` or `jumpCycles`.
    public var mispredictCycles: UInt32

    public init(instructions: UInt32, cycles: UInt32, fallCycles: UInt32, jumpCycles: UInt32,
                divides: [DivideSite] = [], wordAccesses: [WordAccessSite] = [],
                prediction: BranchPrediction = .none, mispredictCycles: UInt32 = 0) {
        self.instructions = instructions
        self.cycles = cycles
        self.fallCycles = fallCycles
        self.jumpCycles = jumpCycles
        self.divides = divides
        self.wordAccesses = wordAccesses
        self.prediction = prediction
        self.mispredictCycles = mispredictCycles
    }
}

/// What the emulator's meter keeps per block to guess the outcome of its last instruction,
/// since only the run tells whether a guess was right.
public enum BranchPrediction: UInt8, Equatable, Sendable {
    case none = 0
    /// A conditional branch: a 2-bit saturating counter per branch, taken when it reads 2 or 3.
    case direction = 1
    /// A branch to an address from a register or memory (BX, POP {PC}, LDR PC, TBB): the
    /// target it went to last time.
    case target = 2
}

/// A divide whose time depends on its operands, so the emulator must look at them when the
/// instruction runs.
public struct DivideSite: Equatable, Sendable {
    public let address: UInt32
    /// 0...14 for r0...r14.
    public let dividendRegister: Int
    /// 0...14 for r0...r14.
    public let divisorRegister: Int
    public let isSigned: Bool

    public init(address: UInt32, dividendRegister: Int, divisorRegister: Int, isSigned: Bool) {
        self.address = address
        self.dividendRegister = dividendRegister
        self.divisorRegister = divisorRegister
        self.isSigned = isSigned
    }
}

/// A core's instruction timing, asked once per newly translated block so that executing
/// the block again costs the emulator nothing but an addition (plus a look at the operands
/// of each listed divide).
public protocol CoreTimingModel {
    func time(block code: [UInt8], at address: UInt32) throws -> BlockTiming
    /// What a block already charges for each of its `divides`.
    var minimumDivideCycles: UInt32 { get }
    /// A divide's full time for these operand values (raw register contents).
    func divideCycles(dividend: UInt32, divisor: UInt32, isSigned: Bool) -> UInt32
    /// Whether blocks may carry a `prediction`, whose cost depends on earlier runs.
    var predictsBranches: Bool { get }
}

extension CoreTimingModel {
    public var predictsBranches: Bool { false }
}

public enum CycleModelError: Error, Equatable {
    /// Capstone could not be opened for ARM Thumb M-class.
    case decoderUnavailable
    /// Capstone cannot decode the instruction at this address; timing the rest of the
    /// block would undercount it, so the block is refused instead.
    case undecodable(address: UInt32)
    /// The instruction decodes, but the core does not implement it (SDIV, IT or any other
    /// ARMv7-M instruction on an ARMv6-M core): real silicon would fault there.
    case unsupported(address: UInt32)
    /// A block needs at least one instruction.
    case emptyBlock(address: UInt32)
}
