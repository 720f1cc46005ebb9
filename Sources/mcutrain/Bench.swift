import ArgumentParser
import Foundation
import MCUTrain

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure emulation speed with and without cycle accounting on this machine, then each kernel's MAC/cycle per variant.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Training steps per run (1...\(Self.maxSteps)).") var steps = 3000
    @Option(help: "Where the generated C and the firmware ELF go.") var buildDir = ".mcutrain/bench"

    /// Keeps the count within the firmware's 32-bit argument and a typo from starting a run of
    /// hours; `make bench` uses 3000.
    static let maxSteps = 1_000_000

    func run() throws {
        try reportingErrors {
            let (board, spec, graph) = try target.load()
            let (data, _) = try DataSource.load(target.data, for: graph, seed: 1)
            let model = QuantizedModel.calibrated(spec, graph: graph, on: data.prepared(testFraction: 0.2, seed: 1).train, seed: 1)
            let bench = EmulatorBenchmark(board: board, source: ModelSource(model, algorithm: try target.algorithm(spec), kernels: target.kernels), steps: UInt32(try checked(steps, option: "steps", in: 1...Self.maxSteps)))
            print(bench.render(try bench.run(buildDirectory: buildDir)))
            let kernels = KernelBenchmark(board: board)
            print("\n" + kernels.render(try kernels.run(buildDirectory: buildDir + "/kernels")))
        }
    }
}
