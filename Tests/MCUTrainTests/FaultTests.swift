import XCTest
@testable import MCUTrain

/// Faults a Cortex-M4 raises by itself: unaligned LDRD/STRD/LDM/STM always, unaligned
/// halfword/word accesses and divides by zero once firmware sets CCR.UNALIGN_TRP / DIV_0_TRP.
final class FaultTests: XCTestCase {
    static let program = """
        #include <stdint.h>
        #define CCR (*(volatile uint32_t *)0xE000ED14u)
        int main(void) { return 0; }
        __attribute__((naked)) uint32_t ldrd_at(uint32_t a) { __asm__ volatile("ldrd r2, r3, [r0, #4]\\n add r0, r2, r3\\n bx lr"); }
        __attribute__((naked)) uint32_t strd_post(uint32_t a) { __asm__ volatile("strd r2, r3, [r0], #8\\n bx lr"); }
        __attribute__((naked)) uint32_t ldm_at(uint32_t a) { __asm__ volatile("ldm r0, {r2, r3}\\n add r0, r2, r3\\n bx lr"); }
        __attribute__((naked)) uint32_t stmdb_at(uint32_t a) { __asm__ volatile("stmdb r0!, {r2, r3}\\n bx lr"); }
        __attribute__((naked)) uint32_t ldr_at(uint32_t a) { __asm__ volatile("ldr r0, [r0]\\n bx lr"); }
        __attribute__((naked)) uint32_t udiv_by(uint32_t a, uint32_t b) { __asm__ volatile("udiv r0, r0, r1\\n bx lr"); }
        /* The architecture applies a CCR write to instructions after an ISB. */
        void set_ccr(uint32_t bits) { CCR |= bits; __asm__ volatile("dsb\\n isb" ::: "memory"); }
        uint32_t trapped_ldr(uint32_t a) { set_ccr(1u << 3); return *(volatile uint32_t *)a; }
        uint32_t trapped_strh(uint32_t a) { set_ccr(1u << 3); *(volatile uint16_t *)a = 1; return 0; }
        uint32_t trapped_ldrb(uint32_t a) { set_ccr(1u << 3); return *(volatile uint8_t *)a; }
        uint32_t trapped_udiv(uint32_t a, uint32_t b) { set_ccr(1u << 4); return udiv_by(a, b); }
        """

    private func program() throws -> (ELFFile, Board) {
        let board = try Board.resolve("nrf52840")
        return (try ELFFile(path: compileProgram(self, Self.program, board: board)), board)
    }

    /// Calls `function` on a fresh machine (CCR starts at reset every time).
    private func call(_ function: String, _ args: [UInt32], _ elf: ELFFile, _ board: Board) throws -> UInt32 {
        let machine = try Machine(board: board, timing: try board.core.timingModel())
        try machine.load(elf)
        return try machine.call(function, args, stackTop: try machine.address(of: "__StackTop"), maxCycles: 10_000).value
    }

    private func pc(of function: String, plus offset: UInt32 = 0, _ elf: ELFFile) -> String {
        let address = elf.symbol(named: function)!.address + offset
        return "PC 0x" + String(address, radix: 16, uppercase: true).leftPadded(to: 8) + " (\(function)+0x\(String(offset, radix: 16)))"
    }

    func testUnalignedDoubleAndMultipleTransfersAlwaysFault() throws {
        let (elf, board) = try program()
        let cases: [(String, UInt32, String)] = [
            ("ldrd_at", 0x2000_0102, "0x20000106"), ("strd_post", 0x2000_0102, "0x20000102"),
            ("ldm_at", 0x2000_0101, "0x20000101"), ("stmdb_at", 0x2000_0106, "0x200000FE"),
        ]
        for (function, address, reported) in cases {
            assertError(try call(function, [address], elf, board), mentions: [
                "\(function): UsageFault (UNALIGNED): LDRD/STRD/LDM/STM address \(reported) is not word aligned", pc(of: function, elf)])
            XCTAssertNoThrow(try call(function, [address & ~3], elf, board), function)
        }
        XCTAssertNoThrow(try call("ldr_at", [0x2000_0102], elf, board), "a plain LDR may be unaligned while UNALIGN_TRP is clear")
        XCTAssertEqual(try call("udiv_by", [7, 0], elf, board), 0, "divide by zero gives 0 while DIV_0_TRP is clear")
    }

    func testCCRTrapsUnalignedHalfwordAndWordAccesses() throws {
        let (elf, board) = try program()
        // Unicorn's memory hook knows the block, not the instruction: the load is the first of its block here.
        assertError(try call("trapped_ldr", [0x2000_0102], elf, board), mentions: [
            "trapped_ldr: UsageFault (UNALIGNED): 4-byte access at 0x20000102 with CCR.UNALIGN_TRP set, in the block starting at PC", "(trapped_ldr+0x"])
        assertError(try call("trapped_strh", [0x2000_0101], elf, board), mentions: ["2-byte access at 0x20000101 with CCR.UNALIGN_TRP set"])
        XCTAssertEqual(try call("trapped_ldr", [0x2000_0104], elf, board), 0)
        XCTAssertEqual(try call("trapped_strh", [0x2000_0102], elf, board), 0)
        XCTAssertEqual(try call("trapped_ldrb", [0x2000_0103], elf, board), 0, "bytes are never unaligned")
    }

    func testCCRTrapsDivideByZero() throws {
        let (elf, board) = try program()
        assertError(try call("trapped_udiv", [7, 0], elf, board), mentions: [
            "trapped_udiv: UsageFault (DIVBYZERO): divide by zero with CCR.DIV_0_TRP set", pc(of: "udiv_by", elf)])
        XCTAssertEqual(try call("trapped_udiv", [7, 2], elf, board), 3)
    }

    /// Through `mcutrain run`'s path too: a program that faults stops with the one-line error.
    func testProgramRunReportsTheFault() throws {
        let (elf, board) = try program()
        var options = ProgramRunner.Options()
        options.function = "ldm_at"
        options.arguments = [0x2000_0002]
        assertError(try ProgramRunner(board: board, elfPath: elf.path).run(options), mentions: ["UsageFault (UNALIGNED)", "0x20000002"])
    }
}
