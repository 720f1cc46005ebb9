import XCTest
@testable import MCUTrain

/// The inline counters (translated blocks counting their own runs) must give exactly the
/// hook's cycles and instructions: same firmware, same calls, one machine per meter.
final class MeteringTests: XCTestCase {
    /// Divides with data-dependent times, DWT_CYCCNT read in the middle of a run, and
    /// CCR.UNALIGN_TRP set (which stops the run at the next block to add a hook).
    static let program = """
        #include <stdint.h>
        #define CCR (*(volatile uint32_t *)0xE000ED14u)
        #define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
        #define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
        #define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
        int main(void) { return 0; }
        uint32_t divide_walk(uint32_t n) {
            uint32_t x = 0x12345u, sum = 0;
            for (uint32_t i = 1; i <= n; i++) {
                x = x * 1664525u + 1013904223u;
                sum += x / (i | 1u) + (uint32_t)((int32_t)x / -(int32_t)(i & 255u | 1u));
            }
            return sum;
        }
        uint32_t timed_walk(uint32_t n) {
            DEMCR |= 1u << 24;
            DWT_CTRL |= 1u;
            uint32_t start = DWT_CYCCNT;
            uint32_t sum = divide_walk(n);
            return (DWT_CYCCNT - start) ^ (sum << 16);
        }
        uint32_t trap_then_walk(uint32_t n) {
            CCR |= 1u << 3;
            __asm__ volatile("dsb\\n isb" ::: "memory");
            return divide_walk(n);
        }
        /* Runs ~2^31 times: the loop's block ends in a conditional branch, so the stop
           (settled as a fall-through) is not charged like a taken branch. */
        int spin(void) { volatile int i = 0; while (i >= 0) i++; return i; }
        /* A runaway whose divides (cycles counted outside the blocks) vary from turn to turn. */
        volatile uint32_t sink;
        void spin_divide(uint32_t x) { for (;;) { x = x / (sink | 1u) + 0x9E3779B9u; sink = x >> 28; } }
        """

    private struct Run: Equatable {
        let value: UInt32
        let cycles: UInt64
        let instructions: UInt64
    }

    /// `calls` on a fresh machine with `metering`, each call's result and counts.
    private func runs(_ elf: ELFFile, on board: Board, _ metering: Metering?, _ calls: [(String, [UInt32])]) throws -> [Run] {
        let machine = try Machine(board: board, timing: try board.core.timingModel(), metering: metering)
        try machine.load(elf)
        let top = try machine.address(of: "__StackTop")
        return try calls.map { function, args in
            let r = try machine.call(function, args, stackTop: top, maxCycles: 1 << 40)
            return Run(value: r.value, cycles: r.cycles, instructions: r.instructions)
        } + [Run(value: 0, cycles: machine.cycles, instructions: machine.instructions)]
    }

    /// Both meters on nrf52840 (no wait states, Cortex-M4: inline is its default).
    private func assertSameCounts(_ elf: ELFFile, _ calls: [(String, [UInt32])], file: StaticString = #filePath, line: UInt = #line) throws {
        let board = try Board.resolve("nrf52840")
        let hook = try runs(elf, on: board, .blockHook, calls)
        let inline = try runs(elf, on: board, nil, calls)
        XCTAssertEqual(inline, hook, file: file, line: line)
        XCTAssertGreaterThan(hook.last!.cycles, hook.last!.instructions, file: file, line: line)
    }

    private func modelFirmware(_ model: String) throws -> ELFFile {
        let board = try Board.resolve("nrf52840")
        let source = ModelSource(try quantizedModel(ProjectPaths.examples + "/" + model))
        return try ELFFile(path: FirmwareBuilder(board: board, directory: temporaryDirectory(self))
            .build(model: source, extraSources: ["bench_loop.c"]))
    }

    private func program(on board: Board? = nil) throws -> ELFFile {
        try ELFFile(path: compileProgram(self, Self.program, board: board ?? Board.resolve("nrf52840"), optimization: "-O2"))
    }

    func testNRF52840MetersInlineAndWaitStatesOrPredictionKeepTheHook() throws {
        for (name, expected) in [("nrf52840", Metering.inlineCounters), ("stm32f411", .blockHook), ("stm32f746", .blockHook)] {
            let board = try Board.resolve(name)
            XCTAssertEqual(try Machine(board: board, timing: try board.core.timingModel()).metering, expected, name)
        }
        let f411 = try Board.resolve("stm32f411")
        assertError(try Machine(board: f411, timing: try f411.core.timingModel(), metering: .inlineCounters),
                    mentions: ["stm32f411", "inline counters cannot model flash wait states"])
    }

    func testMLPTrainingStepsCountTheSame() throws {
        try assertSameCounts(try modelFirmware("mlp-digits.json"), [("mct_init", [1]), ("mct_train_step", [3]), ("mct_bench_steps", [4])])
    }

    func testCNNTrainingStepsCountTheSame() throws {
        try assertSameCounts(try modelFirmware("cnn-digits.json"), [("mct_init", [1]), ("mct_bench_steps", [2])])
    }

    func testBranchHeavyLoopCountsTheSame() throws {
        try assertSameCounts(try modelFirmware("mlp-digits.json"), [("mct_bench_branches", [20_000]), ("mct_bench_branches", [7])])
    }

    func testDividesAndCycleCounterReadsCountTheSame() throws {
        let elf = try program()
        try assertSameCounts(elf, [("divide_walk", [3000]), ("timed_walk", [500]), ("timed_walk", [1]), ("trap_then_walk", [50])])
    }

    /// The cycle limit stops a runaway loop at the same block, with the same count, whichever
    /// meter runs: limits a cycle apart, across more than one turn of the loop, so that a budget
    /// between looks that lets the loop run a block too far shows.
    func testCycleLimitStopsAtTheSameBlock() throws {
        let elf = try program()
        let board = try Board.resolve("nrf52840")
        var stops: [Metering: [String]] = [:]
        for metering in [Metering.blockHook, .inlineCounters] {
            let machine = try Machine(board: board, timing: try board.core.timingModel(), metering: metering)
            try machine.load(elf)
            let top = try machine.address(of: "__StackTop")
            _ = try machine.call("divide_walk", [100], stackTop: top, maxCycles: 1 << 20)
            for function in ["spin", "spin_divide"] {
                for limit in UInt64(50_000)..<50_024 {
                    let before = machine.cycles
                    do {
                        _ = try machine.call(function, [7], stackTop: top, maxCycles: limit)
                        XCTFail("\(metering): \(function) returned")
                    } catch {
                        stops[metering, default: []].append("\(error), after \(machine.cycles - before)")
                    }
                }
            }
        }
        let hook = stops[.blockHook]!
        XCTAssertEqual(stops[.inlineCounters]!, hook)
        XCTAssertTrue(hook[0].hasPrefix("spin: still running after 50000 cycles"), hook[0])
        XCTAssertGreaterThan(Set(hook.map { $0.split(separator: ",").last! }).count, 2, "the stops fall on different blocks")
        XCTAssertTrue(hook[24].hasPrefix("spin_divide: still running after 50000 cycles"), hook[24])
    }

    /// A board with flash wait states keeps the hook, whose count includes the stalls.
    func testWaitStateBoardCountsThroughTheHook() throws {
        let board = try Board.resolve("stm32f411")
        let elf = try program(on: board)
        let calls: [(String, [UInt32])] = [("divide_walk", [300])]
        XCTAssertEqual(try runs(elf, on: board, nil, calls), try runs(elf, on: board, .blockHook, calls))
        let machine = try Machine(board: board, timing: try board.core.timingModel())
        try machine.load(elf)
        _ = try machine.call("divide_walk", [300], stackTop: try machine.address(of: "__StackTop"), maxCycles: 1 << 30)
        XCTAssertGreaterThan(machine.flashStallCycles, 0)
    }

    /// A divide the sweep of the ELF's code could not see (here: code written to RAM) is hooked
    /// when its block is first timed. The hook only catches the block's later runs; inline, the
    /// block is translated again before it runs, so its first run already pays the divide.
    func testDivideFoundWhileTranslatingIsChargedFromTheFirstRun() throws {
        let elf = try program()
        let board = try Board.resolve("nrf52840")
        var counts: [Metering: [UInt64]] = [:]
        for metering in [Metering.blockHook, .inlineCounters] {
            let machine = try Machine(board: board, timing: try board.core.timingModel(), metering: metering)
            try machine.load(elf)
            let code = board.ram.origin + 0x1000
            try machine.write([0xB0, 0xFB, 0xF1, 0xF0, 0x70, 0x47], at: code) // udiv r0, r0, r1; bx lr
            let top = try machine.address(of: "__StackTop")
            for _ in 0..<2 {
                let before = machine.cycles
                try machine.setArgument(0, 0xFFFF_FFFF)
                try machine.setArgument(1, 3)
                XCTAssertEqual(try machine.execute(from: code, stackTop: top, what: "udiv", maxCycles: 1000), .returned(0x5555_5555))
                counts[metering, default: []].append(machine.cycles - before)
            }
        }
        let hook = counts[.blockHook]!
        XCTAssertLessThan(hook[0], hook[1], "the hook misses the first run's divide time")
        XCTAssertEqual(counts[.inlineCounters]!, [hook[1], hook[1]])
    }
}
