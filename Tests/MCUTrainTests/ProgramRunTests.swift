import XCTest
@testable import MCUTrain

/// `mcutrain run` territory: any program, its output, the debug blocks and flash timing.
final class ProgramRunTests: XCTestCase {
    /// These programs stand for users' code, so they must also compile warning-free.
    private func compile(_ source: String, board: Board, flags: [String] = ["-nostdlib"], startup: Bool = true) throws -> String {
        try compileProgram(self, source, board: board, flags: ["-Wall", "-Wextra"] + flags, startup: startup)
    }

    private func run(_ elf: String, board: Board, function: String? = nil, _ args: [UInt32] = [],
                     configure: (inout ProgramRunner.Options) throws -> Void = { _ in }) throws -> RunReport {
        var options = ProgramRunner.Options()
        options.function = function
        options.arguments = args
        options.maxCycles = 50_000_000
        try configure(&options)
        return try ProgramRunner(board: board, elfPath: elf).run(options)
    }

    /// The image is loaded as flash programming leaves it (initialisers at .data's load address,
    /// copied by startup.c's reset code) and with .data at its run address (newlib's crt0 does
    /// not copy it): both start-up paths see the initialised globals.
    func testInitialisedDataThroughBothStartUpPaths() throws {
        let source = "int t[4] = {11, 22, 33, 44};\nint main(void) { return t[0] + t[3]; }\n"
        for name in ["nrf52840", "stm32f411"] {
            let board = try Board.resolve(name)
            let bare = try compile(source, board: board)
            let elf = try ELFFile(path: bare)
            let data = try XCTUnwrap(elf.loadSegments.first { $0.virtualAddress != $0.physicalAddress }, "a .data segment stored in flash")
            XCTAssertEqual(data.data.prefix(16), [11, 0, 0, 0, 22, 0, 0, 0, 33, 0, 0, 0, 44, 0, 0, 0])
            XCTAssertEqual(try run(bare, board: board).exitCode, 55, "startup.c copies .data from flash, \(name)")
            let newlib = try compile(source, board: board, flags: ["--specs=rdimon.specs"], startup: false)
            XCTAssertEqual(try run(newlib, board: board).exitCode, 55, "rdimon crt0, \(name)")
        }
    }

    /// The meter guesses each Cortex-M7 branch with a 2-bit counter that starts weakly not
    /// taken. The loop block (subs + bne, one dual-issued cycle) runs n times: its first
    /// taken branch and its final fall-through are mispredicted (8 cycles each: the flags
    /// come from the instruction just before); `bx lr` adds 1 (its return ends the run).
    func testCortexM7BranchPredictorInTheMeter() throws {
        let dir = temporaryDirectory(self)
        let board = try Board.load(path: writeFile(dir, "m7.json", """
            {"name": "m7-tcm", "description": "Cortex-M7, code and data in TCM", "core": "cortex-m7", "clock_hz": 100000000, "stack_bytes": 1024,
             "memory": [{"name": "itcm", "kind": "flash", "origin": "0x00000000", "size": 65536},
                        {"name": "dtcm", "kind": "ram", "origin": "0x20000000", "size": 65536}]}
            """))
        let elf = try compile("""
            __attribute__((naked, aligned(8))) int spin(int n __attribute__((unused))) {
                __asm volatile("1: subs r0, r0, #1\\n bne 1b\\n bx lr\\n");
            }
            int main(void) { return spin(3); }
            """, board: board)
        XCTAssertEqual(try run(elf, board: board, function: "spin", [100]).cycles, 100 + 8 + 8 + 1)
        XCTAssertEqual(try run(elf, board: board, function: "spin", [1]).cycles, 1 + 1, "a first fall-through is guessed right")
    }

    func testProgramArgumentsReachArgv() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile("""
            #include <stdio.h>
            int main(int argc, char **argv) { for (int i = 0; i < argc; i++) printf("[%s]", argv[i]); return argc; }
            """, board: board, flags: ["--specs=rdimon.specs"], startup: false)
        let args = ["app.elf", "one", "two words", "it's", "say \"hi\"", "", "-v"]
        let r = try run(elf, board: board) { $0.commandLine = try SemihostingCommandLine.join(args) }
        XCTAssertEqual(r.stdout, "[app.elf][one][two words][it's][say \"hi\"][][-v]")
        XCTAssertEqual(r.exitCode, 7)
        assertError(try SemihostingCommandLine.join(["both \" and '"]), mentions: ["both quote characters"])
        // newlib offers 255 bytes: 254 characters and the NUL. One more stops the run instead of starting main without arguments.
        let fits = try run(elf, board: board) { $0.commandLine = "app.elf " + String(repeating: "x", count: 246) }
        XCTAssertEqual(fits.exitCode, 2)
        assertError(try run(elf, board: board) { $0.commandLine = "app.elf " + String(repeating: "x", count: 247) },
                    mentions: ["command line is 256 bytes with its NUL", "buffer holds 255"])
    }

    /// The report keeps the first bytes of each stream and says it cut the rest; the live echo gets everything.
    func testOutputIsStreamedWholeAndCappedInTheReport() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile("""
            #include <stdio.h>
            int main(void) { for (int i = 0; i < 100; i++) printf("line %03d\\n", i); fprintf(stderr, "e\\n"); return 0; }
            """, board: board, flags: ["--specs=rdimon.specs"], startup: false)
        var options = ProgramRunner.Options()
        options.capturedOutputBytes = 45
        var echoed: [UInt8] = []
        let r = try ProgramRunner(board: board, elfPath: elf).run(options) { isError, bytes in if !isError { echoed += bytes } }
        XCTAssertEqual(echoed.count, 900)
        XCTAssertEqual(r.stdout, (0..<5).map { String(format: "line %03d\n", $0) }.joined())
        XCTAssertEqual(r.stdoutBytes, 900)
        XCTAssertEqual(r.stderr, "e\n")
        XCTAssertEqual(r.outputNote, "stdout truncated to its first 45 of 900 bytes")
        XCTAssertNil(try run(elf, board: board).outputNote)
    }

    func testNewlibHelloWorldThroughSemihosting() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile("""
            #include <stdio.h>
            int main(void) { printf("hello %d\\n", 42); fprintf(stderr, "to stderr\\n"); return 7; }
            """, board: board, flags: ["--specs=rdimon.specs"], startup: false)
        let r = try run(elf, board: board)
        XCTAssertEqual(r.stdout, "hello 42\n")
        XCTAssertEqual(r.stderr, "to stderr\n")
        XCTAssertEqual(r.exitCode, 7)
        XCTAssertGreaterThan(r.cycles, r.instructions)
        XCTAssertGreaterThan(r.peakStackBytes, 0)
        XCTAssertGreaterThan(r.staticRAMBytes, 0)
    }

    func testBareProgramExitsWithMainsStatusAndFunctionsTakeArguments() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile("""
            int main(void) { return 5; }
            int mul_add(int a, int b, int c) { return a * b + c; }
            """, board: board)
        XCTAssertEqual(try run(elf, board: board).exitCode, 5)
        let r = try run(elf, board: board, function: "mul_add", [6, 7, UInt32(bitPattern: -2)])
        XCTAssertEqual(r.returnValue, 40)
    }

    static let debugProgram = """
        #include <stdint.h>
        #define REG(a) (*(volatile uint32_t *)(a))
        #define DEMCR REG(0xE000EDFCu)
        #define DWT_CTRL REG(0xE0001000u)
        #define DWT_CYCCNT REG(0xE0001004u)
        #define SYST_CSR REG(0xE000E010u)
        #define SYST_RVR REG(0xE000E014u)
        #define SYST_CVR REG(0xE000E018u)
        #define ITM_PORT0 (*(volatile uint8_t *)0xE0000000u)
        int main(void) { return 0; }
        uint32_t cycles_of_loop(uint32_t enable) {
            if (enable) { DEMCR |= 1u << 24; DWT_CTRL |= 1u; }
            uint32_t t0 = DWT_CYCCNT;
            for (volatile int i = 0; i < 100; i++) {}
            return DWT_CYCCNT - t0;
        }
        uint32_t systick_polls(void) {
            SYST_RVR = 999u; SYST_CVR = 0u; SYST_CSR = 5u;
            uint32_t polls = 0;
            while (!(SYST_CSR & (1u << 16))) polls++;
            return polls;
        }
        void itm_puts(void) { const char *s = "itm!"; while (*s) ITM_PORT0 = (uint8_t)*s++; }
        """

    func testDWTCycleCounterCountsModelledCyclesOnlyWhenEnabled() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile(Self.debugProgram, board: board)
        let off = try run(elf, board: board, function: "cycles_of_loop", [0])
        XCTAssertEqual(off.returnValue, 0)
        let on = try run(elf, board: board, function: "cycles_of_loop", [1])
        let counted = try XCTUnwrap(on.returnValue)
        XCTAssertGreaterThan(counted, 100 * 5, "100 iterations of a volatile loop")
        XCTAssertLessThan(UInt64(counted), on.cycles, "part of the call")
        XCTAssertGreaterThan(UInt64(counted), on.cycles - 40, "all but the call's set-up")
    }

    func testSysTickWrapsAfterReloadPlusOneCycles() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile(Self.debugProgram, board: board)
        let r = try run(elf, board: board, function: "systick_polls")
        XCTAssertGreaterThan(r.cycles, 1000, "COUNTFLAG is set only after 1000 cycles")
        XCTAssertLessThan(r.cycles, 1100)
        XCTAssertGreaterThan(try XCTUnwrap(r.returnValue), 50)
    }

    func testITMPortZeroIsCaptured() throws {
        let board = try Board.resolve("nrf52840")
        let elf = try compile(Self.debugProgram, board: board)
        XCTAssertEqual(try run(elf, board: board, function: "itm_puts").stdout, "itm!")
    }

    // MARK: flash timing

    /// Straight-line code: 64 NOPs = 128 bytes = 8 lines of 16 bytes, then `bx lr`.
    static let straightLine = """
        int main(void) { return 0; }
        __attribute__((aligned(16))) void straight(void) { __asm__ volatile(".rept 64\\n nop\\n .endr"); }
        """

    private func board(_ base: String, waitStates: Int, cacheBytes: Int, prefetch: Bool) throws -> Board {
        var json = try String(contentsOfFile: ProjectPaths.boards + "/\(base).json", encoding: .utf8)
        let start = json.range(of: "\"flash_access\"")!.lowerBound
        let end = json.range(of: "}", range: start..<json.endIndex)!.upperBound
        json.replaceSubrange(start..<end, with: #""flash_access": {"wait_states": \#(waitStates), "cache_bytes": \#(cacheBytes), "line_bytes": 16, "prefetch": \#(prefetch), "source": "test"}"#)
        return try Board.load(path: writeFile(temporaryDirectory(self), "board.json", json))
    }

    func testFlashWaitStatesPerLineWithoutCacheOrPrefetch() throws {
        let slow = try board("stm32f411", waitStates: 3, cacheBytes: 0, prefetch: false)
        let fast = try board("stm32f411", waitStates: 0, cacheBytes: 0, prefetch: false)
        let elf = try compile(Self.straightLine, board: slow)
        let a = try run(elf, board: slow, function: "straight"), b = try run(elf, board: fast, function: "straight")
        // 128 bytes of NOPs plus the 2-byte bx lr spill into a 9th line: 9 fetches × 3 wait states.
        XCTAssertEqual(a.flashStallCycles, 27)
        XCTAssertEqual(a.cycles - b.cycles, 27)
        XCTAssertEqual(b.flashStallCycles, 0)
    }

    func testPrefetchHidesSequentialLines() throws {
        let board = try board("stm32f411", waitStates: 3, cacheBytes: 0, prefetch: true)
        let elf = try compile(Self.straightLine, board: board)
        // Only the first line waits; each next line was prefetched.
        XCTAssertEqual(try run(elf, board: board, function: "straight").flashStallCycles, 3)
    }

    func testCacheHidesRepeatedFetches() throws {
        let board = try board("stm32f411", waitStates: 3, cacheBytes: 1024, prefetch: false)
        let elf = try compile("""
            int main(void) { return 0; }
            __attribute__((aligned(16))) int loop(int n) { int s = 0; for (int i = 0; i < n; i++) s += i; return s; }
            """, board: board)
        let once = try run(elf, board: board, function: "loop", [1]).flashStallCycles
        let many = try run(elf, board: board, function: "loop", [1000]).flashStallCycles
        XCTAssertGreaterThan(once, 0)
        XCTAssertEqual(many, once, "after the first pass every line hits the cache")
    }
}
