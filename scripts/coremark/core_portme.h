/* Port layer for running CoreMark under mcutrain (written for MCUTrain, not EEMBC code). */
#include <stdint.h>
#include <stddef.h>
#define HAS_FLOAT 0
#define HAS_TIME_H 0
#define USE_CLOCK 0
#define HAS_STDIO 1
#define HAS_PRINTF 1
#define SEED_METHOD SEED_VOLATILE
#define MEM_METHOD MEM_STATIC
#define MULTITHREAD 1
#define MAIN_HAS_NOARGC 1
#define MAIN_HAS_NORETURN 0
#define COMPILER_REQUIRES_SORT_RETURN 0
/* 16 bytes for two pointers whatever the pointer size, as current CoreMark does. */
#define POINTER_SPACE 8
typedef int16_t ee_s16;
typedef uint16_t ee_u16;
typedef int32_t ee_s32;
typedef uint32_t ee_u32;
typedef uint8_t ee_u8;
typedef uintptr_t ee_ptr_int;
typedef size_t ee_size_t;
typedef uint32_t CORE_TICKS;
typedef struct { ee_u8 portable_id; } core_portable;
#define align_mem(x) (void *)(4 + (((ee_ptr_int)(x)-1) & ~3))
