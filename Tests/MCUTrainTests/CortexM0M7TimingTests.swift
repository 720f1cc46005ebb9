import Foundation
import MCUTrain
import XCTest

/// The approximate cores: Cortex-M0/M0+ and Cortex-M7.
final class CortexM0M7TimingTests: XCTestCase {
    // MARK: Cortex-M0 / M0+ (refill R = 2 on the M0, 1 on the M0+)

    func testCortexM0Branches() throws {
        for (plus, r) in [(false, UInt32(2)), (true, UInt32(1))] {
            let m0 = try CortexM0Timing(plus: plus)
            // adds 1; subs 1; bne: not taken 1, taken 1 + R, last
            expect(try timing("adds r0, #1\n subs r1, #1\n bne block_start", on: m0), 3, 2, fall: 1, jump: 1 + r)
            // b: 1 + R either way (unconditional), last
            expect(try timing("b block_start", on: m0), 1, 0, fall: 1 + r, jump: 1 + r)
            // bl: 2 + R (4 on the M0, 3 on the M0+), last
            expect(try timing("bl block_start", on: m0), 1, 0, fall: 2 + r, jump: 2 + r)
            // bx lr and mov pc, lr: 1 + R
            expect(try timing("bx lr", on: m0), 1, 0, fall: 1 + r, jump: 1 + r)
            expect(try timing("mov pc, lr", on: m0), 1, 0, fall: 1 + r, jump: 1 + r)
            // pop {r4, pc}: 1 + 2 + R, the TRMs' 4 + N and 3 + N with N = 1 low register
            expect(try timing("pop {r4, pc}", on: m0), 1, 0, fall: 3 + r, jump: 3 + r)
        }
    }

    func testCortexM0LoadsStoresAndMultiply() throws {
        let body = """
            ldr r0, [r1]         @ 2
            ldr r2, [r3, #4]     @ 2: no load pipelining on v6-M
            str r0, [r2]         @ 2
            ldm r0!, {r1-r3}     @ 1 + 3
            push {r4-r7}         @ 1 + 4
            muls r0, r1, r0      @ 1, or 32 with the small multiplier, last
            """
        let ldm = [WordAccessSite(address: 6, baseRegister: 0, offset: 0)]  // the PUSH is SP-based: never checked
        expect(try timing(body, on: try CortexM0Timing(plus: false)), 6, 15, fall: 1, jump: 1, wordAccesses: ldm)
        expect(try timing(body, on: try CortexM0Timing(plus: true, fastMultiplier: false)), 6, 15, fall: 32, jump: 32, wordAccesses: ldm)
    }

    func testCortexM0BarriersAndSpecialRegisters() throws {
        let body = """
            dmb                  @ 2 + R
            mrs r0, primask      @ 2 + R
            adds r0, #1          @ 1, last
            """
        expect(try timing(body, on: try CortexM0Timing(plus: false)), 3, 8, fall: 1, jump: 1)
        expect(try timing(body, on: try CortexM0Timing(plus: true)), 3, 6, fall: 1, jump: 1)
    }

    func testCortexM0RefusesARMv7MInstructions() throws {
        let m0 = try CortexM0Timing(plus: true)
        // Each follows a 16-bit NOP at 0, so the refused instruction sits at 2.
        for instruction in ["udiv r0, r1, r2", "sdiv r0, r1, r2", "cbz r0, block_end", "it eq",
                            "adds.w r0, r1, #1", "ldr.w r0, [r1, #4]", "mul r0, r1, r2"] {
            XCTAssertThrowsError(try timing("nop\n \(instruction)\n nop", on: m0), instruction) {
                XCTAssertEqual($0 as? CycleModelError, .unsupported(address: 2), instruction)
            }
        }
    }

    // MARK: Cortex-M7 (approximate: single issue, predicted branches)

    func testCortexM7LoadsAndRegisterLists() throws {
        let t = try timing("""
            ldr r0, [r1]             @ 1: pipelined
            ldr r2, [r0]             @ 1: load-use stall not modelled
            ldrd r4, r5, [r6]        @ 1: one 64-bit access
            vldr d0, [r1]            @ 1: one 64-bit access
            push {r4-r8, lr}         @ 1 + ⌈6/2⌉
            pop {r4-r6}              @ 1 + ⌈3/2⌉, last
            """, on: try CortexM7Timing())
        expect(t, 6, 8, fall: 3, jump: 3, wordAccesses: [.init(address: 4, baseRegister: 6, offset: 0)])
    }

    func testCortexM7BranchesArePredicted() throws {
        let m7 = try CortexM7Timing()
        // subs 1; bne 1 taken or not, last
        expect(try timing("subs r1, #1\n bne block_start", on: m7), 2, 1, fall: 1, jump: 1)
        // pop {r4, pc}: 1 + ⌈2/2⌉, no refill
        expect(try timing("pop {r4, pc}", on: m7), 1, 0, fall: 2, jump: 2)
        expect(try timing("bx lr", on: m7), 1, 0, fall: 1, jump: 1)
    }

    func testCortexM7FPUDivideAndBarriers() throws {
        let m7 = try CortexM7Timing()
        let t = try timing("""
            vadd.f32 s0, s1, s2      @ 1
            vfma.f32 s3, s4, s5      @ 3
            vdiv.f32 s6, s7, s8      @ 14
            udiv r0, r1, r2          @ 2, at 12 (after three 32-bit VFP ops)
            dmb                      @ 2
            isb                      @ 1 + 6 (pipeline flush)
            adds r0, #1              @ 1, last
            """, on: m7)
        expect(t, 7, 29, fall: 1, jump: 1, divides: [
            DivideSite(address: 12, dividendRegister: 1, divisorRegister: 2, isSigned: false),
        ])
        XCTAssertEqual(m7.divideCycles(dividend: 0xFFFF_FFFF, divisor: 1, isSigned: false), 12)
    }
}
