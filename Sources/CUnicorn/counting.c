// Inline counting: each translated block adds to its own record when it starts and when it
// leaves for the next address (the patched Unicorn: scripts/unicorn/block-counting.patch), so
// no call leaves the translated code per block. Cycles and instructions are worked out from
// the records when read. A block's cost must then not depend on the blocks run before it,
// which rules out flash wait states and branch prediction: those boards keep the block hook.
//
// The totals equal the hook's exactly: a block's run counts as its cycles plus its fall or
// jump cycles, and the run in progress (or the last one of a run, which the hook settles as
// a fall-through) is corrected through `last`.
//
// The cycle limit: each record's `limit` lets its block run a share of the cycles left, at
// the block's dearest; the block that reaches its limit calls the meter (on_limit), which
// checks the limit exactly and shares out what is left again. A shared counter would be
// simpler, but updating it at every block start costs as much again as the counting.
#include "meter_internal.h"

#include <stdlib.h>

/* Runs allowed between looks stay below this, so that runs + allowance cannot overflow. */
#define MOST_RUNS ((uint64_t)1 << 62)

static uint32_t outcome_bound(const mct_block_record *r) {
    return r->fall_cycles > r->jump_cycles ? r->fall_cycles : r->jump_cycles;
}

/* The most one run of the block can cost, at least 1. */
static uint64_t dearest_run(const mct_block_record *r) {
    uint64_t cycles = (uint64_t)r->cycles + outcome_bound(r);
    return cycles ? cycles : 1;
}

/* Sets every record's limit so that the runs it allows, each at its dearest, stay within
 * `room` cycles in all; what is left over is the slack for divides. A block that must not run
 * as translated keeps a limit of 0 and calls at every start. */
static void share_out(mct_meter *m, uint64_t room) {
    uint64_t records = 0;
    for (const mct_record_chunk *chunk = m->chunks; chunk; chunk = chunk->next) records += chunk->used;
    uint64_t share = records ? room / records : room, spent = 0;
    for (mct_record_chunk *chunk = m->chunks; chunk; chunk = chunk->next) {
        for (uint32_t i = 0; i < chunk->used; i++) {
            mct_block_record *r = &chunk->records[i];
            if (r->failed || r->stale || r->size == 0) {
                r->counter.limit = 0;
                continue;
            }
            uint64_t cost = dearest_run(r), runs = share / cost;
            if (runs > MOST_RUNS) runs = MOST_RUNS;
            r->counter.limit = r->counter.runs + runs + 1;
            spent += runs * cost;
        }
    }
    uint64_t slack = room - spent;
    m->slack = slack < (uint64_t)INT64_MAX ? (int64_t)slack : INT64_MAX;
}

void mct_counting_look_soon(mct_meter *m) {
    for (mct_record_chunk *chunk = m->chunks; chunk; chunk = chunk->next) {
        for (uint32_t i = 0; i < chunk->used; i++) chunk->records[i].counter.limit = chunk->records[i].counter.runs;
    }
}

static uc_block_counter *on_counter(uc_engine *uc, uint64_t address, void *user) {
    (void)uc;
    mct_meter *m = user;
    mct_record_chunk *chunk = m->chunks;
    if (!chunk || chunk->used == sizeof chunk->records / sizeof chunk->records[0]) {
        chunk = calloc(1, sizeof *chunk);
        if (!chunk) {
            m->unavailable.address = (uint32_t)address;
            return &m->unavailable.counter;
        }
        chunk->next = m->chunks;
        m->chunks = chunk;
    }
    mct_block_record *r = &chunk->records[chunk->used++];
    r->address = (uint32_t)address; /* limit 0: the first run calls the meter, which shares out again */
    return &r->counter;
}

/* Times the block now that its size is known. A failure, or a code hook the timing added that
 * this translation lacks, is acted on when the block first starts (on_limit). */
static void on_translated(uc_engine *uc, uc_block_counter *counter, uint64_t address, uint32_t size, void *user) {
    (void)uc; (void)address;
    mct_meter *m = user;
    mct_block_record *r = (mct_block_record *)counter;
    if (r == &m->unavailable) return;
    r->size = size;
    if (size == 0) return; /* the hook ignores empty blocks; they cost nothing here either */
    uint32_t sites = m->site_count;
    m->translating = true;
    const mct_block_cost *c = mct_lookup(m, r->address, size);
    m->translating = false;
    if (!c) {
        r->failed = true;
        return;
    }
    r->instructions = c->instructions;
    r->cycles = c->cycles;
    r->fall_cycles = c->fall_cycles;
    r->jump_cycles = c->jump_cycles;
    r->stale = m->site_count != sites;
}

/* Stops the run before the block runs, uncounted, as the hook does when it stops. */
static void stop_before(uc_engine *uc, mct_meter *m, mct_block_record *r) {
    r->counter.runs--;
    m->counting.last = NULL;
    m->fault_pc = r->address;
    uc_emu_stop(uc);
}

/* Called at a block's start once its runs reach their limit, and at every start of a block
 * that must not run as translated. Checks the cycle limit exactly and shares out what is left
 * before it, less this block's outcome at its dearer side; strictly less, so that a block
 * that runs without calling cannot reach the limit. */
static void on_limit(uc_engine *uc, uc_block_counter *counter, void *user) {
    mct_meter *m = user;
    mct_block_record *r = (mct_block_record *)counter;
    if (m->needs_access_hook) {
        stop_before(uc, m, r);
        return;
    }
    if (r->failed) {
        stop_before(uc, m, r);
        if (!mct_stopping(m)) m->stop_reason = MCT_STOP_CLASSIFY_FAILED;
        return;
    }
    if (r->stale) {
        stop_before(uc, m, r);
        m->stale = r;
        return;
    }
    uint64_t now = mct_meter_cycles(m);
    if (now >= m->cycle_limit) {
        if (mct_stopping(m)) return;
        m->stop_reason = MCT_STOP_CYCLE_LIMIT;
        m->fault_pc = r->address;
        uc_emu_stop(uc);
        return;
    }
    uint64_t room = m->cycle_limit - now, bound = outcome_bound(r);
    share_out(m, room > bound ? room - bound - 1 : 0);
}

uc_err mct_counting_attach(uc_engine *uc, mct_meter *m) {
    m->counting_inline = true;
    m->unavailable.failed = true;
    m->counting.counter = on_counter;
    m->counting.translated = on_translated;
    m->counting.at_limit = on_limit;
    m->counting.user = m;
    return uc_set_block_counting(uc, &m->counting);
}

uint64_t mct_meter_cycles(const mct_meter *m) {
    uint64_t cycles = m->cycles; /* wraps below zero after a settle; the sum does not */
    if (!m->counting_inline) return cycles;
    for (const mct_record_chunk *chunk = m->chunks; chunk; chunk = chunk->next) {
        for (uint32_t i = 0; i < chunk->used; i++) {
            const mct_block_record *r = &chunk->records[i];
            const uc_block_counter *c = &r->counter;
            cycles += c->runs * r->cycles + c->fell * r->fall_cycles + (c->runs - c->fell) * r->jump_cycles;
        }
    }
    /* The block in progress: counted above as leaving by a jump, which it has not yet. */
    const mct_block_record *last = (const mct_block_record *)m->counting.last;
    if (last) cycles -= last->jump_cycles;
    return cycles;
}

uint64_t mct_meter_instructions(const mct_meter *m) {
    uint64_t instructions = m->instructions;
    for (const mct_record_chunk *chunk = m->chunks; chunk; chunk = chunk->next) {
        for (uint32_t i = 0; i < chunk->used; i++) instructions += chunk->records[i].counter.runs * chunk->records[i].instructions;
    }
    return instructions;
}

void mct_meter_begin(mct_meter *m) {
    m->stop_reason = MCT_STOP_NONE;
    m->previous = NULL;
    if (!m->counting_inline) return;
    m->counting.last = NULL;
    uint64_t now = mct_meter_cycles(m);
    share_out(m, now < m->cycle_limit ? m->cycle_limit - now - 1 : 0);
}

void mct_meter_settle(mct_meter *m) {
    if (m->previous) m->cycles += m->previous->fall_cycles;
    m->previous = NULL;
    const mct_block_record *last = (const mct_block_record *)m->counting.last;
    if (last) m->cycles += (uint64_t)last->fall_cycles - last->jump_cycles;
    m->counting.last = NULL;
}

void mct_counting_release(mct_meter *m) {
    while (m->chunks) {
        mct_record_chunk *next = m->chunks->next;
        free(m->chunks);
        m->chunks = next;
    }
}
