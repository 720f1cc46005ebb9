import Foundation

/// Emulation speed on this machine: the same training firmware run for the same number of
/// steps with full cycle and RAM accounting, and on raw Unicorn with no hook at all.
public struct EmulatorBenchmark {
    public struct Figures: Sendable {
        public let label: String
        public let wallSeconds: Double
        /// Emulated instructions per second (the accounted run's count over this run's time).
        public let mips: Double
        /// Simulated time at the board clock over wall time.
        public let realTimeFactor: Double
    }

    /// Both runs, and the accounted run's counts of the same work.
    public struct Result: Sendable {
        public let raw: Figures
        public let accounted: Figures
        public let cycles: UInt64
        public let instructions: UInt64
    }

    public let board: Board
    public let source: ModelSource
    public let steps: UInt32

    public init(board: Board, source: ModelSource, steps: UInt32) {
        self.board = board
        self.source = source
        self.steps = steps
    }

    /// Runs raw first and accounted second, each `repeats` times, keeping the fastest of each.
    public func run(buildDirectory: String, repeats: Int = 3) throws -> Result {
        let elf = try ELFFile(path: FirmwareBuilder(board: board, directory: buildDirectory)
            .build(model: source, extraSources: ["bench_loop.c"]))
        var best: [Bool: Double] = [:]
        var counted: (cycles: UInt64, instructions: UInt64, correct: UInt32)?
        for _ in 0..<repeats {
            for accounting in [false, true] {
                let machine = try Machine(board: board, timing: try board.core.timingModel(), accounting: accounting)
                try machine.load(elf)
                let top = try machine.address(of: "__StackTop")
                _ = try machine.call("mct_init", [1], stackTop: top, maxCycles: UInt64.max / 2)
                let start = Date()
                let result = try machine.call("mct_bench_steps", [steps], stackTop: top, maxCycles: UInt64.max / 2)
                let wall = Date().timeIntervalSince(start)
                best[accounting] = min(best[accounting] ?? .infinity, wall)
                if accounting {
                    counted = (result.cycles, result.instructions, result.value)
                } else if let c = counted, c.correct != result.value {
                    throw EmulatorError("raw and accounted runs disagree (\(result.value) vs \(c.correct) correct): not the same work")
                }
            }
        }
        let c = counted!
        func figures(_ label: String, _ wall: Double) -> Figures {
            Figures(label: label, wallSeconds: wall, mips: Double(c.instructions) / wall / 1e6,
                    realTimeFactor: Double(c.cycles) / Double(board.clockHz) / wall)
        }
        return Result(raw: figures("raw Unicorn, no hooks", best[false]!), accounted: figures("full cycle + RAM accounting", best[true]!),
                      cycles: c.cycles, instructions: c.instructions)
    }

    public func render(_ r: Result) -> String {
        var table = TextTable(headers: ["run", "wall s", "MIPS", "real-time factor"])
        for f in [r.raw, r.accounted] {
            table.rows.append([f.label, format(f.wallSeconds, 3), format(f.mips, 1), format(f.realTimeFactor, 2) + "x"])
        }
        let cost = (1 - r.accounted.mips / r.raw.mips) * 100
        return """
        emulator speed: \(steps) training steps of \(source.model.spec.name) on \(board.name) in one call, \(grouped(Int(r.instructions))) instructions, \(grouped(Int(r.cycles))) cycles (\(format(Double(r.cycles) / Double(board.clockHz), 3)) s at \(board.clockHz / 1_000_000) MHz)

        \(table.render())

        accounting costs \(format(cost, 1))% of raw speed (goal: at most 25%)
        """
    }
}
