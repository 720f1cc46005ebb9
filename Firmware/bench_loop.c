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
