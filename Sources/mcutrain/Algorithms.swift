import ArgumentParser
import Foundation
import MCUTrain

struct Algorithms: ParsableCommand {
    enum Outcome { case run(SimulationReport), stream(LabelStreamReport) }

    static let configuration = CommandConfiguration(
        abstract: "Train each model under every training algorithm on one board and write the comparison as Markdown.",
        discussion: "Every run is a full `simulate` (every step emulated). With no --model: the digits MLP and CNN.")

    @Option(help: "Model file (repeatable).") var model: [String] = []
    @Option(help: "Board name in Boards/ or path to a board file.") var board = "nrf52840"
    @Option(help: "Algorithms to run (repeatable), NAME or NAME:P=V,P=V for a setting of its parameters; full always runs first as the baseline.")
    var algorithm: [String] = TrainingAlgorithm.Kind.allCases.map(\.rawValue)
    @Option(help: "An algorithm parameter, NAME=VALUE (repeatable), applied to every algorithm that has it.") var param: [String] = []
    @Option(help: "Training epochs.") var epochs = 10
    @Option(help: "Seed for the split, the shuffling and the weight init.") var seed: UInt64 = 1
    @Option(help: "Active-learning rows: labels the device may ask for in one pass over the training split (0: none).")
    var labelBudget = 300
    @Option(help: "Uncertainty scores for the active-learning rows (repeatable).") var uncertainty: [LabelQuery.Method] = [.margin, .entropy]
    @Option(help: "Runs at once (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Where to write the Markdown ('-': standard output only).") var out = "docs/algorithms.md"
    @Option(help: "Where the generated C and the firmware ELFs go.") var buildDir = ".mcutrain/algorithms"
    @Flag(help: "List every algorithm's parameters and defaults, then exit.") var list = false

    func run() throws {
        try reportingErrors {
            if list {
                for kind in TrainingAlgorithm.Kind.allCases {
                    print(kind.rawValue + TrainingAlgorithm.parameters(of: kind).map { "\n  \($0.name) = \($0.defaultValue): \($0.meaning)" }.joined())
                }
                return
            }
            _ = try checked(epochs, option: "epochs", in: 1...1000)
            _ = try checked(jobs, option: "jobs", in: 1...64)
            let board = try Board.resolve(self.board)
            let models = model.isEmpty ? ["mlp-digits", "cnn-digits"].map { ProjectPaths.examples + "/\($0).json" } : model
            let variants = ["full"] + algorithm.filter { $0 != "full" }
            var cells: [(model: String, spec: ModelSpec, graph: Graph, algorithm: TrainingAlgorithm)] = []
            for path in models {
                let spec = try ModelSpec.load(path: path)
                let graph = try Graph(spec, update: .full)
                for variant in variants {
                    cells.append((path, spec, graph, try TrainingAlgorithm.variant(variant, shared: param)))
                }
            }
            let unused = param.filter { p in !cells.contains { $0.algorithm.values[TrainingAlgorithm.parameterName(p)] != nil } }
            if let p = unused.first { throw ConfigError("--param \(p): no algorithm run here has that parameter") }

            let progress = ProgressLine(epochs: epochs)
            let streams = labelBudget > 0 ? models.flatMap { m in uncertainty.map { (model: m, method: $0) } } : []
            progress.note("\(cells.count) runs of \(epochs) epochs and \(streams.count) active-learning streams on \(board.name), \(min(jobs, cells.count)) at a time")
            let results = runInParallel(cells.count + streams.count, width: jobs) { i -> Outcome in
                guard i < cells.count else {
                    let s = streams[i - cells.count]
                    let spec = try ModelSpec.load(path: s.model)
                    let (data, dataFile) = try DataSource.load(nil, for: try Graph(spec, update: .full), seed: seed)
                    let dir = "\(buildDir)/\(spec.name)-\(board.name)-\(s.method.rawValue)-\(ProcessInfo.processInfo.processIdentifier)"
                    let stream = try LabelStream(board: board, spec: spec, modelFile: s.model, data: data, dataFile: dataFile,
                                                 options: .init(epochs: 1, seed: seed, budget: labelBudget, method: s.method), buildDirectory: dir)
                    let report = try stream.run()
                    progress.note("  \(spec.name) active learning (\(s.method.rawValue)): done")
                    return .stream(report)
                }
                let c = cells[i]
                let (data, dataFile) = try DataSource.load(nil, for: c.graph, seed: seed)
                let dir = "\(buildDir)/\(c.spec.name)-\(board.name)-\(c.algorithm.kind.rawValue)-\(ProcessInfo.processInfo.processIdentifier)"
                let simulation = try Simulation(board: board, spec: c.spec, modelFile: c.model, data: data, dataFile: dataFile,
                                                options: .init(epochs: epochs, seed: seed, algorithm: c.algorithm), buildDirectory: dir)
                let report = try simulation.run { event in
                    if case .epoch(let e) = event {
                        progress.note(String(format: "  %@ %@: epoch %d/%d  test %.1f%%", c.spec.name, c.algorithm.kind.rawValue, e.epoch, epochs, e.testAccuracy * 100))
                    }
                }
                return .run(report)
            }
            let outcomes = try results.map { try $0.get() }
            let reports = outcomes.compactMap { if case .run(let r) = $0 { r } else { nil } }
            let table = AlgorithmTable(runs: stride(from: 0, to: reports.count, by: variants.count).map { Array(reports[$0..<$0 + variants.count]) },
                                       streams: outcomes.compactMap { if case .stream(let r) = $0 { r } else { nil } })
            let text = table.markdown(command: (["mcutrain"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
            print(text)
            if out != "-" {
                do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    throw ConfigError("cannot write \(out): \(FileProblem.reason(error, path: out))")
                }
            }
        }
    }
}
