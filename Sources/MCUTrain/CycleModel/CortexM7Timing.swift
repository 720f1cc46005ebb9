import CCapstone

/// An approximate Cortex-M7 timing. Arm publishes no instruction timing table for the M7,
/// and a 6-stage dual-issue pipeline with branch prediction and caches has no exact
/// per-instruction price anyway; this model charges what a block costs when everything
/// goes well except dual issue, at zero wait states (TCM, or a cache that always hits).
///
/// - Every instruction issues alone: most ALU and multiply ops cost 1, although the M7 can
///   pair two of them. ALU-heavy code is overcharged by up to 2×.
/// - A single load or store, including LDRD/STRD and VLDR/VSTR over the 64-bit data path,
///   costs 1: pipelined, with load-use stalls ignored (undercharged).
/// - A register list of N words (LDM/STM/PUSH/POP/VLDM/VSTM/VPUSH/VPOP) costs 1 + ⌈N/2⌉,
///   two words per beat.
/// - Every branch is predicted right: taken or not it costs its issue cycle (plus its loads
///   for POP/LDR into PC); a mispredict, several cycles on real silicon, is never charged.
/// - SDIV/UDIV, barriers, TBB/TBH and the FPU take the M4's prices
///   (`CortexM4InstructionClass`); the divide uses the M4's inferred early-termination rule.
/// - ISB flushes the pipeline: `pipelineFlush`.
///
/// Not thread-safe: it owns a Capstone handle. Give each emulator its own instance.
public final class CortexM7Timing: CoreTimingModel {
    /// Cycles an ISB spends refilling the 6-stage pipeline, taken as the low end of the
    /// 6..8-cycle mispredict cost commonly quoted for the M7 (inferred, not from Arm).
    public static let pipelineFlush: UInt32 = 6

    public let minimumDivideCycles = EarlyTerminationDivider.minimumCycles

    private let decoder: ThumbDecoder

    public init() throws {
        decoder = try ThumbDecoder()
    }

    /// The M4's rule (`EarlyTerminationDivider`): the M7 divider is documented no better.
    public func divideCycles(dividend: UInt32, divisor: UInt32, isSigned: Bool) -> UInt32 {
        EarlyTerminationDivider.cycles(dividend: dividend, divisor: divisor, isSigned: isSigned)
    }

    public func time(block code: [UInt8], at address: UInt32) throws -> BlockTiming {
        try BlockPricing.price(try decoder.decode(code, at: address), at: address,
                               cost: { instruction, _ in Self.cost(of: instruction) },
                               taken: { _, cost in cost })
    }

    private static func cost(of instruction: mcc_insn) -> UInt32 {
        switch CortexM4InstructionClass(instruction.id) {
        case .fixed(let cycles):
            return cycles
        case .singleLoadStore:
            return 1
        case .multiple:
            return isRegisterList(instruction.id) ? 1 + (instruction.words + 1) / 2 : 1
        case .instructionBarrier:
            return 1 + pipelineFlush
        }
    }

    private static func isRegisterList(_ id: arm_insn) -> Bool {
        switch id {
        case ARM_INS_LDM, ARM_INS_LDMDB, ARM_INS_STM, ARM_INS_STMDB, ARM_INS_PUSH, ARM_INS_POP,
             ARM_INS_VLDMIA, ARM_INS_VLDMDB, ARM_INS_VSTMIA, ARM_INS_VSTMDB, ARM_INS_VPUSH, ARM_INS_VPOP:
            return true
        default:
            return false
        }
    }
}
