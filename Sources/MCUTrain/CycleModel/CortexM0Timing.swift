import CCapstone

/// Cortex-M0 and Cortex-M0+ timing from their TRMs' instruction tables (Arm DDI 0432 for
/// the M0, DDI 0484 for the M0+), at zero wait states.
///
/// The two tables differ only in what a taken branch spends fetching from its target, so
/// one model with a refill R covers both: R = 2 on the M0's 3-stage pipeline, 1 on the
/// M0+'s 2-stage one. Then B, BX, BLX and MOV/ADD PC cost 1 + R (3 and 2), BL 2 + R (4 and
/// 3), POP {…, PC} 1 + N + R with PC among the N registers (the TRMs' 4 + N and 3 + N count
/// only the low registers), and the barriers and MRS/MSR 2 + R (4 and 3). A conditional
/// branch not taken is 1 on both. docs/cycle-model.md has the whole table.
///
/// ARMv6-M has no divide, no IT, no CBZ/CBNZ and only six 32-bit instructions (BL, DMB, DSB,
/// ISB, MRS, MSR). Capstone's M-class mode decodes all of ARMv7-M, so anything else is
/// refused with `CycleModelError.unsupported`, as the core would fault on it.
///
/// Not thread-safe: it owns a Capstone handle. Give each emulator its own instance.
public final class CortexM0Timing: CoreTimingModel {
    /// The M0+ (true) or the M0 (false).
    public let plus: Bool
    /// Whether the chip has the single-cycle multiplier (most do) or the 32-cycle one.
    public let fastMultiplier: Bool
    /// ARMv6-M has no divide: blocks never list `divides`, so these are never asked.
    public let minimumDivideCycles: UInt32 = 0

    private let decoder: ThumbDecoder
    private var refill: UInt32 { plus ? 1 : 2 }

    public init(plus: Bool, fastMultiplier: Bool = true) throws {
        self.plus = plus
        self.fastMultiplier = fastMultiplier
        decoder = try ThumbDecoder()
    }

    public func divideCycles(dividend: UInt32, divisor: UInt32, isSigned: Bool) -> UInt32 {
        minimumDivideCycles
    }

    public func time(block code: [UInt8], at address: UInt32) throws -> BlockTiming {
        let instructions = try decoder.decode(code, at: address)
        if let foreign = instructions.first(where: { !Self.inARMv6M($0) }) {
            throw CycleModelError.unsupported(address: foreign.address)
        }
        return try BlockPricing.price(instructions, at: address, cost: { instruction, _ in self.cost(of: instruction) },
                                      taken: { _, cost in cost + self.refill })
    }

    private func cost(of instruction: mcc_insn) -> UInt32 {
        switch instruction.id {
        case ARM_INS_LDR, ARM_INS_LDRB, ARM_INS_LDRH, ARM_INS_LDRSB, ARM_INS_LDRSH,
             ARM_INS_STR, ARM_INS_STRB, ARM_INS_STRH:
            return 2
        case ARM_INS_LDM, ARM_INS_STM, ARM_INS_PUSH, ARM_INS_POP:
            return 1 + instruction.words
        case ARM_INS_MUL:
            return fastMultiplier ? 1 : 32
        case ARM_INS_BL:
            return 2
        case ARM_INS_DMB, ARM_INS_DSB, ARM_INS_ISB, ARM_INS_MRS, ARM_INS_MSR:
            return 2 + refill
        default:
            return 1
        }
    }

    private static func inARMv6M(_ instruction: mcc_insn) -> Bool {
        switch instruction.id {
        case ARM_INS_CBZ, ARM_INS_CBNZ, ARM_INS_IT:
            return false
        case ARM_INS_BL, ARM_INS_DMB, ARM_INS_DSB, ARM_INS_ISB, ARM_INS_MRS, ARM_INS_MSR:
            return true
        default:
            return instruction.size == 2
        }
    }
}
