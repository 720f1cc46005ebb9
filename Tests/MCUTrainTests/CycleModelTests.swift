import Foundation
import MCUTrain
import XCTest

/// Each case is real Thumb code assembled at test time, timed by a core model (the
/// Cortex-M4 unless named), and checked against a count worked out by hand from the core's
/// TRM table (one comment per instruction). Expected values read (instructions, cycles,
/// fallCycles, jumpCycles).
final class CycleModelTests: XCTestCase {
    private func timing(_ body: String, before: String = "", after: String = "", on model: CoreTimingModel? = nil,
                        fetchHalfword: ((UInt32) -> UInt16?)? = nil) throws -> BlockTiming {
        let block = try ThumbAssembler.block(body, before: before, after: after)
        let core = try model ?? CortexM4Timing(fetchHalfword: fetchHalfword)
        return try core.time(block: block.code, at: block.address)
    }

    private func expect(_ timing: BlockTiming, _ instructions: UInt32, _ cycles: UInt32,
                        fall: UInt32, jump: UInt32, divides: [DivideSite] = [],
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(timing, BlockTiming(instructions: instructions, cycles: cycles, fallCycles: fall,
                                           jumpCycles: jump, divides: divides), file: file, line: line)
    }

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
        expect(t, 2, 3, fall: 3, jump: 3)
    }

    func testLoadStoreMultiple() throws {
        let t = try timing("""
            ldmia r0!, {r1-r3}       @ 1 + 3
            stmdb r4!, {r5-r7}       @ 1 + 3, last
            """)
        expect(t, 2, 4, fall: 4, jump: 4)
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
        expect(try timing(body, on: try CortexM0Timing(plus: false)), 6, 15, fall: 1, jump: 1)
        expect(try timing(body, on: try CortexM0Timing(plus: true, fastMultiplier: false)), 6, 15, fall: 32, jump: 32)
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
        expect(t, 6, 8, fall: 3, jump: 3)
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

/// Runs the GNU Arm toolchain so test cases can be written as assembly.
private enum ThumbAssembler {
    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Assembles `before`, then `body` between the labels `block_start` and `block_end`, then
    /// `after`, in one section starting at 0, and returns the bytes of `body` with their
    /// address, so branches may reach code around the block.
    static func block(_ body: String, before: String = "", after: String = "") throws
        -> (code: [UInt8], address: UInt32) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("CycleModelTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let source = """
            .syntax unified
            .thumb
            .text
            \(before)
            block_start:
            \(body)
            block_end:
            \(after)

            """
        try source.write(to: directory.appendingPathComponent("block.s"), atomically: true, encoding: .utf8)
        try run("arm-none-eabi-as", "-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16",
                "-o", "block.o", "block.s", in: directory)
        try run("arm-none-eabi-objcopy", "-O", "binary", "block.o", "block.bin", in: directory)
        let symbols = try run("arm-none-eabi-nm", "block.o", in: directory)
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("block.bin")))
        let start = try address(of: "block_start", in: symbols)
        let end = try address(of: "block_end", in: symbols)
        return (Array(bytes[Int(start)..<Int(end)]), start)
    }

    private static func address(of label: String, in nmOutput: String) throws -> UInt32 {
        for line in nmOutput.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[2] == label, let value = UInt32(fields[0], radix: 16) {
                return value
            }
        }
        throw ToolFailure(description: "no symbol \(label) in:\n\(nmOutput)")
    }

    @discardableResult
    private static func run(_ tool: String, _ arguments: String..., in directory: URL) throws -> String {
        guard let path = executable(named: tool) else { throw XCTSkip("\(tool) is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaints = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailure(description: "\(tool) failed: \(String(decoding: complaints, as: UTF8.self))")
        }
        return String(decoding: printed, as: UTF8.self)
    }

    private static func executable(named tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        return directories.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
