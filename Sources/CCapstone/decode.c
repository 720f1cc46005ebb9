#include "CCapstone.h"

#include <capstone/capstone.h>
#include <stdlib.h>

struct mcc_decoder {
    csh handle;
};

mcc_decoder *mcc_open(void) {
    mcc_decoder *decoder = malloc(sizeof *decoder);
    if (decoder == NULL) return NULL;
    if (cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &decoder->handle) != CS_ERR_OK) {
        free(decoder);
        return NULL;
    }
    if (cs_option(decoder->handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
        mcc_close(decoder);
        return NULL;
    }
    return decoder;
}

void mcc_close(mcc_decoder *decoder) {
    if (decoder == NULL) return;
    cs_close(&decoder->handle);
    free(decoder);
}

static bool in_group(const cs_detail *detail, uint8_t group) {
    for (uint8_t i = 0; i < detail->groups_count; i++)
        if (detail->groups[i] == group) return true;
    return false;
}

/// Register-list instructions; those that are not PUSH/POP name a base register first.
static bool is_register_list(arm_insn id, bool *has_base) {
    switch (id) {
    case ARM_INS_PUSH: case ARM_INS_POP: case ARM_INS_VPUSH: case ARM_INS_VPOP:
        *has_base = false;
        return true;
    case ARM_INS_LDM: case ARM_INS_LDMDA: case ARM_INS_LDMDB: case ARM_INS_LDMIB:
    case ARM_INS_STM: case ARM_INS_STMDA: case ARM_INS_STMDB: case ARM_INS_STMIB:
    case ARM_INS_VLDMIA: case ARM_INS_VLDMDB: case ARM_INS_VSTMIA: case ARM_INS_VSTMDB:
        *has_base = true;
        return true;
    default:
        return false;
    }
}

static uint32_t register_words(int reg) {
    return (reg >= ARM_REG_D0 && reg <= ARM_REG_D31) ? 2 : 1;
}

/// Bit of a register in `mcc_insn.reads`/`writes`, or 0 for registers not tracked.
static uint32_t register_bit(uint16_t reg) {
    if (reg >= ARM_REG_R0 && reg <= ARM_REG_R12) return 1u << (reg - ARM_REG_R0);
    switch (reg) {
    case ARM_REG_SP: return 1u << 13;
    case ARM_REG_LR: return 1u << 14;
    case ARM_REG_PC: return 1u << 15;
    case ARM_REG_CPSR: case ARM_REG_APSR: case ARM_REG_APSR_NZCV: return 1u << 16;
    default: return 0;
    }
}

static bool is_shift_instruction(arm_insn id) {
    return id == ARM_INS_LSL || id == ARM_INS_LSR || id == ARM_INS_ASR || id == ARM_INS_ROR || id == ARM_INS_RRX;
}

static void register_sets(csh handle, const cs_insn *insn, mcc_insn *out) {
    cs_regs read, written;
    uint8_t read_count = 0, write_count = 0;
    if (cs_regs_access(handle, insn, read, &read_count, written, &write_count) == CS_ERR_OK) {
        for (uint8_t i = 0; i < read_count; i++) out->reads |= register_bit(read[i]);
        for (uint8_t i = 0; i < write_count; i++) out->writes |= register_bit(written[i]);
    }
    const cs_arm *arm = &insn->detail->arm;
    if (arm->update_flags) out->writes |= 1u << 16;
    if (out->conditional && insn->id != ARM_INS_CBZ && insn->id != ARM_INS_CBNZ) out->reads |= 1u << 16;
    if (arm->writeback && out->base != ARM_REG_INVALID) out->writes |= register_bit(out->base);
    for (uint8_t i = 0; i < arm->op_count; i++) {
        const cs_arm_op *op = &arm->operands[i];
        if (op->type == ARM_OP_REG && op->shift.type != ARM_SFT_INVALID && op->shift.value != 0
            && !is_shift_instruction(out->id)) out->shifted_operand = true;
    }
}

static void flatten(const cs_insn *insn, mcc_insn *out) {
    const cs_arm *arm = &insn->detail->arm;
    *out = (mcc_insn){
        .address = (uint32_t)insn->address,
        .size = insn->size,
        .id = (arm_insn)insn->id,
        .conditional = insn->id == ARM_INS_CBZ || insn->id == ARM_INS_CBNZ
            || (insn->id != ARM_INS_IT && arm->cc != ARM_CC_AL && arm->cc != ARM_CC_INVALID),
        .writes_pc = in_group(insn->detail, ARM_GRP_JUMP),
    };

    bool has_base = false;
    bool list = is_register_list(out->id, &has_base);
    bool before_memory = true;
    for (uint8_t i = 0; i < arm->op_count; i++) {
        const cs_arm_op *op = &arm->operands[i];
        switch (op->type) {
        case ARM_OP_REG:
            if (op->reg == ARM_REG_PC && (op->access & CS_AC_WRITE)) out->writes_pc = true;
            if (i == 0 && (op->access & CS_AC_WRITE)) out->dest = (arm_reg)op->reg;
            if (i == 1) out->rn = (arm_reg)op->reg;
            if (i == 2) out->rm = (arm_reg)op->reg;
            if (list && has_base && i == 0) out->base = (arm_reg)op->reg;
            if (list ? !(has_base && i == 0) : before_memory) out->words += register_words(op->reg);
            break;
        case ARM_OP_MEM:
            if (before_memory) {
                out->base = (arm_reg)op->mem.base;
                out->index = (arm_reg)op->mem.index;
                out->disp = op->mem.disp;
                before_memory = false;
            }
            break;
        case ARM_OP_IMM:
            if (in_group(insn->detail, ARM_GRP_BRANCH_RELATIVE)) {
                out->has_target = true;
                out->target = (uint32_t)op->imm;
            }
            break;
        default:
            break;
        }
    }
    // Only list instructions and those with a memory operand move words.
    if (!list && before_memory) out->words = 0;
}

size_t mcc_decode(mcc_decoder *decoder, const uint8_t *code, size_t size, uint32_t address,
                  mcc_insn *out, size_t capacity) {
    if (capacity == 0) return 0;  // cs_disasm reads a count of 0 as "no limit"
    cs_insn *insns = NULL;
    size_t count = cs_disasm(decoder->handle, code, size, address, capacity, &insns);
    for (size_t i = 0; i < count; i++) {
        flatten(&insns[i], &out[i]);
        register_sets(decoder->handle, &insns[i], &out[i]);
    }
    cs_free(insns, count);
    return count;
}
