/* Board entry point. An application on real hardware fills mct_input from its sensor and calls
 * mct_train_step(label) or mct_predict(); the emulator host calls those functions directly. */
#include "mct_model.h"

int main(void) {
    mct_init(1u);
    for (;;) {
        __asm__ volatile("wfi");
    }
}
