// What meter.c (the hooks, the cost table) and counting.c (inline counting) share.
#ifndef MCT_METER_INTERNAL_H
#define MCT_METER_INTERNAL_H

#include "CUnicorn.h"

/// The block's cost entry, timed by the classify callback on a miss; NULL if that failed or
/// memory ran out. Entries move when the table grows.
mct_block_cost *mct_lookup(mct_meter *m, uint32_t address, uint32_t size);

/// Whether a stop reason is recorded: the first one is the one reported.
bool mct_stopping(const mct_meter *m);

/// Hands the meter's counters to Unicorn (mct_meter_attach with counting).
uc_err mct_counting_attach(uc_engine *uc, mct_meter *m);

/// Makes the next start of any block call the meter (divides used up the slack, or the
/// run must stop at the next block boundary).
void mct_counting_look_soon(mct_meter *m);

void mct_counting_release(mct_meter *m);

#endif
