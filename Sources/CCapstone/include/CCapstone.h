// Capstone's per-instruction detail is a union per architecture with operand unions
// inside; Swift cannot read those comfortably, and the cycle model needs only a few facts.
// This target decodes Thumb (M-profile) code into one flat struct per instruction.
#ifndef CCAPSTONE_H
#define CCAPSTONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capstone/arm.h>

/// One decoded Thumb instruction, reduced to what instruction timing depends on.
typedef struct mcc_insn {
    uint32_t address;
    uint32_t size;          ///< 2 or 4 bytes
    arm_insn id;            ///< ARM_INS_*
    /// May be skipped at run time: B<cond>, CBZ/CBNZ, or any instruction inside an IT
    /// block. (Capstone gives the IT instruction itself a condition; it is not conditional.)
    bool conditional;
    /// Writes PC: every branch, and MOV/ADD/LDR/POP/LDM with PC as a destination.
    bool writes_pc;
    bool has_target;        ///< the branch target is an immediate (B, BL, CBZ, CBNZ)
    uint32_t target;        ///< absolute target address when has_target
    arm_reg dest;           ///< first operand if written (a load's destination), else ARM_REG_INVALID
    /// Memory operand's base register, or a register-list instruction's base (LDM/STM
    /// forms), else ARM_REG_INVALID.
    arm_reg base;
    int32_t disp;           ///< memory operand's immediate offset (0 for post-indexed forms)
    arm_reg index;          ///< memory operand's offset register, else ARM_REG_INVALID
    /// Second and third operands when they are registers, else ARM_REG_INVALID: the Rn and
    /// Rm of three-register forms, such as a divide's dividend and divisor (SDIV Rd, Rn, Rm).
    arm_reg rn;
    arm_reg rm;
    /// 32-bit words in a register list (LDM/STM/PUSH/POP/VLDM/VSTM/VPUSH/VPOP, base
    /// register excluded), or in the registers before a memory operand (LDRD/STRD: 2,
    /// VLDR/VSTR: 1 or 2). D registers count two words.
    uint32_t words;
    /// Registers read and written, explicit or implicit: bit n is rn (13 SP, 14 LR, 15 PC),
    /// bit 16 the flags. For scheduling dependent instructions on a dual-issue core.
    uint32_t reads;
    uint32_t writes;
    /// A register operand is shifted or rotated by a constant (operand2 such as
    /// `add r0, r1, r2, lsl #2`); plain shift instructions (LSL r0, r1, #2) are not.
    bool shifted_operand;
} mcc_insn;

/// A Capstone handle set up for ARM Thumb + M-class with instruction detail.
/// Not thread-safe: Capstone handles must not be shared between threads.
typedef struct mcc_decoder mcc_decoder;

/// Returns NULL if Capstone cannot be opened.
mcc_decoder *mcc_open(void);
void mcc_close(mcc_decoder *decoder);

/// Decodes `size` bytes of code starting at `address` into `out` (at most `capacity`
/// instructions). Stops early at the first undecodable instruction; returns the count.
/// IT state does not carry over between calls.
size_t mcc_decode(mcc_decoder *decoder, const uint8_t *code, size_t size, uint32_t address,
                  mcc_insn *out, size_t capacity);

#endif
