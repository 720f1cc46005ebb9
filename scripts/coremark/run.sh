#!/usr/bin/env bash
# Cycle-model check against published CoreMark figures: builds EEMBC CoreMark's benchmark
# files (list, matrix, state, util) from an unmodified checkout with arm-none-eabi-gcc 12 at
# -O2, links them with driver.c (CoreMark's performance run timed with DWT_CYCCNT), and runs
# them under `mcutrain run` on a zero-wait-state Cortex-M4 and Cortex-M7. CoreMark is not
# shipped with MCUTrain (no Debian or PyPI package carries it): pass its directory.
#   scripts/coremark/run.sh /path/to/coremark [iterations]
set -euo pipefail
src=${1:?usage: $0 COREMARK_DIR [iterations]}
iterations=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
mcutrain=${MCUTRAIN:-$here/../../.build/release/mcutrain}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for core in m4 m7; do
    "$mcutrain" board-files "$here/$core-zero-wait.json" --out "$out/$core" >/dev/null
    arm-none-eabi-gcc -mcpu=cortex-$core -mthumb -mfloat-abi=soft -O2 --specs=rdimon.specs -T "$out/$core/link.ld" \
        -I "$here" -I "$src" -o "$out/$core.elf" "$here/driver.c" \
        "$src/core_list_join.c" "$src/core_matrix.c" "$src/core_state.c" "$src/core_util.c"
    echo "cortex-$core:"
    "$mcutrain" run "$out/$core.elf" --board "$here/$core-zero-wait.json" "$iterations" 2>/dev/null
done
