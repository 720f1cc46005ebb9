import CCapstone

/// Cortex-M4 timing from the Arm Cortex-M4 TRM (table 3-1 and the FPU table), assuming
/// zero wait-state memory: flash wait states belong to the board, not the core.
///
/// Each block is decoded and priced once, when the emulator first translates it.
/// Approximations that a per-block price forces, each kept in one place to be refined:
/// - SDIV/UDIV: charged at `minimumDivideCycles` in the block; `divideCycles` prices the
///   operands at run time.
/// - Branch refill: `pipelineRefill(target:targetHalfword:)`.
/// - DMB/DSB: `dataBarrierWait`.
/// - A non-branch instruction inside an IT block is charged as if it executes. A skipped
///   one costs 1, so this overcharges a skipped load/store or divide; ALU ops cost 1 either way.
/// - LDR/STR pipelining: `pipelines(_:after:)`.
///
/// Not thread-safe: it owns a Capstone handle. Give each emulator its own instance.
public final class CortexM4Timing: CoreTimingModel {
    /// DMB/DSB cost 1 + B, where B waits for earlier memory accesses to finish: 0 at best,
    /// more while a buffered store drains. Charged as B = 1, the one store the M4's write
    /// buffer can hold.
    public static let dataBarrierWait: UInt32 = 1

    public let minimumDivideCycles = EarlyTerminationDivider.minimumCycles

    private let decoder: ThumbDecoder
    private let fetchHalfword: ((UInt32) -> UInt16?)?

    /// - Parameter fetchHalfword: reads a halfword of code memory, so a branch to a
    ///   halfword-aligned target outside the block can learn whether that target is a
    ///   16-bit instruction (cheaper refill). Without it such targets count as 32-bit.
    public init(fetchHalfword: ((UInt32) -> UInt16?)? = nil) throws {
        decoder = try ThumbDecoder()
        self.fetchHalfword = fetchHalfword
    }

    /// 2..12 cycles by the rule in `EarlyTerminationDivider` (an inference: Arm gives no formula).
    public func divideCycles(dividend: UInt32, divisor: UInt32, isSigned: Bool) -> UInt32 {
        EarlyTerminationDivider.cycles(dividend: dividend, divisor: divisor, isSigned: isSigned)
    }

    public func time(block code: [UInt8], at address: UInt32) throws -> BlockTiming {
        let halfword = { (at: UInt32) -> UInt16? in
            let offset = Int(at &- address)
            guard at >= address, offset + 1 < code.count else { return self.fetchHalfword?(at) }
            return UInt16(code[offset]) | UInt16(code[offset + 1]) << 8
        }
        return try BlockPricing.price(try decoder.decode(code, at: address), at: address,
                                      cost: { self.cost(of: $0, after: $1, halfwordAt: halfword) },
                                      taken: { branch, cost in
            // The TRM singles out LDR PC: two cycles of load, then a three-cycle reload.
            if CortexM4InstructionClass(branch.id) == .singleLoadStore { return cost + 3 }
            let target: UInt32? = branch.has_target ? branch.target : nil
            return cost + Self.pipelineRefill(target: target, targetHalfword: target.flatMap(halfword))
        })
    }

    /// An instruction's cycles before any refill a write to PC adds.
    private func cost(of instruction: mcc_insn, after previous: mcc_insn?,
                      halfwordAt: (UInt32) -> UInt16?) -> UInt32 {
        switch CortexM4InstructionClass(instruction.id) {
        case .fixed(let cycles):
            return cycles
        case .singleLoadStore:
            return Self.buffersStore(instruction) || Self.pipelines(instruction, after: previous) ? 1 : 2
        case .multiple:
            return 1 + instruction.words
        case .instructionBarrier:
            let next = instruction.address &+ instruction.size
            return 1 + Self.pipelineRefill(target: next, targetHalfword: halfwordAt(next))
        }
    }

    /// The TRM (section 3.3.2) makes STR with an immediate offset always 1 cycle: its
    /// address goes out at once and the write buffer takes the data while the next
    /// instruction runs. STREX reports a status, so it is not one of these.
    static func buffersStore(_ instruction: mcc_insn) -> Bool {
        isStore(instruction.id) && instruction.index == ARM_REG_INVALID
    }

    /// A single load (or LDREX/STREX, which the TRM says pipeline like LDR) followed by a
    /// single load or store overlaps the second one's address phase with its own data
    /// phase, saving the second a cycle, unless the second's address needs the register
    /// the first is still loading. Nothing pipelines behind a plain store, and a load into
    /// PC is a branch.
    ///
    /// The TRM adds finer points this does not model: a load with base update normally
    /// does not pipeline, and LDR [PC, #imm] may lose a cycle to instruction fetch.
    static func pipelines(_ instruction: mcc_insn, after previous: mcc_insn?) -> Bool {
        guard let previous, !previous.writes_pc, !instruction.writes_pc,
              CortexM4InstructionClass(previous.id) == .singleLoadStore, !isStore(previous.id) else { return false }
        return instruction.base != previous.dest && instruction.index != previous.dest
    }

    private static func isStore(_ id: arm_insn) -> Bool {
        [ARM_INS_STR, ARM_INS_STRB, ARM_INS_STRH, ARM_INS_STRT, ARM_INS_STRBT, ARM_INS_STRHT].contains(id)
    }

    /// P, the cycles to refill the pipeline at a new address (the TRM gives 1..3).
    ///
    /// The M4 fetches 32-bit words. A word-aligned target, or a halfword-aligned 16-bit
    /// instruction, arrives with one fetch: P = 1. A halfword-aligned 32-bit instruction
    /// straddles two words: P = 2. An unknown target (register, memory, table) or an
    /// unknown instruction width is charged P = 2. P = 3, when the core cannot speculate
    /// the branch address early, is charged only for LDR into PC, where the TRM states it.
    static func pipelineRefill(target: UInt32?, targetHalfword: UInt16?) -> UInt32 {
        guard let target else { return 2 }
        if target & 2 == 0 { return 1 }
        guard let first = targetHalfword else { return 2 }
        // 32-bit Thumb encodings start with 0b11101, 0b11110 or 0b11111.
        return first >> 11 >= 0b11101 ? 2 : 1
    }
}
