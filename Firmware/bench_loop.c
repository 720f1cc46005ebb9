/* Benchmark driver: n training steps in one call, on synthetic inputs, so emulator speed is
 * measured without host round trips. Returns how many steps predicted their label. */
#include "mct_model.h"

int32_t mct_bench_steps(int32_t n) {
    int32_t correct = 0;
    for (int32_t i = 0; i < n; i++) {
        for (int32_t k = 0; k < MCT_INPUT_SIZE; k++) mct_input[k] = (int8_t)((i * 7 + k * 13) & 127);
        correct += mct_train_step(i % MCT_CLASSES) == i % MCT_CLASSES;
    }
    return correct;
}

/* Branch-heavy driver: a pseudo-random walk through short, data-dependent blocks (a few
 * instructions between branches, taken either way), the shape that costs the cycle meter
 * most per instruction. Returns a checksum so raw and accounted runs can be compared. */
uint32_t mct_bench_branches(uint32_t n) {
    uint32_t x = 0x9E3779B9u, sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        if (x & 1) sum += x; else sum ^= x;
        if (x & 2) sum = (sum << 1) | (sum >> 31);
        switch ((x >> 2) & 3) {
        case 0: sum += 3; break;
        case 1: sum -= i; break;
        case 2: if (sum > x) sum -= x; break;
        default: sum ^= i << 3; break;
        }
    }
    return sum;
}
