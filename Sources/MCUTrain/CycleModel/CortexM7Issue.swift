import CCapstone

/// What decides how a Cortex-M7 instruction issues: which slot of a dual-issue pair it may
/// take, what it may pair with, and when its result can be used. The classes and rules come
/// from public cycle measurements on an STM32H743 (jnk0le, `cortex_m7.md`; see
/// docs/cycle-model.md), since Arm publishes no M7 timing table.
struct CortexM7Issue {
    enum Kind: Equatable {
        /// MOV/ADD/SUB without a shifted operand: run in the early ALU, so a plain ALU op
        /// may use the result in the same cycle.
        case simpleALU
        /// Any other data processing, compare, shift, IT; `shifted` when operand2 is a
        /// register shifted by a constant (two of those never pair).
        case alu(shifted: Bool)
        /// Extend, bitfield, CLZ/RBIT/REV, saturate, SIMD add/sub, PKH: only the older op of a
        /// pair, never two in a cycle.
        case bitfieldDSP
        /// MUL/MLA and the DSP multiplies: never two in a cycle, nor with a store.
        case multiply
        /// LDR/LDRB/LDRH/LDRSB/LDRSH and their unprivileged/exclusive forms.
        case load(narrow: Bool)
        case store
        /// Issues alone for this many cycles: LDRD/STRD, register lists, divides, FPU, barriers.
        case alone(cycles: UInt32)
        case branch
    }

    let kind: Kind
    let instruction: mcc_insn

    init(_ instruction: mcc_insn, aloneCycles: (mcc_insn) -> UInt32?) {
        self.instruction = instruction
        if instruction.writes_pc, !Self.isLoad(instruction.id) || instruction.dest == ARM_REG_PC {
            kind = instruction.id == ARM_INS_POP || instruction.id == ARM_INS_LDM || instruction.id == ARM_INS_TBB
                || instruction.id == ARM_INS_TBH ? .alone(cycles: aloneCycles(instruction) ?? 1) : .branch
        } else if Self.isLoad(instruction.id) {
            kind = .load(narrow: ![ARM_INS_LDR, ARM_INS_LDRT, ARM_INS_LDREX].contains(instruction.id))
        } else if Self.isStore(instruction.id) {
            kind = .store
        } else if let cycles = aloneCycles(instruction) {
            kind = .alone(cycles: cycles)
        } else if Self.multiplies.contains(instruction.id.rawValue) {
            kind = .multiply
        } else if Self.bitfieldDSP.contains(instruction.id.rawValue) {
            kind = .bitfieldDSP
        } else if [ARM_INS_MOV, ARM_INS_MOVW, ARM_INS_MOVT, ARM_INS_ADD, ARM_INS_ADDW, ARM_INS_SUB, ARM_INS_SUBW]
                    .contains(instruction.id), !instruction.shifted_operand {
            kind = .simpleALU
        } else {
            kind = .alu(shifted: instruction.shifted_operand)
        }
    }

    /// Whether `younger` may issue in the same cycle as `older` (ignoring operands).
    static func pair(_ older: CortexM7Issue, _ younger: CortexM7Issue) -> Bool {
        switch (older.kind, younger.kind) {
        case (.alone, _), (_, .alone), (_, .bitfieldDSP), (.multiply, .multiply), (.store, .store),
             (.multiply, .store), (.store, .multiply), (.alu(true), .alu(true)), (.bitfieldDSP, .alu(true)):
            return false
        case (.load, .load):
            // Two loads pair only from different (even/odd word) banks of the D-side memory:
            // certain only for the same base register and offsets one word apart.
            let a = older.instruction, b = younger.instruction
            return a.base == b.base && a.index == ARM_REG_INVALID && b.index == ARM_REG_INVALID
                && a.writes & Self.bit(a.base) == 0 && abs(Int(a.disp) - Int(b.disp)) == 4
        default:
            return true
        }
    }

    /// Registers whose value this instruction needs early: an address (base, index), a
    /// shifted operand2, the operands of bitfield/DSP ops; and the multiplier operands of a MAC.
    var earlyReads: UInt32 {
        switch kind {
        case .load, .store:
            return Self.bit(instruction.base) | Self.bit(instruction.index)
        case .alu(shifted: true), .bitfieldDSP:
            return instruction.reads & 0xFFFF
        default:
            return 0
        }
    }

    /// Cycles after issue until a plain (late-ALU) consumer, an early consumer (address,
    /// shifted operand, bitfield) and a multiplier may use the result.
    var latency: (late: UInt32, early: UInt32, multiplier: UInt32) {
        switch kind {
        case .simpleALU: return (1, 1, 1)
        case .alu, .branch: return (1, 2, 1)
        case .bitfieldDSP: return (1, 2, 1)
        case .multiply: return (2, 2, 2)
        case .load(narrow: false): return (1, 2, 2)
        case .load(narrow: true): return (2, 3, 2)
        case .store: return (1, 1, 1)  // only a written-back base
        case .alone(let cycles): return (cycles, cycles + 1, cycles)
        }
    }

    static func bit(_ register: arm_reg) -> UInt32 {
        guard register != ARM_REG_INVALID else { return 0 }
        if register == ARM_REG_SP { return 1 << 13 }
        if register == ARM_REG_LR { return 1 << 14 }
        if register == ARM_REG_PC { return 1 << 15 }
        let offset = Int(register.rawValue) - Int(ARM_REG_R0.rawValue)
        return (0...12).contains(offset) ? 1 << UInt32(offset) : 0
    }

    static func isLoad(_ id: arm_insn) -> Bool {
        [ARM_INS_LDR, ARM_INS_LDRB, ARM_INS_LDRH, ARM_INS_LDRSB, ARM_INS_LDRSH, ARM_INS_LDRT, ARM_INS_LDRBT,
         ARM_INS_LDRHT, ARM_INS_LDRSBT, ARM_INS_LDRSHT, ARM_INS_LDREX, ARM_INS_LDREXB, ARM_INS_LDREXH].contains(id)
    }

    static func isStore(_ id: arm_insn) -> Bool {
        [ARM_INS_STR, ARM_INS_STRB, ARM_INS_STRH, ARM_INS_STRT, ARM_INS_STRBT, ARM_INS_STRHT,
         ARM_INS_STREX, ARM_INS_STREXB, ARM_INS_STREXH].contains(id)
    }

    static let multiplies: Set<UInt32> = Set([
        ARM_INS_MUL, ARM_INS_MLA, ARM_INS_MLS, ARM_INS_SMULL, ARM_INS_UMULL, ARM_INS_SMLAL, ARM_INS_UMLAL, ARM_INS_UMAAL,
        ARM_INS_SMULBB, ARM_INS_SMULBT, ARM_INS_SMULTB, ARM_INS_SMULTT, ARM_INS_SMULWB, ARM_INS_SMULWT,
        ARM_INS_SMLABB, ARM_INS_SMLABT, ARM_INS_SMLATB, ARM_INS_SMLATT, ARM_INS_SMLAWB, ARM_INS_SMLAWT,
        ARM_INS_SMLALBB, ARM_INS_SMLALBT, ARM_INS_SMLALTB, ARM_INS_SMLALTT, ARM_INS_SMLAD, ARM_INS_SMLADX,
        ARM_INS_SMLSD, ARM_INS_SMLSDX, ARM_INS_SMLALD, ARM_INS_SMLALDX, ARM_INS_SMLSLD, ARM_INS_SMLSLDX,
        ARM_INS_SMUAD, ARM_INS_SMUADX, ARM_INS_SMUSD, ARM_INS_SMUSDX, ARM_INS_SMMUL, ARM_INS_SMMULR,
        ARM_INS_SMMLA, ARM_INS_SMMLAR, ARM_INS_SMMLS, ARM_INS_SMMLSR,
    ].map(\.rawValue))

    static let bitfieldDSP: Set<UInt32> = Set([
        ARM_INS_UXTB, ARM_INS_UXTH, ARM_INS_SXTB, ARM_INS_SXTH, ARM_INS_UXTB16, ARM_INS_SXTB16,
        ARM_INS_UXTAB, ARM_INS_UXTAH, ARM_INS_SXTAB, ARM_INS_SXTAH, ARM_INS_UXTAB16, ARM_INS_SXTAB16,
        ARM_INS_UBFX, ARM_INS_SBFX, ARM_INS_BFI, ARM_INS_BFC, ARM_INS_CLZ, ARM_INS_RBIT, ARM_INS_REV,
        ARM_INS_REV16, ARM_INS_REVSH, ARM_INS_PKHBT, ARM_INS_PKHTB, ARM_INS_SSAT, ARM_INS_USAT,
        ARM_INS_SSAT16, ARM_INS_USAT16, ARM_INS_QADD, ARM_INS_QSUB, ARM_INS_QDADD, ARM_INS_QDSUB,
        ARM_INS_QADD8, ARM_INS_QADD16, ARM_INS_QSUB8, ARM_INS_QSUB16, ARM_INS_QASX, ARM_INS_QSAX,
        ARM_INS_SADD8, ARM_INS_SADD16, ARM_INS_SSUB8, ARM_INS_SSUB16, ARM_INS_SASX, ARM_INS_SSAX,
        ARM_INS_UADD8, ARM_INS_UADD16, ARM_INS_USUB8, ARM_INS_USUB16, ARM_INS_UASX, ARM_INS_USAX,
        ARM_INS_SHADD8, ARM_INS_SHADD16, ARM_INS_UHADD8, ARM_INS_UHADD16, ARM_INS_UQADD8, ARM_INS_UQADD16,
        ARM_INS_UQSUB8, ARM_INS_UQSUB16, ARM_INS_SEL, ARM_INS_USAD8, ARM_INS_USADA8,
    ].map(\.rawValue))
}
