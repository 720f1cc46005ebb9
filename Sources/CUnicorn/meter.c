#include "CUnicorn.h"

#include <stdlib.h>
#include <string.h>

uc_err mct_open_cortex_m(int cpu_model, uc_engine **out) {
    uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, out);
    if (err != UC_ERR_OK) return err;
    err = uc_ctl_set_cpu_model(*out, cpu_model);
    if (err != UC_ERR_OK) { uc_close(*out); *out = NULL; }
    return err;
}

int mct_cpu_model(uc_engine *uc) {
    int model = -1;
    if (uc_ctl_get_cpu_model(uc, &model) != UC_ERR_OK) return -1;
    return model;
}

uc_err mct_flush_blocks(uc_engine *uc) { return uc_ctl_flush_tlb(uc); }

static uint32_t slot_of(uint32_t address, uint32_t capacity) {
    return ((address >> 1) * 2654435761u) & (capacity - 1);
}

static bool grow(mct_meter *m) {
    uint32_t capacity = m->capacity ? m->capacity * 2 : 1024;
    mct_block_cost *table = calloc(capacity, sizeof *table);
    if (!table) return false;
    for (uint32_t i = 0; i < m->capacity; i++) {
        mct_block_cost *e = &m->table[i];
        if (e->size == 0) continue;
        uint32_t s = slot_of(e->address, capacity);
        while (table[s].size != 0) s = (s + 1) & (capacity - 1);
        table[s] = *e;
    }
    free(m->table);
    m->table = table;
    m->capacity = capacity;
    return true;
}

static const mct_block_cost *lookup(mct_meter *m, uint32_t address, uint32_t size) {
    uint32_t s = slot_of(address, m->capacity);
    while (m->table[s].size != 0) {
        if (m->table[s].address == address && m->table[s].size == size) return &m->table[s];
        s = (s + 1) & (m->capacity - 1);
    }
    if ((m->count + 1) * 2 > m->capacity) {
        if (!grow(m)) return NULL;
        return lookup(m, address, size);
    }
    mct_block_cost cost = {0};
    if (!m->classify(m->classify_context, address, size, &cost)) return NULL;
    cost.address = address;
    cost.size = size;
    m->table[s] = cost;
    m->count++;
    return &m->table[s];
}

void mct_meter_settle(mct_meter *m) {
    if (m->pending) m->cycles += m->pending_fall;
    m->pending = false;
}

static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    mct_meter *m = user;
    uint32_t a = (uint32_t)address;
    if (m->pending) m->cycles += (a == m->pending_end) ? m->pending_fall : m->pending_jump;
    m->pending = false;
    if (size == 0) return;
    const mct_block_cost *c = lookup(m, a, size);
    if (!c) {
        m->stop_reason = MCT_STOP_CLASSIFY_FAILED;
        m->fault_pc = a;
        uc_emu_stop(uc);
        return;
    }
    m->cycles += c->cycles;
    m->instructions += c->instructions;
    m->blocks_executed++;
    m->pending_end = a + size;
    m->pending_fall = c->fall_cycles;
    m->pending_jump = c->jump_cycles;
    m->pending = true;
    if (m->cycle_limit && m->cycles >= m->cycle_limit) {
        m->stop_reason = MCT_STOP_CYCLE_LIMIT;
        m->fault_pc = a;
        uc_emu_stop(uc);
    }
}

static bool on_invalid(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user) {
    (void)size; (void)value;
    mct_meter *m = user;
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM_REG_PC, &pc);
    m->stop_reason = MCT_STOP_INVALID_MEMORY;
    m->fault_address = (uint32_t)address;
    m->fault_pc = (uint32_t)pc;
    m->fault_type = (uint32_t)type;
    return false;
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user) {
    mct_meter *m = user;
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM_REG_PC, &pc);
    m->stop_reason = MCT_STOP_INTERRUPT;
    m->interrupt_number = intno;
    m->fault_pc = (uint32_t)pc;
    uc_emu_stop(uc);
}

uc_err mct_meter_attach(uc_engine *uc, mct_meter *m, mct_classify_fn classify, void *context) {
    memset(m, 0, sizeof *m);
    m->classify = classify;
    m->classify_context = context;
    if (!grow(m)) return UC_ERR_NOMEM;
    uc_err err = uc_hook_add(uc, &m->block_hook, UC_HOOK_BLOCK, (void *)on_block, m, 1, 0);
    if (err) return err;
    err = uc_hook_add(uc, &m->invalid_hook, UC_HOOK_MEM_INVALID, (void *)on_invalid, m, 1, 0);
    if (err) return err;
    return uc_hook_add(uc, &m->interrupt_hook, UC_HOOK_INTR, (void *)on_interrupt, m, 1, 0);
}

void mct_meter_release(mct_meter *m) {
    free(m->table);
    m->table = NULL;
    m->capacity = m->count = 0;
}

uint32_t mct_meter_cached_blocks(const mct_meter *m) { return m->count; }
