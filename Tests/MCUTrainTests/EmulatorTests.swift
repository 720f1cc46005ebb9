import XCTest
@testable import MCUTrain

/// Firmware that misbehaves stops with an error naming the address, the PC and the function.
final class EmulatorTests: XCTestCase {
    static let program = """
    #include <stdint.h>
    int main(void) { return 0; }
    int add3(int a, int b, int c) { return a + b + c; }
    int poke(void) { *(volatile uint32_t *)0x30000000u = 1; return 0; }
    int flash_write(void) { *(volatile uint32_t *)0x100u = 1; return 0; }
    int spin(void) { for (volatile int i = 0;; i++) {} }
    int deep(int n) {
        volatile char pad[256];
        for (int i = 0; i < 256; i++) pad[i] = (char)n;
        return n ? deep(n - 1) + pad[n & 255] : 0;
    }
    int halt(void) { __asm__ volatile("wfi"); return 1; }
    int trap(void) { __asm__ volatile("bkpt #1"); return 1; }
    """

    private func machine() throws -> (Machine, StackMeter) {
        let dir = temporaryDirectory(self)
        let board = try Board.resolve("nrf52840")
        _ = writeFile(dir, "link.ld", LinkerScript.make(for: board))
        let src = writeFile(dir, "app.c", Self.program)
        let elfPath = dir + "/app.elf"
        try FirmwareBuilder.run(FirmwareBuilder.compiler, board.core.gccFlags + ["-O1", "-nostdlib", "-T", dir + "/link.ld",
                                "-o", elfPath, ProjectPaths.firmware + "/startup.c", src], what: "compiling the test program")
        let machine = try Machine(board: board, timing: try CortexM4Timing())
        let elf = try ELFFile(path: elfPath)
        try machine.load(elf)
        let stack = StackMeter(limit: elf.symbol(named: "__StackLimit")!.address, top: elf.symbol(named: "__StackTop")!.address)
        return (machine, stack)
    }

    func testCallReturnsValueAndCounts() throws {
        let (m, stack) = try machine()
        let r = try m.call("add3", [1, 2, 39], stackTop: stack.top, maxCycles: 1000)
        XCTAssertEqual(r.value, 42)
        XCTAssertGreaterThan(r.cycles, 0)
        XCTAssertGreaterThanOrEqual(r.cycles, r.instructions)
    }

    func testWriteOutsideMapNamesAddressPCAndFunction() throws {
        let (m, stack) = try machine()
        assertError(try m.call("poke", stackTop: stack.top, maxCycles: 1000), mentions: ["invalid write", "0x30000000", "(poke+0x"])
    }

    func testWriteToFlashIsRefused() throws {
        let (m, stack) = try machine()
        assertError(try m.call("flash_write", stackTop: stack.top, maxCycles: 1000), mentions: ["invalid write", "0x00000100", "flash_write+0x"])
    }

    func testRunawayLoopStopsAtCycleLimit() throws {
        let (m, stack) = try machine()
        assertError(try m.call("spin", stackTop: stack.top, maxCycles: 50_000), mentions: ["spin", "still running after 50000 cycles", "(spin+0x"])
    }

    func testStackOverrunIsReported() throws {
        let (m, stack) = try machine()
        try stack.prepare(m)
        _ = try m.call("deep", [3], stackTop: stack.top, maxCycles: 1_000_000)
        XCTAssertGreaterThan(try stack.used(m), 3 * 256)
        try stack.prepare(m)
        _ = try m.call("deep", [40], stackTop: stack.top, maxCycles: 10_000_000)
        assertError(try stack.used(m), mentions: ["stack overflow", "8192", "stack_bytes", "Boards/nrf52840.json"])
    }

    func testHaltAndBreakpointAreErrors() throws {
        let (m, stack) = try machine()
        assertError(try m.call("halt", stackTop: stack.top, maxCycles: 1000), mentions: ["halt", "without returning"])
        assertError(try m.call("trap", stackTop: stack.top, maxCycles: 1000), mentions: ["trap", "BKPT at PC", "(trap+0x"])
    }

    func testUnknownSymbol() throws {
        let (m, stack) = try machine()
        assertError(try m.call("nope", stackTop: stack.top, maxCycles: 1000), mentions: ["no symbol 'nope'", "app.elf"])
    }
}

/// Fleets and parallel comparisons hold many machines in one process: each must cost little
/// memory of its own (a fresh machine no longer clears Unicorn's 1 GiB code buffer).
final class MachineFleetTests: XCTestCase {
    private func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }!
        return Int(line.split(separator: " ").dropFirst().first!)! * 1024
    }

    func testSixteenMachinesTrainInOneProcessUnderOneGiB() throws {
        let device = try trainingDevice(self, ProjectPaths.examples + "/mlp-digits.json")
        let before = try residentBytes()
        var fleet: [Machine] = []
        for seed in 0..<16 {
            let m = try Machine(board: device.board, timing: try device.board.core.timingModel())
            try m.load(device.elf)
            let top = try m.address(of: "__StackTop")
            _ = try m.call("mct_init", [UInt32(seed)], stackTop: top, maxCycles: 1_000_000)
            let step = try m.call("mct_train_step", [UInt32(seed % 10)], stackTop: top, maxCycles: 10_000_000)
            XCTAssertLessThan(step.value, 10, "machine \(seed) predicted a class")
            fleet.append(m)
        }
        let grown = try residentBytes() - before
        XCTAssertLessThan(grown, 1 << 30, "16 machines grew the process by \(grown) bytes")
        XCTAssertEqual(fleet.count, 16)
    }
}
