import Foundation
import MCUTrain

/// One loader under test: the valid files its inputs start from, and what the tool does with
/// such a file, as far as it can go without compiling or emulating a whole run.
enum FuzzTarget: String, CaseIterable {
    case model, board, csv, elf

    var fileExtension: String {
        switch self {
        case .model, .board: return "json"
        case .csv: return "csv"
        case .elf: return "elf"
        }
    }

    var format: Mutator.Format {
        switch self {
        case .model, .board: return .json
        case .csv: return .csv
        case .elf: return .elf
        }
    }

    /// The seed files: the shipped examples and boards, CSVs of every kind the loader accepts
    /// (and the bundled binary digits, which `--data` also takes), and ELFs from `ELFSeeds`.
    func seeds(workDirectory: String) throws -> [[UInt8]] {
        func files(in directory: String) throws -> [[UInt8]] {
            try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
                .map { Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
        }
        switch self {
        case .model: return try files(in: ProjectPaths.examples)
        case .board: return try files(in: ProjectPaths.boards)
        case .csv: return CSVSeeds.all.map { Array($0.utf8) } + [Array(try Data(contentsOf: URL(fileURLWithPath: ProjectPaths.digits)))]
        case .elf: return try ELFSeeds.all(workDirectory: workDirectory)
        }
    }

    /// Does with `path` what the command line does before training: loads it, builds what is
    /// built from it, and checks it against the rest. Throws the loader's rejection.
    func exercise(_ path: String) throws {
        switch self {
        case .model:
            let spec = try ModelSpec.load(path: path)
            for scheme in Graph.UpdateScheme.allCases where scheme == .full || spec.sparseUpdate != nil {
                let graph = try Graph(spec, update: scheme)
                // Calibration's float pass is linear in MACs; the examples' tests cover large graphs.
                guard graph.forwardMACs <= 1 << 22 else { continue }
                let data = Dataset.synthetic(featureCount: graph.inputShape.count, classCount: graph.classCount, count: 2, seed: 1)
                let source = ModelSource(QuantizedModel.calibrated(spec, graph: graph, on: data, seed: 1))
                try MemoryBudget.check(source.memory, board: Self.referenceBoard, model: path)
            }
        case .board:
            let board = try Board.load(path: path)
            _ = LinkerScript.make(for: board)
            // Unicorn must accept every memory map validation passes; mapping gigabytes is left out for speed.
            guard board.regions.reduce(0, { $0 + Int($1.size) }) <= 16 << 20 else { return }
            _ = try Machine(board: board, timing: try board.core.timingModel())
        case .csv:
            let data = try DataSource.table(path: path)
            let (train, test, _) = data.prepared(testFraction: 0.2, seed: 1)
            guard train.count + test.count == data.count else { throw Invariant("the split lost samples") }
        case .elf:
            let elf = try ELFFile(path: path)
            try Machine(board: Self.referenceBoard, timing: try Self.referenceBoard.core.timingModel()).load(elf)
        }
    }

    /// A promised rejection: the loader's own error type, one line, naming the file.
    func isProperRejection(_ error: Error, path: String) -> Bool {
        let text = "\(error)"
        guard text.contains(path), !text.contains("\n") else { return false }
        switch self {
        case .model, .board: return error is ConfigError
        case .csv: return error is DatasetError || error is ConfigError
        case .elf: return error is ELFError || error is EmulatorError
        }
    }

    /// A property of an accepted input that does not hold: as much a finding as a trap.
    struct Invariant: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let referenceBoard = try! Board.resolve("nrf52840")
}
