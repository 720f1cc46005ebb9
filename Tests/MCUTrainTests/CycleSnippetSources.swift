import XCTest

/// The snippets of the cycle proof suite: hand-written Thumb with expected counts from the TRM.
enum SnippetSource {
    static let dataProcessing = [
        Snippet(name: "alu", cycles: 13, instructions: 11, assembly: """
            adds r1, r0, #1      @ 1
            subs r2, r1, r0      @ 1
            ands r2, r1          @ 1
            orrs r2, r1          @ 1
            eors r2, r1          @ 1
            mov r3, r2           @ 1
            movw r3, #0x1234     @ 1
            lsls r2, r2, #3      @ 1
            asrs r2, r2, #1      @ 1
            ror r2, r2, r1       @ 1
            bx lr                @ 3
            """),
        Snippet(name: "extend", cycles: 9, assembly: """
            sxtb r1, r0          @ 1
            uxth r2, r0          @ 1
            sxtb16 r3, r0        @ 1
            uxtb16 r3, r0        @ 1
            sxtah r1, r2, r3     @ 1
            rev r1, r0           @ 1
            bx lr                @ 3
            """),
        Snippet(name: "bitfield", cycles: 8, assembly: """
            ubfx r1, r0, #4, #8  @ 1
            sbfx r2, r0, #0, #12 @ 1
            bfi r3, r0, #8, #4   @ 1
            bfc r3, #0, #4       @ 1
            rbit r1, r0          @ 1
            bx lr                @ 3
            """),
        Snippet(name: "saturate_clz", args: [0x1234], cycles: 7, value: 19, assembly: """
            ssat r2, #8, r1      @ 1
            usat r3, #8, r1      @ 1
            ssat16 r2, #4, r1    @ 1
            clz r0, r1           @ 1: 0x1234 has 19 leading zeros
            bx lr                @ 3
            """),
        Snippet(name: "it_block", args: [5, 3], cycles: 10, value: 8, assembly: """
            cmp r1, r2           @ 1
            ite gt               @ 1
            movgt r0, r1         @ 1: executes
            movle r0, r2         @ 1: skipped, still 1
            itt gt               @ 1
            addgt r0, #1         @ 1
            addgt r0, #2         @ 1
            bx lr                @ 3
            """),
    ]

    static let multiplies = [
        Snippet(name: "multiply", args: [3, 4, 5], cycles: 7, assembly: """
            muls r1, r2, r1      @ 1
            mul r2, r1, r3       @ 1
            mla r3, r1, r2, r3   @ 1
            mls r3, r1, r2, r3   @ 1
            bx lr                @ 3
            """),
        Snippet(name: "long_multiply", cycles: 7, assembly: """
            smull r1, r2, r0, r3 @ 1 on the M4 (the M3 needs 3..7)
            umull r1, r2, r0, r3 @ 1
            smlal r1, r2, r0, r3 @ 1
            umlal r1, r2, r0, r3 @ 1
            bx lr                @ 3
            """),
        Snippet(name: "dsp", args: [0x0002_0003, 0x0004_0005], cycles: 11, assembly: """
            smlabb r3, r1, r2, r3 @ 1
            smlad r3, r1, r2, r3  @ 1
            smuad r3, r1, r2      @ 1
            smultt r3, r1, r2     @ 1
            qadd r3, r1, r2       @ 1
            qsub r3, r1, r2       @ 1
            sadd16 r3, r1, r2     @ 1
            uqadd8 r3, r1, r2     @ 1
            bx lr                 @ 3
            """),
    ]

    static let loadsAndStores = [
        Snippet(name: "load_single", cycles: 5, instructions: 2, assembly: """
            ldr r1, [r0]         @ 2
            bx lr                @ 3
            """),
        Snippet(name: "load_run_independent", cycles: 8, assembly: """
            ldr r1, [r0]         @ 2
            ldr r2, [r0, #4]     @ 1: pipelined, its address does not need r1
            ldrb r3, [r0, #8]    @ 1
            ldrh r12, [r0, #12]  @ 1
            bx lr                @ 3
            """),
        Snippet(name: "load_chain_dependent", cycles: 9, assembly: """
            ldr r1, [r0]         @ 2: word 0 of snippet_data holds its own address
            ldr r2, [r1]         @ 2: base is the register just loaded
            ldr r3, [r2, #4]     @ 2: again
            bx lr                @ 3
            """),
        Snippet(name: "store_run", cycles: 7, assembly: """
            str r1, [r0, #16]    @ 1: immediate offset, the write buffer takes the data
            str r2, [r0, #20]    @ 1
            strb r3, [r0, #24]   @ 1
            strh r1, [r0, #26]   @ 1
            bx lr                @ 3
            """),
        Snippet(name: "load_store_mixed", cycles: 10, assembly: """
            movs r3, #20         @ 1
            ldr r1, [r0, #4]     @ 2
            str r1, [r0, #16]    @ 1: immediate offset
            ldr r2, [r0, #16]    @ 2: nothing pipelines behind a store
            str r2, [r0, r3]     @ 1: register offset, pipelined behind a load not feeding its address
            bx lr                @ 3
            """),
        Snippet(name: "double_word", cycles: 9, assembly: """
            ldrd r2, r3, [r0]        @ 1 + 2
            strd r2, r3, [r0, #32]   @ 1 + 2
            bx lr                    @ 3
            """),
    ]

    static let multiples = [
        Snippet(name: "ldm_stm", cycles: 11, assembly: """
            ldmia r0!, {r1-r3}   @ 1 + 3
            stmia r0!, {r1-r3}   @ 1 + 3
            bx lr                @ 3
            """),
        Snippet(name: "push_pop", cycles: 13, instructions: 3, assembly: """
            push {r4-r7}         @ 1 + 4
            pop {r4-r7}          @ 1 + 4
            bx lr                @ 3
            """),
        Snippet(name: "pop_pc", cycles: 13, instructions: 3, assembly: """
            push {r4-r6, lr}     @ 1 + 4
            adds r4, #1          @ 1
            pop {r4-r6, pc}      @ 1 + 4 + P, P = 2 (target from memory)
            """),
    ]

    static let branches = [
        Snippet(name: "branch_forward", cycles: 6, instructions: 3, assembly: """
            b 1f                 @ at 0: 1 + P, P = 1 (target word-aligned)
            nop                  @ at 2: skipped
        1:  adds r1, #1          @ at 4: 1
            bx lr                @ 3
        """),
        Snippet(name: "branch_to_wide", cycles: 7, instructions: 3, assembly: """
            b 1f                 @ at 0: 1 + P, P = 2 (32-bit target at a halfword)
            nop                  @ at 2: skipped
            nop                  @ at 4: skipped
        1:  adds.w r1, r1, #1    @ at 6: 1
            bx lr                @ 3
        """),
        Snippet(name: "counted_loop", cycles: 18, instructions: 12, assembly: """
            movs r1, #5          @ at 0: 1
        1:  subs r1, #1          @ at 2: 1, five times
            bne 1b               @ taken 1 + P, P = 1 (16-bit target), four times; not taken 1, once
            bx lr                @ 3
        """),
        Snippet(name: "compare_and_branch", args: [0], cycles: 6, instructions: 3, assembly: """
            cbz r1, 1f           @ at 0: taken, 1 + P, P = 1 (target word-aligned)
            nop                  @ at 2: skipped
        1:  cbnz r1, 2f          @ at 4: not taken, 1
            bx lr                @ 3
        2:  bx lr
        """),
        Snippet(name: "call", cycles: 14, instructions: 5, value: 1, assembly: """
            push {r4, lr}        @ at 0: 1 + 2
            bl 1f                @ at 2: 1 + P, P = 1 (target word-aligned)
            pop {r4, pc}         @ at 6: 1 + 2 + P, P = 2 (target from memory)
            .balign 4
        1:  movs r0, #1          @ at 8: 1
            bx lr                @ 3
        """),
        Snippet(name: "call_register", cycles: 17, instructions: 6, assembly: """
            push {r4, lr}        @ 1 + 2
            ldr r1, =helper_increment @ 2
            blx r1               @ 1 + P, P = 2 (register target)
            pop {r4, pc}         @ 1 + 2 + P, P = 2; the helper adds 1 + 3
            .ltorg
            """),
        Snippet(name: "tail_call_register", cycles: 9, instructions: 4, assembly: """
            ldr r1, =helper_increment @ 2
            bx r1                @ 1 + P, P = 2 (register target); the helper adds 1 + 3
            .ltorg
            """),
        Snippet(name: "load_pc", cycles: 7, instructions: 2, assembly: """
            push {lr}            @ 1 + 1
            ldr pc, [sp], #4     @ 2 + 3: the TRM's LDR PC, a blocking load and a 3-cycle reload
            """),
        Snippet(name: "table_byte", args: [1], cycles: 8, instructions: 3, value: 20, assembly: """
            tbb [pc, r1]         @ 2 + P, P = 2 (target read from the table)
        1:  .byte (2f - 1b) / 2
            .byte (3f - 1b) / 2
        2:  movs r0, #10
            bx lr
        3:  movs r0, #20         @ 1
            bx lr                @ 3
        """),
        Snippet(name: "table_halfword", args: [1], cycles: 8, instructions: 3, value: 20, assembly: """
            tbh [pc, r1, lsl #1] @ 2 + P, P = 2
        1:  .hword (2f - 1b) / 2
            .hword (3f - 1b) / 2
        2:  movs r0, #10
            bx lr
        3:  movs r0, #20         @ 1
            bx lr                @ 3
        """),
    ]

    static let barriers = [
        Snippet(name: "barriers", cycles: 9, instructions: 4, assembly: """
            dmb                  @ 1 + B, B = 1 (charged as one buffered store draining)
            dsb                  @ 1 + B, B = 1
            isb                  @ at 8: 1 + P, P = 1 (next instruction word-aligned at 12)
            bx lr                @ 3
            """),
    ]

    static let floatingPoint = [
        Snippet(name: "fp_arithmetic", args: [0x3FC0_0000, 0x4020_0000], cycles: 14, value: 10, assembly: """
            vmov s0, r1              @ 1: 1.5
            vmov s1, r2              @ 1: 2.5
            vadd.f32 s2, s0, s1      @ 1: 4
            vsub.f32 s3, s2, s0      @ 1: 2.5
            vmul.f32 s4, s2, s3      @ 1: 10
            vneg.f32 s5, s4          @ 1
            vabs.f32 s6, s5          @ 1
            vcmp.f32 s6, s4          @ 1
            vmrs APSR_nzcv, fpscr    @ 1
            vcvt.s32.f32 s7, s6      @ 1
            vmov r0, s7              @ 1
            bx lr                    @ 3
            """),
        Snippet(name: "fp_multiply_accumulate", cycles: 15, assembly: """
            vmov s0, r1              @ 1
            vmov s1, r2              @ 1
            vmla.f32 s2, s0, s1      @ 3
            vfma.f32 s2, s0, s1      @ 3
            vmls.f32 s2, s0, s1      @ 3
            vmov r0, s2              @ 1
            bx lr                    @ 3
            """),
        Snippet(name: "fp_divide_sqrt", args: [0x4100_0000, 0x4000_0000], cycles: 34, value: 0x4000_0000, assembly: """
            vmov s0, r1              @ 1: 8
            vmov s1, r2              @ 1: 2
            vdiv.f32 s2, s0, s1      @ 14: 4
            vsqrt.f32 s3, s2         @ 14: 2
            vmov r0, s3              @ 1
            bx lr                    @ 3
            """),
        Snippet(name: "fp_load_store", cycles: 20, assembly: """
            vldr s0, [r0, #4]        @ 1 + 1
            vldr d1, [r0, #8]        @ 1 + 2
            vstr s0, [r0, #40]       @ 1 + 1
            vpush {s16-s19}          @ 1 + 4
            vpop {s16-s19}           @ 1 + 4
            bx lr                    @ 3
            """),
    ]

    /// Each costs 2..12 by the operands (see `testDivideEarlyTermination`); here 100 / 7, q = 5.
    static let divides = [
        Snippet(name: "udiv", args: [100, 7], cycles: 6, value: 14, assembly: """
            udiv r0, r1, r2      @ 1 + ⌈5/3⌉ = 3
            bx lr                @ 3
            """),
        Snippet(name: "sdiv", args: [100, UInt32(bitPattern: -7)], cycles: 6, value: UInt32(bitPattern: -14), assembly: """
            sdiv r0, r1, r2      @ 3, on magnitudes
            bx lr                @ 3
            """),
    ]

    static var all: [Snippet] { dataProcessing + multiplies + loadsAndStores + multiples + branches + barriers + floatingPoint + divides }

    /// Every snippet as a global Thumb function, plus `main` for the startup code, the helper
    /// the register calls reach, and the data r0 points at.
    static var file: String {
        let functions = all.map { s in """
                .balign 64
                .global snippet_\(s.name)
                .type snippet_\(s.name), %function
                .thumb_func
            snippet_\(s.name):
            \(s.assembly)

            """
        }
        return """
            .syntax unified
            .thumb
            .fpu fpv4-sp-d16
            .text
            .global main
            .thumb_func
        main:
            bx lr
            .balign 4
            .thumb_func
        helper_increment:
            adds r0, #1          @ 1
            bx lr                @ 3
        \(functions.joined())
            .data
            .balign 8
        snippet_data:
            .word snippet_data   @ points at itself, for dependent load chains
            .word 1, 2, 3, 4, 5, 6, 7
            .space 32

        """
    }
}
