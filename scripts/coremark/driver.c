/* CoreMark's performance run (seeds 0, 0, 0x66; 2000 bytes of data split over list, matrix
 * and state) timed with DWT_CYCCNT: prints the CRCs to check against CoreMark's known values
 * and cycles per iteration (CoreMark/MHz = 1e6 / cycles per iteration). */
#include <stdio.h>
#include <stdlib.h>
#include "coremark.h"

#define DEMCR (*(volatile uint32_t *)0xE000EDFC)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004)

volatile ee_s32 seed1_volatile = 0, seed2_volatile = 0, seed3_volatile = 0x66, seed4_volatile = 0, seed5_volatile = 0;
static ee_u8 memory[TOTAL_DATA_SIZE] __attribute__((aligned(8)));

int main(int argc, char **argv) {
    ee_u32 iterations = argc > 1 ? (ee_u32)atoi(argv[1]) : 20;
    core_results r = {0};
    r.seed1 = seed1_volatile; r.seed2 = seed2_volatile; r.seed3 = seed3_volatile;
    r.size = TOTAL_DATA_SIZE / NUM_ALGORITHMS;
    r.execs = ALL_ALGORITHMS_MASK;
    r.memblock[0] = memory;
    for (int i = 0; i < NUM_ALGORITHMS; i++) r.memblock[i + 1] = memory + r.size * i;
    r.list = core_list_init(r.size, r.memblock[1], r.seed1);
    core_init_matrix(r.size, r.memblock[2], (ee_s32)r.seed1 | ((ee_s32)r.seed2 << 16), &r.mat);
    core_init_state(r.size, r.seed1, r.memblock[3]);
    DEMCR |= 1u << 24;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1;
    uint32_t start = DWT_CYCCNT;
    for (ee_u32 i = 0; i < iterations; i++) {
        ee_u16 crc = core_bench_list(&r, 1);
        r.crc = crcu16(crc, r.crc);
        crc = core_bench_list(&r, -1);
        r.crc = crcu16(crc, r.crc);
        if (i == 0) r.crclist = r.crc;
    }
    uint32_t cycles = DWT_CYCCNT - start;
    printf("crclist 0x%04x crcmatrix 0x%04x crcstate 0x%04x\n", r.crclist, r.crcmatrix, r.crcstate);
    printf("%lu iterations, %lu cycles, %lu cycles/iteration, CoreMark/MHz x1000 = %lu\n",
           (unsigned long)iterations, (unsigned long)cycles, (unsigned long)(cycles / iterations),
           (unsigned long)(1000000000ull * iterations / cycles));
    return (r.crclist == 0xe714 && r.crcmatrix == 0x1fd7 && r.crcstate == 0x8e3a) ? 0 : 1;
}
