/* Host driver: the same generated C compiled natively (with sanitizers in the tests), driven
 * over stdin/stdout. Commands: 'i' seed(u32) -> ack byte; 't' label(i32) input[MCT_INPUT_SIZE]
 * -> prediction, p_true, backward_macs, trained, kept[MCT_SELECTING_LAYERS], logits[MCT_CLASSES]
 * (i32 each); 'p' input -> prediction, logits. */
#include <stdio.h>
#include "mct_model.h"

static int read_all(void *p, size_t n) { return fread(p, 1, n, stdin) == n; }
static void write_all(const void *p, size_t n) { fwrite(p, 1, n, stdout); }

int main(void) {
    int cmd;
    while ((cmd = getchar()) != EOF) {
        int32_t value = 0;
        if (cmd == 'i') {
            uint32_t seed;
            if (!read_all(&seed, sizeof seed)) return 2;
            mct_init(seed);
            putchar('k');
        } else if (cmd == 't' || cmd == 'p') {
            if (cmd == 't' && !read_all(&value, sizeof value)) return 2;
            if (!read_all(mct_input, MCT_INPUT_SIZE)) return 2;
            int32_t prediction = cmd == 't' ? mct_train_step(value) : mct_predict();
            write_all(&prediction, sizeof prediction);
            if (cmd == 't') {
                int32_t effort[2 + MCT_SELECTING_LAYERS] = {(int32_t)mct_backward_macs, mct_trained};
#if MCT_SELECTING_LAYERS > 0
                for (int l = 0; l < MCT_SELECTING_LAYERS; l++) effort[2 + l] = mct_trained ? mct_kept[l] : 0;
#endif
                write_all(&mct_p_true, sizeof mct_p_true);
                write_all(effort, sizeof effort);
            }
            write_all(mct_logits, MCT_CLASSES * sizeof(int32_t));
        } else {
            return 3;
        }
        fflush(stdout);
    }
    return 0;
}
