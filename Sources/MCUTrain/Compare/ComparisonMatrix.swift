import Foundation

/// What `compare` runs: every model × board × kernel variant × algorithm × seed, each trained
/// for `epochs`.
/// Written into every result file, so shards of one matrix can prove they belong together.
public struct ComparisonMatrix: Codable, Equatable, Sendable {
    public var models: [String]
    public var boards: [String]
    public var kernels: [KernelVariant]
    public var algorithms: [String]
    public var seeds: [UInt64]
    public var epochs: Int
    /// `--data` for every cell; nil: the digits for a 64-feature model, else synthetic.
    public var data: String?

    /// One run of the matrix. `index` is its place in the full matrix, whatever shard ran it.
    public struct Cell: Codable, Equatable, Sendable {
        public let index: Int
        public let model: String
        public let board: String
        public let kernels: KernelVariant
        public let algorithm: String
        public let seed: UInt64
    }

    public init(models: [String], boards: [String], kernels: [KernelVariant] = [.portable], algorithms: [String], seeds: [UInt64], epochs: Int, data: String?) throws {
        self.models = models; self.boards = boards; self.kernels = kernels; self.algorithms = algorithms; self.seeds = seeds
        self.epochs = epochs; self.data = data
        try validate()
    }

    /// Models and boards vary slowest, seeds fastest: a shard of consecutive cells would hold
    /// one model's runs, so shards deal cells round-robin instead (see `cells(in:)`).
    public var cells: [Cell] {
        var cells: [Cell] = []
        for model in models { for board in boards { for variant in kernels { for algorithm in algorithms { for seed in seeds {
            cells.append(Cell(index: cells.count, model: model, board: board, kernels: variant, algorithm: algorithm, seed: seed))
        } } } } }
        return cells
    }

    /// Shard `i` of `n` takes every n-th cell from the i-th: the same slice on every machine.
    public func cells(in shard: Shard?) -> [Cell] {
        guard let shard else { return cells }
        return cells.filter { $0.index % shard.count == shard.number - 1 }
    }

    func validate() throws {
        for (name, axis) in [("models", models), ("boards", boards), ("algorithms", algorithms)] where axis.isEmpty {
            throw ConfigError("the matrix has no \(name)")
        }
        guard !seeds.isEmpty else { throw ConfigError("the matrix has no seeds") }
        guard !kernels.isEmpty else { throw ConfigError("the matrix has no kernel variants") }
        guard (1...1000).contains(epochs) else { throw ConfigError("epochs \(epochs) is out of range: use 1...1000") }
        guard cells.count <= 10_000 else { throw ConfigError("the matrix has \(cells.count) cells: at most 10000") }
        for algorithm in algorithms { _ = try TrainingAlgorithm.variant(algorithm) }
    }
}

/// `--shard I/N`: the I-th of N slices, I counted from 1 as CI matrix indices usually are.
public struct Shard: Codable, Equatable, Sendable, CustomStringConvertible {
    public let number: Int
    public let count: Int

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, n <= 10_000, (1...n).contains(i) else {
            throw ConfigError("--shard \(Quoted(text)) must be I/N with 1 <= I <= N <= 10000")
        }
        number = i; count = n
    }

    public var description: String { "\(number)/\(count)" }
}

extension ComparisonMatrix {
    /// A matrix file: the same axes as the command-line flags. Relative model and data paths
    /// are taken from the file's folder, so a CI job can run it from anywhere in the clone.
    public static func load(path: String) throws -> ComparisonMatrix {
        let file = try JSONFile.decode(MatrixFile.self, path: path)
        let folder = (path as NSString).deletingLastPathComponent
        func near(_ p: String) -> String { p.hasPrefix("/") || folder.isEmpty ? p : (folder as NSString).appendingPathComponent(p) }
        do {
            return try ComparisonMatrix(models: file.models.map(near), boards: file.boards.map { $0.hasSuffix(".json") ? near($0) : $0 },
                                        kernels: file.kernels ?? [.portable], algorithms: file.algorithms ?? ["full"], seeds: file.seeds ?? [1], epochs: file.epochs ?? 10,
                                        data: file.data.map { $0.hasPrefix("synthetic") ? $0 : near($0) })
        } catch let error as ConfigError {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    private struct MatrixFile: Decodable {
        let models: [String], boards: [String]
        let kernels: [KernelVariant]?, algorithms: [String]?, seeds: [UInt64]?, epochs: Int?, data: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case models, boards, kernels, algorithms, seeds, epochs, data }
        init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            models = try c.decode([String].self, forKey: .models)
            boards = try c.decode([String].self, forKey: .boards)
            kernels = try c.decodeIfPresent([KernelVariant].self, forKey: .kernels)
            algorithms = try c.decodeIfPresent([String].self, forKey: .algorithms)
            seeds = try c.decodeIfPresent([UInt64].self, forKey: .seeds)
            epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
            data = try c.decodeIfPresent(String.self, forKey: .data)
        }
    }
}
