import Foundation
import MCUTrain
import XCTest

/// Each case is real Thumb code assembled at test time, timed by a core model (the
/// Cortex-M4 unless named), and checked against a count worked out by hand from the core's
/// TRM table (one comment per instruction). Expected values read (instructions, cycles,
/// fallCycles, jumpCycles).
final class CycleModelTests: XCTestCase {
    func testALURunCostsOneEach() throws {
        let t = try timing("""
            adds r0, r1, r2      @ 1
            subs r3, r3, #1      @ 1
            lsls r4, r4, #2      @ 1
            uxtb r5, r6          @ 1
            ubfx r7, r0, #4, #3  @ 1
            ssat r1, #8, r2      @ 1
            clz r2, r3           @ 1, last: no branch, so fall = jump = 1
            """)
        expect(t, 7, 6, fall: 1, jump: 1)
    }

    func testMultipliesCostOne() throws {
        let t = try timing("""
            muls r0, r1, r0          @ 1
            mla r2, r3, r4, r5       @ 1
            smlad r6, r7, r8, r9     @ 1
            smull r0, r1, r2, r3     @ 1
            umlal r4, r5, r6, r7     @ 1, last
            """)
        expect(t, 5, 4, fall: 1, jump: 1)
    }

    func testIndependentLoadsPipeline() throws {
        let t = try timing("""
            ldr r0, [r1]         @ 2
            ldr r2, [r3, #4]     @ 1: address does not use r0
            ldrh r4, [r5, r6]    @ 1, last
            """)
        expect(t, 3, 3, fall: 1, jump: 1)
    }

    func testLoadFeedingNextBaseDoesNotPipeline() throws {
        let t = try timing("""
            ldr r0, [r1]         @ 2
            ldr r2, [r0, #4]     @ 2: base is the register just loaded, last
            """)
        expect(t, 2, 2, fall: 2, jump: 2)
    }

    func testLoadFeedingNextOffsetDoesNotPipeline() throws {
        let t = try timing("""
            ldr r0, [r1]         @ 2
            ldrb r2, [r3, r0]    @ 2: offset register is the one just loaded, last
            """)
        expect(t, 2, 2, fall: 2, jump: 2)
    }

    func testStoringTheLoadedValuePipelines() throws {
        let t = try timing("""
            ldr r0, [r1]         @ 2
            str r0, [r2]         @ 1: r0 is data, not address, last
            """)
        expect(t, 2, 2, fall: 1, jump: 1)
    }

    func testStoresWithImmediateOffsetAlwaysTakeOne() throws {
        let t = try timing("""
            str r0, [r1]         @ 1: immediate offset, the write buffer takes the data
            str r2, [r1, #4]     @ 1
            strb r3, [r1, #8]    @ 1
            strh r4, [r1, #10]   @ 1, last
            """)
        expect(t, 4, 3, fall: 1, jump: 1)
    }

    func testNothingPipelinesAfterAStore() throws {
        let t = try timing("""
            str r0, [r1, r2]     @ 2: register offset
            str r3, [r1, r2]     @ 2: behind a store
            ldr r4, [r5]         @ 2: behind a store
            str r4, [r6, r2]     @ 1: behind a load that does not feed its address, last
            """)
        expect(t, 4, 6, fall: 1, jump: 1)
    }

    func testALUBetweenLoadsBreaksPipelining() throws {
        let t = try timing("""
            ldr r0, [r1]         @ 2
            adds r2, #1          @ 1
            ldr r3, [r4]         @ 2: not right after a load/store, last
            """)
        expect(t, 3, 3, fall: 2, jump: 2)
    }

    func testDoubleWordTransfers() throws {
        let t = try timing("""
            ldrd r0, r1, [r2]        @ 1 + 2
            strd r0, r1, [r3, #8]    @ 1 + 2, last
            """)
        // Both must be word aligned: the emulator checks r2 and r3 + 8.
        expect(t, 2, 3, fall: 3, jump: 3, wordAccesses: [.init(address: 0, baseRegister: 2, offset: 0), .init(address: 4, baseRegister: 3, offset: 8)])
    }

    func testLoadStoreMultiple() throws {
        let t = try timing("""
            ldmia r0!, {r1-r3}       @ 1 + 3
            stmdb r4!, {r5-r7}       @ 1 + 3, last
            """)
        // The decrement-before store starts 12 bytes below r4.
        expect(t, 2, 4, fall: 4, jump: 4, wordAccesses: [.init(address: 0, baseRegister: 0, offset: 0), .init(address: 2, baseRegister: 4, offset: -12)])
    }

    func testPushPopWithoutPC() throws {
        let t = try timing("""
            push {r4-r7, lr}     @ 1 + 5
            pop {r4, r5}         @ 1 + 2, last
            """)
        expect(t, 2, 6, fall: 3, jump: 3)
    }

    func testPopIntoPC() throws {
        let t = try timing("""
            adds r0, #1          @ 1
            pop {r4, pc}         @ 1 + 2 + P, P = 2 (target from memory), last
            """)
        expect(t, 2, 1, fall: 5, jump: 5)
    }

    func testBranchBackToWordAlignedStart() throws {
        let t = try timing("""
            adds r0, r0, #1      @ 1, at block_start = 0
            b block_start        @ 1 + P, P = 1 (target word-aligned), last
            """)
        expect(t, 2, 1, fall: 2, jump: 2)
    }

    func testBranchToHalfwordAligned16BitTarget() throws {
        let t = try timing("""
            nop                  @ 1, at 0
            loop:
            subs r1, #1          @ 1, at 2: 16-bit
            bne loop             @ not taken 1, taken 1 + P, P = 1 (16-bit target), last
            """)
        expect(t, 3, 2, fall: 1, jump: 2)
    }

    func testBranchToHalfwordAligned32BitTarget() throws {
        let t = try timing("""
            nop                  @ 1, at 0
            loop:
            adds.w r1, r1, #1    @ 1, at 2: 32-bit, straddles two words
            b loop               @ 1 + P, P = 2, last
            """)
        expect(t, 3, 2, fall: 3, jump: 3)
    }

    func testBranchTargetOutsideBlockNeedsCodeMemoryForWidth() throws {
        let before = """
            nop                  @ at 0
        target:
            nop                  @ at 2: 16-bit, halfword-aligned
        """
        let body = "b target             @ 1 + P, last"
        // Without code memory the target's width is unknown: P = 2.
        expect(try timing(body, before: before), 1, 0, fall: 3, jump: 3)
        // Reading the NOP (0xBF00) shows a 16-bit target: P = 1.
        let fetch: (UInt32) -> UInt16? = { $0 == 2 ? 0xBF00 : nil }
        expect(try timing(body, before: before, fetchHalfword: fetch), 1, 0, fall: 2, jump: 2)
    }

    func testBranchWithLink() throws {
        let t = try timing("""
            bl function          @ 1 + P, P = 1 (target word-aligned), last
            """, after: """
            .balign 4
        function:
            bx lr
        """)
        expect(t, 1, 0, fall: 2, jump: 2)
    }

    func testReturnWithBXLR() throws {
        let t = try timing("""
            adds r0, r1, r2      @ 1
            bx lr                @ 1 + P, P = 2 (register target), last
            """)
        expect(t, 2, 1, fall: 3, jump: 3)
    }

    func testWritesToPCBranch() throws {
        // LDR PC: the load's 2 + a reload of 3, which the TRM states for this case.
        expect(try timing("ldr pc, [sp], #4"), 1, 0, fall: 5, jump: 5)
        // MOV PC: 1 + P = 2.
        expect(try timing("mov pc, lr"), 1, 0, fall: 3, jump: 3)
    }

    func testConditionalBranchFallVersusJump() throws {
        let t = try timing("""
            cmp r0, #0           @ 1
            beq target           @ not taken 1, taken 1 + P, P = 1 (target 0), last
            """, before: """
        target:
            nop
            nop
        """)
        expect(t, 2, 1, fall: 1, jump: 2)
    }

    func testCompareAndBranchOnZero() throws {
        let t = try timing("""
            cbz r0, skip         @ not taken 1, taken 1 + P, P = 1 (target 4), last
            """, after: """
            nop
        skip:
            nop
        """)
        expect(t, 1, 0, fall: 1, jump: 2)
    }

    func testITBlockOfALUOps() throws {
        let t = try timing("""
            cmp r0, r1           @ 1
            ite gt               @ 1
            movgt r0, r1         @ 1
            movle r0, #0         @ 1
            adds r0, #1          @ 1, last: after the IT block, no branch
            """)
        expect(t, 5, 4, fall: 1, jump: 1)
    }

    func testBranchUnderIT() throws {
        let t = try timing("""
            cmp r0, #1           @ 1
            it eq                @ 1
            bxeq lr              @ skipped 1, taken 1 + P, P = 2 (register), last
            """)
        expect(t, 3, 2, fall: 1, jump: 3)
    }

    func testConditionalPopIntoPCUnderIT() throws {
        let t = try timing("""
            cmp r0, #0           @ 1
            it ne                @ 1
            popne {r4, pc}       @ skipped 1, taken 1 + 2 + P, P = 2, last
            """)
        expect(t, 3, 2, fall: 1, jump: 5)
    }

    func testDividesChargeTheirMinimumAndAreListed() throws {
        let t = try timing("""
            udiv r0, r1, r2      @ 2, at 0
            sdiv r3, r4, r12     @ 2, at 4, last; the rest comes from the operands at run time
            """)
        expect(t, 2, 2, fall: 2, jump: 2, divides: [
            DivideSite(address: 0, dividendRegister: 1, divisorRegister: 2, isSigned: false),
            DivideSite(address: 4, dividendRegister: 4, divisorRegister: 12, isSigned: true),
        ])
    }

    func testDivideEarlyTermination() throws {
        let model = try CortexM4Timing()
        XCTAssertEqual(model.minimumDivideCycles, 2)
        let negative = { (value: Int32) in UInt32(bitPattern: value) }
        // q = clz(|divisor|) − clz(|dividend|) + 1; 2 when q ≤ 3 or divisor = 0, else 1 + ⌈q/3⌉.
        let cases: [(dividend: UInt32, divisor: UInt32, signed: Bool, cycles: UInt32)] = [
            (7, 100, false, 2),                  // |dividend| < |divisor|
            (5, 0, false, 2),                    // divide by zero gives 0 at once
            (9, 3, false, 2),                    // q = 3
            (16, 3, false, 3),                   // q = 4
            (100, 7, false, 3),                  // q = 5
            (1_000_000, 3, false, 8),            // q = 19
            (negative(-1_000_000), 3, true, 8),  // magnitudes
            (1_000_000, negative(-3), true, 8),
            (negative(-1), 1, true, 2),          // |−1| = 1: q = 1
            (0xFFFF_FFFF, 1, false, 12),         // q = 32
            (0x8000_0000, 1, true, 12),          // |INT32_MIN| = 2^31: q = 32
        ]
        for c in cases {
            XCTAssertEqual(model.divideCycles(dividend: c.dividend, divisor: c.divisor, isSigned: c.signed), c.cycles,
                           "\(c.signed ? "sdiv" : "udiv") \(c.dividend) / \(c.divisor)")
        }
        let growing = (0..<32).map { model.divideCycles(dividend: 1 << $0, divisor: 1, isSigned: false) }
        XCTAssertEqual(growing, growing.sorted(), "never faster for a longer quotient")
        XCTAssertEqual(Set(growing), Set(2...12), "covers the TRM's whole range")
    }

    func testFloatingPointArithmetic() throws {
        let t = try timing("""
            vadd.f32 s0, s1, s2      @ 1
            vmla.f32 s3, s4, s5      @ 3
            vfma.f32 s6, s7, s8      @ 3
            vdiv.f32 s9, s10, s11    @ 14
            vsqrt.f32 s12, s13       @ 14
            vmul.f32 s14, s15, s16   @ 1, last
            """)
        expect(t, 6, 35, fall: 1, jump: 1)
    }

    func testFloatingPointLoadsAndStack() throws {
        let t = try timing("""
            vldr s0, [r0]            @ 1 + 1
            vldr d1, [r0, #8]        @ 1 + 2
            vpush {s16-s19}          @ 1 + 4
            vpop {d8}                @ 1 + 2 (a D register is two words), last
            """)
        expect(t, 4, 10, fall: 3, jump: 3)
    }

    func testTableBranches() throws {
        // TBB/TBH: 2 + P, P = 2 (target read from the table).
        expect(try timing("tbb [pc, r0]"), 1, 0, fall: 4, jump: 4)
        expect(try timing("tbh [pc, r0, lsl #1]"), 1, 0, fall: 4, jump: 4)
    }

    func testBarriers() throws {
        let t = try timing("""
            dmb                  @ 1 + B, B = 1
            isb                  @ 1 + P, P = 1 (next instruction at 8, word-aligned)
            adds r0, #1          @ 1, last
            """)
        expect(t, 3, 4, fall: 1, jump: 1)
    }

    func testUndecodableAndEmptyBlocksAreRefused() throws {
        let model = try CortexM4Timing()
        // A NOP, then 0xE800 0x0000, which Capstone does not decode.
        XCTAssertThrowsError(try model.time(block: [0x00, 0xBF, 0x00, 0xE8, 0x00, 0x00], at: 0x100)) {
            XCTAssertEqual($0 as? CycleModelError, .undecodable(address: 0x102))
        }
        XCTAssertThrowsError(try model.time(block: [], at: 0x100)) {
            XCTAssertEqual($0 as? CycleModelError, .emptyBlock(address: 0x100))
        }
    }
}
