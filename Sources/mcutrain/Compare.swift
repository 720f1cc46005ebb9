import ArgumentParser
import Foundation
import MCUTrain

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a matrix of models × boards × kernel variants × algorithms × seeds and report which variant to ship.",
        discussion: """
            Writes results.json, results.csv, report.md and a self-contained report.html (SVG charts) into --out. \
            Cells run in parallel, each a full simulate (every step emulated); unchanged cells come from the cache. \
            --shard I/N runs every N-th cell from the I-th; --merge joins shards' results.json into the unsharded report.
            """)

    @Option(help: "Model file (repeatable). Default: the digits MLP.") var model: [String] = []
    @Option(help: "Board name or file (repeatable). Default: nrf52840.") var board: [String] = []
    @Option(help: "Kernel variant, portable or dsp (repeatable). Default: portable.") var kernels: [KernelVariant] = []
    @Option(help: "Algorithm NAME or NAME:P=V,P=V (repeatable). Default: full.") var algorithm: [String] = []
    @Option(help: "Seed (repeatable). Default: 1.") var seed: [UInt64] = []
    @Option(help: "Training epochs per cell.") var epochs = 10
    @Option(help: "Data for every cell: a .bin or .csv file, or synthetic[:N]. Default: the digits for 64 inputs, else synthetic.")
    var data: String?
    @Option(help: "A matrix file (JSON: models, boards, kernels, algorithms, seeds, epochs, data) instead of the axis flags.") var matrix: String?
    @Option(help: "Run only shard I of N (1-based), e.g. 2/4.") var shard: String?
    @Option(parsing: .upToNextOption, help: "Merge these results.json files of one matrix's shards; runs nothing.") var merge: [String] = []
    @Option(help: "Where the reports go.") var out = "compare-report"
    @Option(help: "Cells at once (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Run every cell even if the cache holds its result.") var noCache = false
    @Option(help: "Where results are cached.") var cacheDir = ".mcutrain/cache"
    @Option(help: "Where the generated C and the firmware ELFs go.") var buildDir = ".mcutrain/compare"

    func run() throws {
        try reportingErrors {
            let comparison: Comparison
            if !merge.isEmpty {
                guard matrix == nil, shard == nil, model.isEmpty, board.isEmpty, kernels.isEmpty, algorithm.isEmpty, seed.isEmpty else {
                    throw ConfigError("--merge takes only results files (and --out): the matrix comes from them")
                }
                comparison = try Comparison.merge(merge)
            } else {
                comparison = try runMatrix()
            }
            let summary = ComparisonSummary(comparison)
            let markdown = ComparisonTables.markdown(summary)
            try write(comparison, summary, markdown)
            print(markdown)
            FileHandle.standardError.write(Data("wrote \(out)/report.html, report.md, results.csv, results.json\n".utf8))
        }
    }

    private func runMatrix() throws -> Comparison {
        let matrix: ComparisonMatrix
        if let file = self.matrix {
            guard model.isEmpty, board.isEmpty, kernels.isEmpty, algorithm.isEmpty, seed.isEmpty, data == nil else {
                throw ConfigError("--matrix \(file) names the axes: give either it or --model/--board/--kernels/--algorithm/--seed/--data")
            }
            matrix = try ComparisonMatrix.load(path: file)
        } else {
            matrix = try ComparisonMatrix(models: model.isEmpty ? [ProjectPaths.examples + "/mlp-digits.json"] : model,
                                          boards: board.isEmpty ? ["nrf52840"] : board, kernels: kernels.isEmpty ? [.portable] : kernels, algorithms: algorithm.isEmpty ? ["full"] : algorithm,
                                          seeds: seed.isEmpty ? [1] : seed, epochs: epochs, data: data)
        }
        _ = try checked(jobs, option: "jobs", in: 1...64)
        let shard = try self.shard.map(Shard.init(parsing:))
        let cells = matrix.cells(in: shard)
        let runner = ComparisonRunner(matrix: matrix, cache: noCache ? nil : RunCache(directory: cacheDir), buildRoot: buildDir, jobs: jobs)
        let progress = MatrixProgress(cells: cells.count, epochs: matrix.epochs)
        progress.start(shard.map { "shard \($0): " } ?? "", jobs: min(jobs, cells.count))
        let results = try runner.run(cells, progress: progress.update)
        return Comparison(matrix: matrix, shard: shard, cells: results)
    }

    private func write(_ comparison: Comparison, _ summary: ComparisonSummary, _ markdown: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try comparison.json().write(to: URL(fileURLWithPath: out + "/results.json"))
            try ComparisonTables.csv(comparison).write(toFile: out + "/results.csv", atomically: true, encoding: .utf8)
            try markdown.write(toFile: out + "/report.md", atomically: true, encoding: .utf8)
            try ComparisonHTML.render(summary).write(toFile: out + "/report.html", atomically: true, encoding: .utf8)
        } catch {
            throw ConfigError("cannot write the report to \(out): \(FileProblem.reason(error, path: out))")
        }
    }
}

/// "[3/8 cells] ... ETA 1m 20s" on stderr: cells done, and time left from the epochs run so far.
final class MatrixProgress {
    private let cells: Int, epochs: Int
    private var done = 0, epochsRun = 0, epochsLeft: Int
    private let begin = Date()

    init(cells: Int, epochs: Int) { self.cells = cells; self.epochs = epochs; epochsLeft = cells * epochs }

    func start(_ prefix: String, jobs: Int) {
        emit("\(prefix)\(cells) cells of \(epochs) epochs, \(jobs) at a time")
    }

    func update(_ event: ComparisonRunner.Event) {
        switch event {
        case .epoch:
            epochsRun += 1
            epochsLeft -= 1
        case .cell(let cell, let r, let cached):
            done += 1
            if cached { epochsLeft -= epochs }
            let eta = epochsRun > 0 && epochsLeft > 0 ? ", ETA \(Self.duration(Date().timeIntervalSince(begin) / Double(epochsRun) * Double(epochsLeft)))" : ""
            emit(String(format: "[%d/%d cells] %@ on %@, %@, %@ kernels, seed %llu: %.1f%%, %@ cycles/step%@%@", done, cells, r.model, r.board, cell.algorithm, cell.kernels.rawValue,
                        cell.seed, r.testAccuracy * 100, grouped(Int(r.cyclesPerStepMean.rounded())), cached ? " (cached)" : "", eta))
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m \(s % 60)s" : "\(s)s"
    }

    private func emit(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
