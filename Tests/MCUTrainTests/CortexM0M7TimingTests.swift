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

    // MARK: Cortex-M7 (dual issue, branch prediction: docs/cycle-model.md)
    // Blocks start at 0, so the 64-bit fetch delivers 8 bytes a cycle from the first.
    // In `expect`, cycles exclude the last instruction; fall/jump are what it adds.

    func testCortexM7PairsIndependentALUOps() throws {
        let m7 = try CortexM7Timing()
        // c0: adds + adds; c1: adds + adds (last, pairs: adds 0)
        expect(try timing("adds r0, #1\n adds r1, #1\n adds r2, #1\n adds r3, #1", on: m7), 4, 2, fall: 0, jump: 0)
        // c0: adds; the EOR needs its result and runs in the late ALU one cycle on? No: ADD
        // runs in the early ALU and forwards to a plain ALU op in the same cycle (last, 0).
        expect(try timing("adds r0, r1\n eors r0, r2", on: m7), 2, 1, fall: 0, jump: 0)
        // c0: eors (late ALU); c1: adds, which needs it (last, 1)
        expect(try timing("eors r0, r1\n adds r0, r2", on: m7), 2, 1, fall: 1, jump: 1)
        // Two operand2 shifts never pair: c0, c1 (last, 1)
        expect(try timing("add.w r0, r1, r2, lsl #2\n add.w r3, r4, r5, lsl #2", on: m7), 2, 1, fall: 1, jump: 1)
    }

    func testCortexM7BitfieldAndMultiplyPairing() throws {
        let m7 = try CortexM7Timing()
        // A bitfield/DSP op is only ever the older op: adds c0, uxtb c1 (last, 1)
        expect(try timing("adds r0, #1\n uxtb r1, r2", on: m7), 2, 1, fall: 1, jump: 1)
        // uxtb + adds pair in c0 (last, 0)
        expect(try timing("uxtb r1, r2\n adds r0, #1", on: m7), 2, 1, fall: 0, jump: 0)
        // Multiplies never pair with each other or with a store: c0, c1, c2 (last, 1)
        expect(try timing("muls r0, r1, r0\n muls r2, r3, r2\n str r4, [r5]", on: m7), 3, 2, fall: 1, jump: 1)
        // MUL result 2 cycles on: mul c0, adds c2 (last, 1 after c1 ends the mul's cycle... 3 in all)
        expect(try timing("muls r0, r1, r0\n adds r2, r0, #1", on: m7), 2, 1, fall: 2, jump: 2)
    }

    func testCortexM7LoadUseInterlocks() throws {
        let m7 = try CortexM7Timing()
        // Word load to a plain ALU op: next cycle. c0, c1
        expect(try timing("ldr r0, [r1]\n adds r2, r0, #1", on: m7), 2, 1, fall: 1, jump: 1)
        // As an address (early, AGU): two cycles on. c0, c2
        expect(try timing("ldr r0, [r1]\n ldr r2, [r0]", on: m7), 2, 1, fall: 2, jump: 2)
        // Byte load: one cycle more. c0, c2
        expect(try timing("ldrb r0, [r1]\n adds r2, r0, #1", on: m7), 2, 1, fall: 2, jump: 2)
        // Into a multiplier: two cycles on. c0, c2
        expect(try timing("ldr r0, [r1]\n muls r2, r0, r2", on: m7), 2, 1, fall: 2, jump: 2)
        // Loads pair only from different word banks (same base, one word apart): c0 + c0
        expect(try timing("ldr r0, [r1]\n ldr r2, [r1, #4]", on: m7), 2, 1, fall: 0, jump: 0)
        // otherwise not: c0, c1
        expect(try timing("ldr r0, [r1]\n ldr r2, [r3]", on: m7), 2, 1, fall: 1, jump: 1)
        // A load and a store pair; the store may write a value loaded in the same cycle.
        expect(try timing("ldr r0, [r1]\n str r0, [r2]", on: m7), 2, 1, fall: 0, jump: 0)
    }

    func testCortexM7RegisterListsIssueAlone() throws {
        let t = try timing("""
            ldrd r4, r5, [r6]        @ c0, alone, 1
            push {r4-r8, lr}         @ c1..c3: ⌈6/2⌉, alone
            adds r0, #1              @ c4
            pop {r4-r6}              @ c5, c6: ⌈3/2⌉ alone, last
            """, on: try CortexM7Timing())
        expect(t, 4, 5, fall: 2, jump: 2, wordAccesses: [.init(address: 0, baseRegister: 6, offset: 0)])
    }

    func testCortexM7BranchesArePredicted() throws {
        let m7 = try CortexM7Timing()
        // subs c0; bne pairs with it (last, 0); a wrong guess costs 8 (flags set just before)
        expect(try timing("subs r1, #1\n bne block_start", on: m7), 2, 1, fall: 0, jump: 0,
               prediction: .direction, mispredict: 8)
        // Flags set three cycles before the branch: 6. cmp + mul c0, mul c1, c2, c3 + bne
        expect(try timing("cmp r0, #0\n mul r1, r2, r1\n mul r3, r4, r3\n mul r5, r6, r5\n mul r7, r2, r7\n bne block_start",
                          on: m7), 6, 4, fall: 0, jump: 0, prediction: .direction, mispredict: 6)
        // A branch alone in its cycle pairs with the next block's first instruction when not
        // taken, and when taken only behind two 16-bit instructions: c0 adds + adds, c1 bne.
        expect(try timing("adds r0, #1\n adds r1, #1\n bne block_start", on: m7), 3, 1, fall: 0, jump: 0,
               prediction: .direction, mispredict: 8)
        expect(try timing("adds.w r0, r0, #1\n adds.w r1, r1, #1\n bne block_start", on: m7), 3, 1, fall: 0, jump: 1,
               prediction: .direction, mispredict: 8)
        // Returns guess their last target; a direct branch is always right.
        expect(try timing("bx lr", on: m7), 1, 0, fall: 1, jump: 1, prediction: .target, mispredict: 8)
        expect(try timing("pop {r4, pc}", on: m7), 1, 0, fall: 1, jump: 1, prediction: .target, mispredict: 8)
        expect(try timing("b block_start", on: m7), 1, 0, fall: 1, jump: 1)
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
