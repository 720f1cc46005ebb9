#include "meter_internal.h"

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
        table[s].fall_next = table[s].jump_next = NULL;
    }
    free(m->table);
    m->table = table;
    m->capacity = capacity;
    return true;
}

mct_block_cost *mct_lookup(mct_meter *m, uint32_t address, uint32_t size) {
    uint32_t s = slot_of(address, m->capacity);
    while (m->table[s].size != 0) {
        if (m->table[s].address == address && m->table[s].size == size) return &m->table[s];
        s = (s + 1) & (m->capacity - 1);
    }
    if ((m->count + 1) * 2 > m->capacity) {
        if (!grow(m)) return NULL;
        return mct_lookup(m, address, size);
    }
    mct_block_cost cost = {0};
    cost.predictor = 1; /* weakly not taken; a target of 1 is never a Thumb block's address */
    if (!m->classify(m->classify_context, address, size, &cost)) return NULL;
    cost.address = address;
    cost.size = size;
    m->table[s] = cost;
    m->count++;
    return &m->table[s];
}

/* Wait states paid fetching the block's lines from flash. */
static uint32_t fetch_stall(mct_meter *m, uint32_t address, uint32_t size) {
    if (m->wait_states == 0 || address < m->flash_base || address >= m->flash_end) return 0;
    uint32_t first = (address - m->flash_base) >> m->line_shift;
    uint32_t last = (address + size - 1 - m->flash_base) >> m->line_shift;
    uint32_t stall = 0;
    for (uint32_t line = first; line <= last; line++) {
        bool hit = false;
        if (m->cache_tags) {
            uint32_t *tag = &m->cache_tags[line & m->cache_mask];
            hit = *tag == line;
            *tag = line;
        }
        if (!hit && !(m->prefetch && line == m->last_line + 1)) stall += m->wait_states;
        m->last_line = line;
    }
    m->flash_stall_cycles += stall;
    return stall;
}

/* The first reason a run stops is the one reported: after uc_emu_stop the rest of the
 * translated block still runs, and must not overwrite a fault already recorded. */
bool mct_stopping(const mct_meter *m) { return m->stop_reason != MCT_STOP_NONE; }

static void usage_fault(uc_engine *uc, mct_meter *m, mct_fault_kind kind, uint32_t pc, uint32_t address, uint32_t size) {
    if (mct_stopping(m)) return;
    m->stop_reason = MCT_STOP_USAGE_FAULT;
    m->fault_kind = kind;
    m->fault_pc = pc;
    m->fault_address = address;
    m->fault_size = size;
    uc_emu_stop(uc);
}

/* Charges a wrong guess and trains the predictor with where execution went. */
static void predict(mct_meter *m, mct_block_cost *b, uint32_t next, bool fell) {
    if (b->prediction == MCT_PREDICT_DIRECTION) {
        bool taken = !fell;
        if (taken != (b->predictor >= 2)) m->cycles += b->mispredict_cycles;
        if (taken && b->predictor < 3) b->predictor++;
        if (!taken && b->predictor > 0) b->predictor--;
    } else {
        if (b->predictor != next) m->cycles += b->mispredict_cycles;
        b->predictor = next;
    }
}

/* Runs at the start of every executed block, so the usual path is kept short: the previous
 * block's entry remembers its successor on each path, and the hash table is only searched
 * when that guess is wrong (a new block, or an indirect branch elsewhere). */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    mct_meter *m = user;
    uint32_t a = (uint32_t)address;
    mct_block_cost *p = m->previous, *c = NULL;
    bool fell = false;
    m->previous = NULL;
    if (p) {
        fell = a == p->address + p->size;
        m->cycles += fell ? p->fall_cycles : p->jump_cycles;
        if (p->prediction) predict(m, p, a, fell);
        c = fell ? p->fall_next : p->jump_next;
        if (c && (c->address != a || c->size != size)) c = NULL;
    }
    if (m->needs_access_hook) {
        /* Stop where registers and PC are exact (a block boundary), before this block runs or
         * is counted: the caller adds the hook and resumes here. */
        m->fault_pc = a;
        uc_emu_stop(uc);
        return;
    }
    if (size == 0) return;
    if (!c) {
        const mct_block_cost *table = m->table;
        c = mct_lookup(m, a, size);
        if (!c) {
            if (mct_stopping(m)) return;
            m->stop_reason = MCT_STOP_CLASSIFY_FAILED;
            m->fault_pc = a;
            uc_emu_stop(uc);
            return;
        }
        if (p && table == m->table) *(fell ? &p->fall_next : &p->jump_next) = c;
    }
    m->cycles += c->cycles;
    if (m->wait_states) m->cycles += fetch_stall(m, a, size);
    m->instructions += c->instructions;
    m->previous = c;
    if (m->cycles >= m->cycle_limit && !mct_stopping(m)) {
        m->stop_reason = MCT_STOP_CYCLE_LIMIT;
        m->fault_pc = a;
        uc_emu_stop(uc);
    }
}

static bool on_invalid(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user) {
    (void)size; (void)value;
    mct_meter *m = user;
    if (mct_stopping(m)) return false;
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
    uc_emu_stop(uc);
    if (mct_stopping(m)) return;
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM_REG_PC, &pc);
    m->stop_reason = MCT_STOP_INTERRUPT;
    m->interrupt_number = intno;
    m->fault_pc = (uint32_t)pc;
}

uc_err mct_meter_attach(uc_engine *uc, mct_meter *m, mct_classify_fn classify, void *context, bool counting) {
    memset(m, 0, sizeof *m);
    m->classify = classify;
    m->classify_context = context;
    if (!grow(m)) return UC_ERR_NOMEM;
    uc_err err = counting ? mct_counting_attach(uc, m)
                          : uc_hook_add(uc, &m->block_hook, UC_HOOK_BLOCK, (void *)on_block, m, 1, 0);
    if (err) return err;
    err = uc_hook_add(uc, &m->invalid_hook, UC_HOOK_MEM_INVALID, (void *)on_invalid, m, 1, 0);
    if (err) return err;
    return uc_hook_add(uc, &m->interrupt_hook, UC_HOOK_INTR, (void *)on_interrupt, m, 1, 0);
}

bool mct_meter_set_flash(mct_meter *m, uint32_t base, uint32_t size, uint32_t wait_states,
                         uint32_t line_bytes, uint32_t cache_lines, bool prefetch) {
    free(m->cache_tags);
    m->cache_tags = NULL;
    if (cache_lines) {
        m->cache_tags = malloc(cache_lines * sizeof *m->cache_tags);
        if (!m->cache_tags) return false;
        memset(m->cache_tags, 0xFF, cache_lines * sizeof *m->cache_tags);
    }
    m->flash_base = base;
    m->flash_end = base + size;
    m->wait_states = wait_states;
    m->line_shift = (uint32_t)__builtin_ctz(line_bytes);
    m->cache_mask = cache_lines ? cache_lines - 1 : 0;
    m->prefetch = prefetch;
    m->last_line = UINT32_MAX - 1;
    return true;
}

void mct_meter_set_divide_cost(mct_meter *m, mct_divide_fn cost, void *context) {
    m->divide_cost = cost;
    m->divide_context = context;
}

static int unicorn_register(int r) {
    if (r <= 12) return UC_ARM_REG_R0 + r;
    return r == 13 ? UC_ARM_REG_SP : UC_ARM_REG_LR;
}

static void on_divide(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    (void)address; (void)size;
    mct_site *d = user;
    mct_meter *m = d->meter;
    uint32_t dividend = 0, divisor = 0;
    uc_reg_read(uc, d->first_register, &dividend);
    uc_reg_read(uc, d->second_register, &divisor);
    if (divisor == 0 && m->trap_divide_by_zero) {
        usage_fault(uc, m, MCT_FAULT_DIVIDE_BY_ZERO, d->address, 0, 0);
        return;
    }
    uint32_t cycles = m->divide_cost(m->divide_context, dividend, divisor, d->is_signed);
    uint32_t extra = cycles > d->minimum ? cycles - d->minimum : 0;
    m->cycles += extra;
    if (m->counting_inline && (m->slack -= extra) < 0) mct_counting_look_soon(m);
}

static void on_word_access(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    (void)address; (void)size;
    mct_site *a = user;
    uint32_t base = 0;
    uc_reg_read(uc, a->first_register, &base);
    uint32_t target = base + (uint32_t)a->offset;
    if (target & 3) usage_fault(uc, a->meter, MCT_FAULT_UNALIGNED, a->address, target, 0);
}

/* Takes ownership of `site`; one hook per address and kind. */
static uc_err watch(uc_engine *uc, mct_meter *m, mct_site *site, void *callback) {
    for (uint32_t i = 0; i < m->site_count; i++) {
        if (m->sites[i]->address == site->address && m->sites[i]->kind == site->kind) { /* also part of another block */
            free(site);
            return UC_ERR_OK;
        }
    }
    if (m->site_count == m->site_capacity) {
        uint32_t capacity = m->site_capacity ? m->site_capacity * 2 : 16;
        mct_site **grown = realloc(m->sites, capacity * sizeof *grown);
        if (!grown) { free(site); return UC_ERR_NOMEM; }
        m->sites = grown;
        m->site_capacity = capacity;
    }
    site->meter = m;
    uc_err err = uc_hook_add(uc, &site->hook, UC_HOOK_CODE, callback, site, site->address, site->address);
    if (err) { free(site); return err; }
    m->sites[m->site_count++] = site;
    /* Unicorn is translating the block with the site: the block is dropped before it runs. */
    if (m->translating) return UC_ERR_OK;
    return uc_ctl_remove_cache(uc, site->address, site->address + 4);
}

uc_err mct_meter_watch_divide(uc_engine *uc, mct_meter *m, uint32_t address, int dividend, int divisor,
                              bool is_signed, uint32_t minimum) {
    mct_site *d = calloc(1, sizeof *d);
    if (!d) return UC_ERR_NOMEM;
    d->address = address;
    d->kind = MCT_SITE_DIVIDE;
    d->first_register = unicorn_register(dividend);
    d->second_register = unicorn_register(divisor);
    d->is_signed = is_signed;
    d->minimum = minimum;
    return watch(uc, m, d, (void *)on_divide);
}

uc_err mct_meter_watch_word_access(uc_engine *uc, mct_meter *m, uint32_t address, int base, int32_t offset) {
    mct_site *a = calloc(1, sizeof *a);
    if (!a) return UC_ERR_NOMEM;
    a->address = address;
    a->kind = MCT_SITE_WORD_ACCESS;
    a->first_register = unicorn_register(base);
    a->offset = offset;
    return watch(uc, m, a, (void *)on_word_access);
}

static void on_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user) {
    (void)type; (void)value;
    mct_meter *m = user;
    if (!m->trap_unaligned || size <= 1 || (address & (uint64_t)(size - 1)) == 0) return;
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM_REG_PC, &pc);
    usage_fault(uc, m, MCT_FAULT_UNALIGNED_TRAPPED, (uint32_t)pc, (uint32_t)address, (uint32_t)size);
}

void mct_meter_set_traps(mct_meter *m, bool unaligned, bool divide_by_zero) {
    m->trap_unaligned = unaligned;
    m->trap_divide_by_zero = divide_by_zero;
    if (unaligned && !m->has_access_hook) {
        m->needs_access_hook = true;
        if (m->counting_inline) mct_counting_look_soon(m);
    }
}

bool mct_meter_stopped_to_resume(const mct_meter *m) { return m->needs_access_hook || m->stale; }

uc_err mct_meter_resume(uc_engine *uc, mct_meter *m) {
    if (m->stale) {
        mct_block_record *r = m->stale;
        m->stale = NULL;
        uc_err err = uc_ctl_remove_cache(uc, r->address, r->address + r->size);
        if (err) return err;
    }
    if (!m->needs_access_hook) return UC_ERR_OK;
    m->needs_access_hook = false;
    if (m->has_access_hook) return UC_ERR_OK;
    uc_err err = uc_hook_add(uc, &m->access_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_access, m, 1, 0);
    if (err) return err;
    m->has_access_hook = true;
    return uc_ctl_flush_tlb(uc);
}

void mct_meter_release(mct_meter *m) {
    free(m->table);
    m->table = NULL;
    m->capacity = m->count = 0;
    free(m->cache_tags);
    m->cache_tags = NULL;
    for (uint32_t i = 0; i < m->site_count; i++) free(m->sites[i]);
    free(m->sites);
    m->sites = NULL;
    m->site_count = m->site_capacity = 0;
    mct_counting_release(m);
}
