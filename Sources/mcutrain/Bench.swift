import ArgumentParser
import Foundation
import MCUTrain

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure emulation speed with and without cycle accounting on this machine.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Training steps per run.") var steps: Int32 = 3000
    @Option(help: "Where the generated C and the firmware ELF go.") var buildDir = ".mcutrain/bench"

    func run() throws {
        try reportingErrors {
            let (board, spec, graph) = try target.load()
            let (data, _) = try DataSource.load(target.data, for: graph, seed: 1)
            let model = QuantizedModel.calibrated(spec, graph: graph, on: data, seed: 1)
            let bench = EmulatorBenchmark(board: board, source: ModelSource(model), steps: steps)
            print(bench.render(try bench.run(buildDirectory: buildDir)))
        }
    }
}
