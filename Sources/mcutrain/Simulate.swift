import ArgumentParser
import Foundation
import MCUTrain

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model inside an emulated board and report accuracy, cycles and RAM.")

    @OptionGroup var target: TargetOptions
    @Option(help: "Training epochs.") var epochs = 20
    @Option(help: "Seed for the split, the shuffling and the weight init.") var seed: UInt64 = 1
    @Option(help: "Share of each class held out for testing.") var testFraction = 0.2
    @Option(help: "Where the generated C and the firmware ELF go.") var buildDir = ".mcutrain/build"
    @Option(help: "Also write the report as JSON to this file.") var json: String?
    @Flag(help: "Train on the host build of the same C; measure only --measured-steps steps in the emulator.") var fast = false
    @Option(help: "With --fast: training steps (and inferences) measured in the emulator.") var measuredSteps = 64
    @Option(help: "Active learning: the device asks for at most this many labels over the stream (the training split, --epochs times).")
    var labelBudget: Int?
    @Option(help: "With --label-budget: least_confidence, margin, ratio or entropy.") var uncertainty = LabelQuery.Method.margin

    func run() throws {
        try reportingErrors {
            let (board, spec, graph) = try target.load()
            let algorithm = try target.algorithm(spec)
            let (dataset, dataFile) = try DataSource.load(target.data, for: graph, seed: seed)
            let progress = ProgressLine(epochs: epochs)
            let dir = target.buildDirectory(in: buildDir, spec, board, graph, algorithm)
            if let labelBudget {
                let stream = try LabelStream(board: board, spec: spec, modelFile: target.model, data: dataset, dataFile: dataFile,
                                             options: .init(epochs: epochs, seed: seed, testFraction: testFraction, update: graph.scheme,
                                                            algorithm: algorithm, budget: labelBudget, method: uncertainty, kernels: target.kernels),
                                             buildDirectory: dir + "-stream")
                let report = try stream.run(progress: progress.note)
                print(report.render())
                if let json { try writeJSON(report, to: json) }
                return
            }
            progress.note("building \(spec.name) (\(graph.scheme.rawValue) update, \(algorithm)) for \(board.name) in \(dir)")
            let simulation = try Simulation(board: board, spec: spec, modelFile: target.model, data: dataset, dataFile: dataFile,
                                            options: .init(epochs: epochs, seed: seed, testFraction: testFraction, update: graph.scheme,
                                                          algorithm: algorithm, fast: fast, measuredSteps: measuredSteps, kernels: target.kernels),
                                            buildDirectory: dir)
            let report = try simulation.run(progress: progress.update)
            progress.finish()
            print(SimulationText.render(report))
            if let json { try writeJSON(report, to: json) }
        }
    }
}

/// The board, model, update scheme and data every training command takes.
struct TargetOptions: ParsableArguments {
    @Option(help: "Board name in Boards/ or path to a board file.") var board = "nrf52840"
    @Option(help: "Model file (JSON).") var model = ProjectPaths.examples + "/mlp-digits.json"
    @Option(help: "Update scheme: full, or sparse (the model file's sparse_update). Default: sparse if the model has one.")
    var update: Graph.UpdateScheme?
    @Option(help: "Data: a .bin or .csv file, or synthetic[:N]. Default: the digits for 64 inputs, else synthetic.")
    var data: String?
    @Option(help: "Training algorithm: full, meprop, tinyprop or tinypropv2. Default: the model file's, else full.")
    var algorithm: String?
    @Option(help: "An algorithm parameter, NAME=VALUE (repeatable); see `mcutrain algorithms --list`.")
    var param: [String] = []
    @Option(help: "Kernel variant: portable (any Cortex-M) or dsp (M4/M7 DSP extension; bit-identical results).")
    var kernels = KernelVariant.portable

    /// Per model, board, scheme, algorithm and process: two runs at once never share generated files.
    func buildDirectory(in root: String, _ spec: ModelSpec, _ board: Board, _ graph: Graph, _ algorithm: TrainingAlgorithm = .full) -> String {
        "\(root)/\(spec.name)-\(board.name)-\(graph.scheme.rawValue)-\(algorithm.kind.rawValue)-\(kernels.rawValue)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    func algorithm(_ spec: ModelSpec) throws -> TrainingAlgorithm {
        try TrainingAlgorithm.resolve(name: algorithm, params: param, file: spec.algorithm)
    }

    func load() throws -> (Board, ModelSpec, Graph) {
        let board = try Board.resolve(self.board)
        let spec = try ModelSpec.load(path: model)
        let scheme = update ?? spec.defaultUpdate
        do {
            return (board, spec, try Graph(spec, update: scheme))
        } catch let error as ConfigError {
            throw ConfigError("\(model): \(error.description)")
        }
    }
}

extension Graph.UpdateScheme: ExpressibleByArgument {}
extension KernelVariant: ExpressibleByArgument {}
extension LabelQuery.Method: ExpressibleByArgument {}
