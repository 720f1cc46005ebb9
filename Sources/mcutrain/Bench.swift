import ArgumentParser
import Foundation
import MCUTrain

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure emulation speed with and without cycle accounting on this machine.")

    @Option(help: "Board name in Boards/ or path to a board file.") var board = "nrf52840"
    @Option(help: "Model file (JSON).") var model = ProjectPaths.examples + "/mlp-digits.json"
    @Option(help: "Training steps per run (1...\(Self.maxSteps)).") var steps = 3000
    @Option(help: "Where the generated C and the firmware ELF go.") var buildDir = ".mcutrain/bench"

    /// Keeps the count within the firmware's 32-bit argument and a typo from starting a run of
    /// hours; `make bench` uses 3000.
    static let maxSteps = 1_000_000

    func run() throws {
        try reportingErrors {
            let steps = UInt32(try checked(steps, option: "steps", in: 1...Self.maxSteps))
            let bench = EmulatorBenchmark(board: try Board.resolve(board), spec: try ModelSpec.load(path: model), steps: steps)
            print(bench.render(try bench.run(buildDirectory: buildDir)))
        }
    }
}
