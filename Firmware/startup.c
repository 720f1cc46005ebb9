/* Reset and vector table for every board: the linker script generated from the board file
 * supplies the symbols. On a real board Reset_Handler runs; the emulator host loads the image
 * as a flash programmer would (.data initialisers in flash) and also places .data at its run
 * address, then either calls firmware functions directly or, for `mcutrain run`, starts at
 * _start. */
#include <stdint.h>

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __StackTop;

int main(void);

/* Reports main's status through semihosting SYS_EXIT_EXTENDED (ADP_Stopped_ApplicationExit).
 * Without a debugger attached this BKPT faults, but only once main has returned. */
static void mct_exit(int status) {
    uint32_t block[2] = {0x20026u, (uint32_t)status};
    register uint32_t op __asm__("r0") = 0x20u;
    register uint32_t *arg __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
}

/* Kept as plain loops whatever the user's flags: there may be no memcpy/memset to call. */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) void Reset_Handler(void) {
    const uint32_t *src = &__data_load__;
    for (uint32_t *dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
    mct_exit(main());
    for (;;) {
    }
}

/* The entry point; newlib's crt0 (--specs=rdimon.specs) overrides it with its own _start. */
void _start(void) __attribute__((weak, alias("Reset_Handler")));

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
