/* Reset and vector table for every board: the linker script generated from the board file
 * supplies the symbols. On a real board Reset_Handler runs; the emulator host loads .data at
 * its run address itself and calls firmware functions directly. */
#include <stdint.h>

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __StackTop;

int main(void);

void Reset_Handler(void) {
    const uint32_t *src = &__data_load__;
    for (uint32_t *dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
    main();
    for (;;) {
    }
}

void Default_Handler(void) {
    for (;;) {
    }
}

typedef void (*mct_vector_t)(void);

/* Initial stack pointer, reset, then NMI..SysTick all parked in Default_Handler. */
__attribute__((section(".vectors"), used)) const mct_vector_t mct_vectors[16] = {
    (mct_vector_t)(uintptr_t)&__StackTop, Reset_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, 0,
    Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
};
