import Foundation

/// Emulation speed on this machine: the same firmware work run with full cycle and RAM
/// accounting and on raw Unicorn with no hook at all, for two workloads: training steps
/// (long blocks of kernel code) and a branch-heavy loop (a block every few instructions,
/// where the per-block meter costs most). Also what one machine costs to create.
public struct EmulatorBenchmark {
    public struct Figures: Sendable {
        public let label: String
        public let wallSeconds: Double
        /// Emulated instructions per second (the accounted run's count over this run's time).
        public let mips: Double
        /// Simulated time at the board clock over wall time.
        public let realTimeFactor: Double
    }

    /// One workload's two runs, and the accounted run's counts of the same work.
    public struct Workload: Sendable {
        public let name: String
        public let raw: Figures
        public let accounted: Figures
        public let cycles: UInt64
        public let instructions: UInt64
        /// Accounted wall time over raw wall time.
        public var slowdown: Double { accounted.wallSeconds / raw.wallSeconds }
    }

    public struct Result: Sendable {
        public let workloads: [Workload]
        public let creation: MachineCost
    }

    public let board: Board
    public let source: ModelSource
    public let steps: UInt32
    /// Iterations of the branch-heavy loop.
    public let branchIterations: UInt32

    public init(board: Board, source: ModelSource, steps: UInt32, branchIterations: UInt32 = 10_000_000) {
        self.board = board
        self.source = source
        self.steps = steps
        self.branchIterations = branchIterations
    }

    /// Runs raw first and accounted second, each `repeats` times, keeping the fastest of each.
    public func run(buildDirectory: String, repeats: Int = 3) throws -> Result {
        let elf = try ELFFile(path: FirmwareBuilder(board: board, directory: buildDirectory)
            .build(model: source, extraSources: ["bench_loop.c"]))
        let creation = try MachineCost.measure(board: board, elf: elf)
        let workloads = try [
            measure("\(steps) training steps of \(source.model.spec.name)", "mct_bench_steps", steps, elf: elf, repeats: repeats),
            measure("branch-heavy loop, \(grouped(Int(branchIterations))) iterations", "mct_bench_branches", branchIterations,
                    elf: elf, repeats: repeats),
        ]
        return Result(workloads: workloads, creation: creation)
    }

    private func measure(_ name: String, _ function: String, _ argument: UInt32, elf: ELFFile, repeats: Int) throws -> Workload {
        var best: [Bool: Double] = [:]
        var counted: (cycles: UInt64, instructions: UInt64, value: UInt32)?
        var metering = Metering.off
        for _ in 0..<repeats {
            for accounting in [false, true] {
                let machine = try Machine(board: board, timing: try board.core.timingModel(), metering: accounting ? nil : .off)
                try machine.load(elf)
                let top = try machine.address(of: "__StackTop")
                _ = try machine.call("mct_init", [1], stackTop: top, maxCycles: UInt64.max / 2)
                let start = Date()
                let result = try machine.call(function, [argument], stackTop: top, maxCycles: UInt64.max / 2)
                let wall = Date().timeIntervalSince(start)
                best[accounting] = min(best[accounting] ?? .infinity, wall)
                if accounting {
                    counted = (result.cycles, result.instructions, result.value)
                    metering = machine.metering
                } else if let c = counted, c.value != result.value {
                    throw EmulatorError("\(function): raw and accounted runs disagree (\(result.value) vs \(c.value)): not the same work")
                }
            }
        }
        let c = counted!
        func figures(_ label: String, _ wall: Double) -> Figures {
            Figures(label: label, wallSeconds: wall, mips: Double(c.instructions) / wall / 1e6,
                    realTimeFactor: Double(c.cycles) / Double(board.clockHz) / wall)
        }
        return Workload(name: name, raw: figures("raw Unicorn, no hooks", best[false]!),
                        accounted: figures("full cycle + RAM accounting (\(metering == .inlineCounters ? "inline counters" : "block hook"))", best[true]!),
                        cycles: c.cycles, instructions: c.instructions)
    }

    public func render(_ r: Result) -> String {
        var sections: [String] = []
        for w in r.workloads {
            var table = TextTable(headers: ["run", "wall s", "MIPS", "real-time factor"])
            for f in [w.raw, w.accounted] {
                table.rows.append([f.label, format(f.wallSeconds, 3), format(f.mips, 1), format(f.realTimeFactor, 2) + "x"])
            }
            sections.append("""
            emulator speed: \(w.name) on \(board.name) in one call, \(grouped(Int(w.instructions))) instructions, \(grouped(Int(w.cycles))) cycles (\(format(Double(w.cycles) / Double(board.clockHz), 3)) s at \(board.clockHz / 1_000_000) MHz)

            \(table.render())

            accounted / raw wall time: \(format(w.slowdown, 2))x (goal: at most 1.25x)
            """)
        }
        sections.append(r.creation.render())
        return sections.joined(separator: "\n\n")
    }
}
