import ArgumentParser
import Foundation
import MCUTrain

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan a training step's memory: every buffer's offset and lifetime, and the predicted peak RAM.",
        discussion: "Exits 1 when the step does not fit the board's RAM, naming the bytes over and the buffers live at the peak.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Seed of the weights and of the calibration split.") var seed: UInt64 = 1
    @Option(help: "Where the generated C and the firmware ELF go.") var buildDir = ".mcutrain/plan"
    @Option(help: "Also write the plan as JSON to this file.") var json: String?

    func run() throws {
        try reportingErrors {
            let (board, spec, graph) = try target.load()
            let (data, _) = try DataSource.load(target.data, for: graph, seed: seed)
            let algorithm = try target.algorithm(spec)
            let source = ModelSource(QuantizedModel.calibrated(spec, graph: graph, on: data.prepared(testFraction: 0.2, seed: seed).train, seed: seed),
                                     algorithm: algorithm, kernels: target.kernels)
            let fits = Result { try MemoryBudget.check(source.memory, board: board, model: target.model) }
            var flash: Int?
            if case .success = fits {
                let dir = target.buildDirectory(in: buildDir, spec, board, graph, algorithm)
                flash = try ELFFile(path: FirmwareBuilder(board: board, directory: dir).build(model: source)).flashBytes
            }
            let report = PlanReport(source: source, board: board, flashBytes: flash)
            print(report.render())
            if let json { try writeJSON(report, to: json) }
            try fits.get()
        }
    }
}
