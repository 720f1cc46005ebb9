import CCapstone

/// How the Cortex-M4 TRM (table 3-1, and the FPU table) prices an instruction, before any
/// pipeline refill a taken branch adds. Whatever is not listed costs one cycle: ALU, MOV,
/// shifts, extends, bitfield ops, SSAT/USAT, CLZ, IT, every multiply and DSP instruction
/// (the M4 has a single-cycle 32×32 multiplier), and the single-cycle FPU ops such as
/// VADD/VSUB/VMUL/VNMUL/VABS/VNEG/VCMP/VCVT/VMOV/VMRS. SDIV/UDIV are priced at their
/// minimum here; the rest of their time is added at run time (`EarlyTerminationDivider`).
enum CortexM4InstructionClass: Equatable {
    /// Always this many cycles.
    case fixed(UInt32)
    /// LDR/STR and their byte, halfword, signed, unprivileged and exclusive forms (the TRM
    /// says LDREX/STREX pipeline exactly like LDR): 2 cycles; 1 when pipelined behind a load,
    /// and always 1 for a store with an immediate offset (see `CortexM4Timing.pipelines(_:after:)`
    /// and `CortexM4Timing.buffersStore(_:)`).
    case singleLoadStore
    /// 1 + N for the N words moved: LDRD/STRD, LDM/STM/PUSH/POP, VLDR/VSTR (VLDR.64 is 3),
    /// VLDM/VSTM/VPUSH/VPOP.
    case multiple
    /// ISB: 1 + B, where the barrier's B is refetching the next instruction, i.e. a
    /// pipeline refill.
    case instructionBarrier

    init(_ id: arm_insn) {
        switch id {
        case ARM_INS_LDR, ARM_INS_LDRB, ARM_INS_LDRH, ARM_INS_LDRSB, ARM_INS_LDRSH,
             ARM_INS_LDRT, ARM_INS_LDRBT, ARM_INS_LDRHT, ARM_INS_LDRSBT, ARM_INS_LDRSHT,
             ARM_INS_STR, ARM_INS_STRB, ARM_INS_STRH, ARM_INS_STRT, ARM_INS_STRBT, ARM_INS_STRHT,
             ARM_INS_LDREX, ARM_INS_LDREXB, ARM_INS_LDREXH,
             ARM_INS_STREX, ARM_INS_STREXB, ARM_INS_STREXH:
            self = .singleLoadStore
        case ARM_INS_LDRD, ARM_INS_STRD,
             ARM_INS_LDM, ARM_INS_LDMDB, ARM_INS_STM, ARM_INS_STMDB, ARM_INS_PUSH, ARM_INS_POP,
             ARM_INS_VLDR, ARM_INS_VSTR,
             ARM_INS_VLDMIA, ARM_INS_VLDMDB, ARM_INS_VSTMIA, ARM_INS_VSTMDB, ARM_INS_VPUSH, ARM_INS_VPOP:
            self = .multiple
        case ARM_INS_SDIV, ARM_INS_UDIV:
            self = .fixed(EarlyTerminationDivider.minimumCycles)
        case ARM_INS_TBB, ARM_INS_TBH:
            self = .fixed(2)
        case ARM_INS_DMB, ARM_INS_DSB:
            self = .fixed(1 + CortexM4Timing.dataBarrierWait)
        case ARM_INS_ISB:
            self = .instructionBarrier
        case ARM_INS_VMLA, ARM_INS_VMLS, ARM_INS_VNMLA, ARM_INS_VNMLS,
             ARM_INS_VFMA, ARM_INS_VFMS, ARM_INS_VFNMA, ARM_INS_VFNMS:
            self = .fixed(3)
        case ARM_INS_VDIV, ARM_INS_VSQRT:
            self = .fixed(14)
        default:
            self = .fixed(1)
        }
    }
}
