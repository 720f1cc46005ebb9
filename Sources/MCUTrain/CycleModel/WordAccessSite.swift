import CCapstone

/// A load/store the architecture requires to be word aligned whatever CCR.UNALIGN_TRP says
/// (ARMv7-M ARM A3.2.1: LDRD/STRD, LDM/STM and their PUSH/POP forms; an unaligned address is a
/// UsageFault with UFSR.UNALIGNED). The emulator checks its address with a code hook just
/// before it runs, since Unicorn performs it unaligned without complaint.
///
/// Forms based on SP are left out: SP[1:0] always read as zero on the core, so they cannot be
/// unaligned, and they are most of these instructions (every PUSH/POP), which keeps the checks
/// off the hot path. A form based on PC (LDRD literal) is word aligned by definition.
public struct WordAccessSite: Equatable, Sendable {
    public let address: UInt32
    /// 0...12 or 14 (r0...r12, lr).
    public let baseRegister: Int
    /// Added to the base for the first address: the immediate of LDRD/STRD (0 when post-indexed),
    /// -4 × words for the decrement-before forms (LDMDB/STMDB).
    public let offset: Int32

    public init(address: UInt32, baseRegister: Int, offset: Int32) {
        self.address = address
        self.baseRegister = baseRegister
        self.offset = offset
    }

    /// The site of an LDRD/STRD/LDM/STM not based on SP or PC, or nil for any other instruction.
    init?(_ instruction: mcc_insn) {
        let offset: Int32
        switch instruction.id {
        case ARM_INS_LDRD, ARM_INS_STRD: offset = instruction.disp
        case ARM_INS_LDM, ARM_INS_STM: offset = 0
        case ARM_INS_LDMDB, ARM_INS_STMDB: offset = -4 * Int32(instruction.words)
        default: return nil
        }
        guard instruction.base != ARM_REG_SP, let base = coreRegisterNumber(instruction.base) else { return nil }
        self.init(address: instruction.address, baseRegister: base, offset: offset)
    }
}

/// 0...14 for r0...r14; nil for PC and registers that are not core registers.
func coreRegisterNumber(_ register: arm_reg) -> Int? {
    if register == ARM_REG_SP { return 13 }
    if register == ARM_REG_LR { return 14 }
    // Capstone numbers R0...R12 consecutively.
    let offset = Int(register.rawValue) - Int(ARM_REG_R0.rawValue)
    return (0...12).contains(offset) ? offset : nil
}
