import CCapstone

/// The SDIV/UDIV timing of the Cortex-M3/M4 divider, which the TRM gives only as "2 to 12
/// cycles", ending early "depending on the number of leading zeros and ones" of the operands.
///
/// Arm publishes no formula, so this is an inference, kept in one place to be replaced once
/// a board measurement disagrees. Let q = clz(|divisor|) − clz(|dividend|) + 1, the number
/// of quotient bits left after skipping the leading zeros both operands share (q ≤ 0 when
/// |dividend| < |divisor|). The divide takes
///
///     2                   if divisor == 0 or q ≤ 3
///     1 + ⌈q / 3⌉         otherwise
///
/// i.e. one cycle of set-up plus one per three quotient bits. It is monotone in q, and the
/// 32 possible values of q land exactly on the TRM's range: 2 for quotients of up to three
/// bits, 12 for a full 32-bit quotient (0xFFFFFFFF / 1). The Cortex-R4 TRM, which does
/// publish a formula for its divider, also counts cycles by clz(divisor) − clz(dividend) + 1
/// (two bits per cycle there). Signed divides use magnitudes (|INT32_MIN| = 2^31); whether
/// the M4 spends an extra cycle fixing the sign is not known, so none is charged.
enum EarlyTerminationDivider {
    static let minimumCycles: UInt32 = 2

    static func cycles(dividend: UInt32, divisor: UInt32, isSigned: Bool) -> UInt32 {
        let n = isSigned ? Int32(bitPattern: dividend).magnitude : dividend
        let d = isSigned ? Int32(bitPattern: divisor).magnitude : divisor
        guard d != 0 else { return minimumCycles }
        let quotientBits = d.leadingZeroBitCount - n.leadingZeroBitCount + 1
        guard quotientBits > 3 else { return minimumCycles }
        return 1 + UInt32((quotientBits + 2) / 3)
    }
}

extension DivideSite {
    /// The site of an SDIV/UDIV, or nil for any other instruction.
    init?(_ instruction: mcc_insn) throws {
        guard instruction.id == ARM_INS_SDIV || instruction.id == ARM_INS_UDIV else { return nil }
        guard let dividend = coreRegisterNumber(instruction.rn), let divisor = coreRegisterNumber(instruction.rm) else {
            throw CycleModelError.undecodable(address: instruction.address)
        }
        self.init(address: instruction.address, dividendRegister: dividend, divisorRegister: divisor,
                  isSigned: instruction.id == ARM_INS_SDIV)
    }
}
