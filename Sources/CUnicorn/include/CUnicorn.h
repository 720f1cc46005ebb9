// Plain C entry points over Unicorn for Swift: Swift cannot import Unicorn's
// function-like macros (uc_ctl_*) or its variadic uc_hook_add, so these wrap them.
// The cycle meter lives here too. It either runs a hook on every executed block (a call
// into Swift there would dominate emulation time) or, where the order of blocks does not
// matter, lets translated blocks count their own runs (the patched Unicorn built by
// scripts/unicorn/build.sh) and works out the totals when read. Swift times each new block.
#ifndef CUNICORN_H
#define CUNICORN_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

/// Opens a Thumb-only ARM engine and selects the CPU model. Must not use
/// UC_MODE_MCLASS: that forces a Cortex-M33 whatever model is asked for.
uc_err mct_open_cortex_m(int cpu_model, uc_engine **out);

/// Reads back the CPU model, to check the selection took.
int mct_cpu_model(uc_engine *uc);

/// Drops all translated blocks, so hooks added later see every block.
uc_err mct_flush_blocks(uc_engine *uc);

/// Timing of one translated block: what the cycle model worked out once.
typedef struct mct_block_cost {
    uint32_t address;       ///< first instruction
    uint32_t size;          ///< bytes; address + size is the fall-through address
    uint32_t instructions;  ///< instructions in the block
    uint32_t cycles;        ///< all but the last instruction's branch outcome
    uint32_t fall_cycles;   ///< added when the next block starts at address + size
    uint32_t jump_cycles;   ///< added when it starts anywhere else (branch taken)
    uint32_t mispredict_cycles; ///< added when the predictor guessed the outcome wrong
    uint32_t predictor;     ///< the guess kept between runs of the block: a 2-bit counter or the last target
    uint8_t prediction;     ///< MCT_PREDICT_*: how the block's last instruction is guessed
    /// The blocks that followed last time on each path, so the next run of this block finds its
    /// successor without a hash lookup (cleared when the table grows).
    struct mct_block_cost *fall_next, *jump_next;
} mct_block_cost;

/// How the meter guesses the outcome of a block's last instruction (cores with branch prediction).
enum { MCT_PREDICT_NONE = 0, MCT_PREDICT_DIRECTION = 1, MCT_PREDICT_TARGET = 2 };

/// Called on a cache miss; fills `out` from the block's code. Returns false to stop the run.
typedef bool (*mct_classify_fn)(void *context, uint32_t address, uint32_t size, mct_block_cost *out);

/// Cycles of one SDIV/UDIV from its operands (the core's early-termination rule).
typedef uint32_t (*mct_divide_fn)(void *context, uint32_t dividend, uint32_t divisor, bool is_signed);

/// An instruction watched by a code hook just before it runs: a divide, to charge its
/// data-dependent cycles (and trap division by zero), or a load/store that must be word
/// aligned whatever CCR says (LDRD/STRD/LDM/STM), to fault when its address is not.
typedef enum mct_site_kind { MCT_SITE_DIVIDE, MCT_SITE_WORD_ACCESS } mct_site_kind;

typedef struct mct_site {
    struct mct_meter *meter;
    uint32_t address;
    mct_site_kind kind;
    int first_register;   ///< Unicorn register id: a divide's dividend, an access's base
    int second_register;  ///< a divide's divisor
    bool is_signed;       ///< divide: SDIV
    uint32_t minimum;     ///< divide: cycles already counted in the block's cost
    int32_t offset;       ///< access: added to the base to form the first address
    uc_hook hook;
} mct_site;

/// What a UsageFault (MCT_STOP_USAGE_FAULT) was.
typedef enum mct_fault_kind {
    MCT_FAULT_UNALIGNED = 1,          ///< UFSR.UNALIGNED: LDRD/STRD/LDM/STM, fault_pc is the instruction
    MCT_FAULT_UNALIGNED_TRAPPED = 2,  ///< UFSR.UNALIGNED under CCR.UNALIGN_TRP, fault_pc is its block's start
    MCT_FAULT_DIVIDE_BY_ZERO = 3,     ///< UFSR.DIVBYZERO
} mct_fault_kind;

/// One translation of a block under inline counting: the counters its translated code
/// updates, and the block's costs, copied because table entries move when the table grows.
typedef struct mct_block_record {
    uc_block_counter counter;  ///< first: the translated code holds its address
    uint32_t address, size, instructions, cycles, fall_cycles, jump_cycles;
    bool failed;               ///< the cycle model could not time the block
    bool stale;                ///< translated without a code hook its timing added
} mct_block_record;

/// Records are allocated in chunks that never move: translated code points into them.
typedef struct mct_record_chunk {
    struct mct_record_chunk *next;
    uint32_t used;
    mct_block_record records[256];
} mct_record_chunk;

/// Why the last run stopped, beyond what uc_emu_start returned.
typedef enum mct_stop_reason {
    MCT_STOP_NONE = 0,
    MCT_STOP_INVALID_MEMORY = 1,  ///< access outside the memory map
    MCT_STOP_INTERRUPT = 2,       ///< BKPT, SVC or another exception
    MCT_STOP_CYCLE_LIMIT = 3,     ///< cycle budget used up
    MCT_STOP_CLASSIFY_FAILED = 4, ///< the cycle model could not time a block
    MCT_STOP_USAGE_FAULT = 5,     ///< a fault the core raises itself: see fault_kind
} mct_stop_reason;

typedef struct mct_meter {
    /// Everything with the hook; with inline counting only what the block records leave out
    /// (divides' extra cycles, the last block's outcome). Read through mct_meter_cycles.
    uint64_t cycles;
    uint64_t flash_stall_cycles;  ///< part of cycles: instruction fetches waiting on flash
    uint64_t instructions;        ///< read through mct_meter_instructions
    uint64_t cycle_limit;         ///< stop once cycles reach this (always set: a run has a limit)
    /// The block just counted, whose last instruction's outcome the next block settles;
    /// NULL at the start of a run. Valid until the table grows, which only a lookup does.
    mct_block_cost *previous;
    /* what stopped the run */
    mct_stop_reason stop_reason;
    uint32_t fault_address;
    uint32_t fault_pc;
    uint32_t fault_type;          ///< uc_mem_type of a bad access
    uint32_t interrupt_number;
    mct_fault_kind fault_kind;    ///< for MCT_STOP_USAGE_FAULT
    uint32_t fault_size;          ///< bytes of the access, for MCT_FAULT_UNALIGNED_TRAPPED
    /* block cost cache: open addressing on the block address */
    mct_block_cost *table;
    uint32_t capacity;            ///< power of two
    uint32_t count;
    mct_classify_fn classify;
    void *classify_context;
    uc_hook block_hook, invalid_hook, interrupt_hook;
    /* flash fetch timing: a direct-mapped line cache in front of wait-stated flash */
    uint32_t flash_base, flash_end, wait_states, line_shift, cache_mask;
    uint32_t *cache_tags;         ///< NULL when the board has no cache
    bool prefetch;
    uint32_t last_line;
    /* data-dependent divides */
    mct_divide_fn divide_cost;
    void *divide_context;
    /* watched instructions */
    mct_site **sites;
    uint32_t site_count, site_capacity;
    /* CCR traps the firmware enabled */
    bool trap_divide_by_zero;     ///< CCR.DIV_0_TRP
    bool trap_unaligned;          ///< CCR.UNALIGN_TRP, checked by the access hook once installed
    bool needs_access_hook;       ///< set when UNALIGN_TRP is first enabled: see mct_meter_set_traps
    bool has_access_hook;
    uc_hook access_hook;
    /* inline counting (mct_meter_attach with counting = true) */
    bool counting_inline;
    uc_block_counting counting;
    /// Cycles the runs allowed by the records' limits leave before the cycle limit, for the
    /// divides' extra cycles; below zero, every block start looks.
    int64_t slack;
    mct_record_chunk *chunks;     ///< newest first
    mct_block_record unavailable; ///< handed out when no chunk can be allocated: stops the run
    bool translating;             ///< timing a block from inside Unicorn's translator
    /// A block's translation lacks a code hook its timing added: the run stopped before it
    /// ran (fault_pc) so that mct_meter_resume drops the translation.
    mct_block_record *stale;
} mct_meter;

/// Installs the invalid-memory and interrupt hooks and the block meter: a hook per block, or
/// with `counting`, counters in the translated code (exact only where a block's cost does not
/// depend on the blocks before it: no flash wait states, no branch prediction). Call before
/// the first run.
uc_err mct_meter_attach(uc_engine *uc, mct_meter *meter, mct_classify_fn classify, void *context, bool counting);

/// Cycles and instructions so far, also during a run (DWT_CYCCNT): the current block's
/// cycles are in, its last instruction's outcome is not.
uint64_t mct_meter_cycles(const mct_meter *meter);
uint64_t mct_meter_instructions(const mct_meter *meter);

/// Starts a run: clears the stop reason and the previous block, and sets what is left of the
/// cycle limit.
void mct_meter_begin(mct_meter *meter);

/// Times instruction fetches from [base, base+size): `wait_states` per line fetched from flash,
/// `cache_lines` direct-mapped lines of `line_bytes` in front (0 = none); with `prefetch`,
/// the line after the previous fetch arrives without waiting. Resets the cache.
bool mct_meter_set_flash(mct_meter *meter, uint32_t base, uint32_t size, uint32_t wait_states,
                         uint32_t line_bytes, uint32_t cache_lines, bool prefetch);

void mct_meter_set_divide_cost(mct_meter *meter, mct_divide_fn cost, void *context);

/// Hooks the divide at `address` (registers given as 0..14 = r0..lr) and drops its translated
/// block so the hook takes effect from the next execution on (with inline counting, a block
/// being translated is dropped before it first runs: see `stale`).
uc_err mct_meter_watch_divide(uc_engine *uc, mct_meter *meter, uint32_t address, int dividend, int divisor,
                              bool is_signed, uint32_t minimum);

/// Hooks the LDRD/STRD/LDM/STM at `address`: it faults unless `base` (0..14) + `offset` is a
/// multiple of 4. Drops the translated block like mct_meter_watch_divide.
uc_err mct_meter_watch_word_access(uc_engine *uc, mct_meter *meter, uint32_t address, int base, int32_t offset);

/// Follows the firmware's writes to CCR. Enabling UNALIGN_TRP the first time needs a memory
/// hook, which cannot be added while code runs: this sets `needs_access_hook`, the next block
/// boundary stops the run (fault_pc = where to resume), and the caller installs the hook
/// (mct_meter_resume) and resumes. Like the architecture, which only promises the
/// change after an ISB, accesses later in the same block are not yet checked.
void mct_meter_set_traps(mct_meter *meter, bool unaligned, bool divide_by_zero);

/// Whether the run stopped at a block boundary (fault_pc) only to change hooks or translations,
/// to be resumed there after mct_meter_resume.
bool mct_meter_stopped_to_resume(const mct_meter *meter);

/// Does what such a stop was for: adds the hook that faults unaligned halfword and word
/// accesses while `trap_unaligned` is set (dropping translated blocks so every access sees
/// it), or drops a stale translation.
uc_err mct_meter_resume(uc_engine *uc, mct_meter *meter);

/// Accounts the last block's outcome as a fall-through (the run ended there). Call after
/// every run.
void mct_meter_settle(mct_meter *meter);

void mct_meter_release(mct_meter *meter);

#endif
