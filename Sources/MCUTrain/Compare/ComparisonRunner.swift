import Foundation

/// Runs a matrix's cells in parallel, each a full `simulate` of its own firmware in its own
/// build directory, reading unchanged cells back from the cache.
public struct ComparisonRunner {
    public enum Event {
        case epoch(ComparisonMatrix.Cell, epoch: Int)
        case cell(ComparisonMatrix.Cell, ComparisonCell, cached: Bool)
    }

    public let matrix: ComparisonMatrix
    /// Nil: every cell runs (`--no-cache`).
    public let cache: RunCache?
    public let buildRoot: String
    public let jobs: Int

    public init(matrix: ComparisonMatrix, cache: RunCache?, buildRoot: String, jobs: Int) {
        self.matrix = matrix; self.cache = cache; self.buildRoot = buildRoot; self.jobs = jobs
    }

    /// The cells' results in cell order; the first failure (naming its cell) ends the run.
    public func run(_ cells: [ComparisonMatrix.Cell], progress: @escaping (Event) -> Void) throws -> [ComparisonCell] {
        let lock = NSLock()
        let report = { (event: Event) in lock.lock(); progress(event); lock.unlock() }
        return try runInParallel(cells.count, width: jobs) { i in
            let cell = cells[i]
            do {
                let (result, cached) = try run(cell, progress: report)
                report(.cell(cell, result, cached: cached))
                return result
            } catch {
                throw ConfigError("cell \(cell.index) (\(cell.model), \(cell.board), \(cell.kernels.rawValue) kernels, \(cell.algorithm), seed \(cell.seed)): \(error)")
            }
        }.map { try $0.get() }
    }

    private func run(_ cell: ComparisonMatrix.Cell, progress: @escaping (Event) -> Void) throws -> (ComparisonCell, Bool) {
        let board = try Board.resolve(cell.board)
        let prepared = try PreparedRun(modelFile: cell.model, data: matrix.data, seed: cell.seed)
        let options = Simulation.Options(epochs: matrix.epochs, seed: cell.seed, update: prepared.update,
                                         algorithm: try TrainingAlgorithm.variant(cell.algorithm), kernels: cell.kernels)
        let key = try cache?.key(source: Simulation.source(prepared, options: options), board: board,
                                 data: prepared.dataFile == DataSource.syntheticName ? matrix.data ?? "synthetic" : prepared.dataFile,
                                 options: "simulate epochs \(options.epochs) seed \(options.seed) test \(options.testFraction) update \(options.update.rawValue) algorithm \(options.algorithm) kernels \(cell.kernels.rawValue)")
        if let key, let report = cache?.load(SimulationReport.self, key: key) {
            return (ComparisonCell(cell, report: report, board: board), true)
        }
        let directory = "\(buildRoot)/cell\(cell.index)-\(ProcessInfo.processInfo.processIdentifier)"
        let simulation = try Simulation(board: board, prepared: prepared, modelFile: cell.model, options: options, buildDirectory: directory)
        let report = try simulation.run { event in
            if case .epoch(let e) = event { progress(.epoch(cell, epoch: e.epoch)) }
        }
        if let key { try cache?.store(report, key: key) }
        return (ComparisonCell(cell, report: report, board: board), false)
    }
}
