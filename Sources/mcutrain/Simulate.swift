import ArgumentParser
import Foundation
import MCUTrain

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model inside an emulated board and report accuracy, cycles and RAM.")

    @Option(help: "Board name in Boards/ or path to a board file.") var board = "nrf52840"
    @Option(help: "Model file (JSON).") var model = "Examples/mlp-digits.json"
    @Option(help: "Data set: the built-in digits (.bin) or a CSV file (features..., label).") var data: String?
    @Option(help: "Training epochs.") var epochs = 20
    @Option(help: "Seed for the split, the shuffling and the weight init.") var seed: UInt64 = 1
    @Option(help: "Share of each class held out for testing.") var testFraction = 0.2
    @Option(help: "Where the generated C and the firmware ELF go.") var buildDir = ".mcutrain/build"
    @Option(help: "Also write the report as JSON to this file.") var json: String?

    func run() throws {
        try reportingErrors {
            let boardSpec = try Board.resolve(board)
            let spec = try ModelSpec.load(path: model)
            let dataFile = data ?? ProjectPaths.digits
            let dataset = dataFile.hasSuffix(".csv") ? try DatasetLoader.loadCSV(path: dataFile) : try DatasetLoader.loadBinary(path: dataFile)
            let progress = ProgressLine(epochs: epochs)
            progress.note("building \(spec.name) for \(boardSpec.name) in \(buildDir)/\(spec.name)-\(boardSpec.name)")
            let device = try TrainingDevice(board: boardSpec, spec: spec, modelFile: model,
                                            buildDirectory: "\(buildDir)/\(spec.name)-\(boardSpec.name)")
            let simulation = try Simulation(device: device, spec: spec, data: dataset, dataFile: dataFile,
                                            options: .init(epochs: epochs, seed: seed, testFraction: testFraction))
            let report = try simulation.run(progress: progress.update)
            progress.finish()
            print(SimulationText.render(report))
            if let json { try writeJSON(report, to: json) }
        }
    }
}
