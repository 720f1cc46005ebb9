import Foundation

/// The results of a matrix, or of one shard of it: what `compare` writes as `results.json`
/// and what `compare --merge` reads back.
public struct Comparison: Codable, Equatable, Sendable {
    public let matrix: ComparisonMatrix
    /// Set in a shard's results; a merged or unsharded comparison has none.
    public let shard: Shard?
    public let cells: [ComparisonCell]

    public init(matrix: ComparisonMatrix, shard: Shard?, cells: [ComparisonCell]) {
        self.matrix = matrix; self.shard = shard; self.cells = cells.sorted { $0.index < $1.index }
    }

    /// Joins shards of one matrix into the comparison an unsharded run writes; refuses shards
    /// of different matrices, a cell twice, or a missing cell (naming the files).
    public static func merge(_ files: [String]) throws -> Comparison {
        guard let first = files.first else { throw ConfigError("--merge needs at least one results.json") }
        var parts: [(String, Comparison)] = []
        for file in files { parts.append((file, try JSONFile.decode(Comparison.self, path: file))) }
        let matrix = parts[0].1.matrix
        var cells: [Int: (String, ComparisonCell)] = [:]
        for (file, part) in parts {
            guard part.matrix == matrix else { throw ConfigError("\(file): a different matrix from \(first)'s: not shards of one comparison") }
            for cell in part.cells {
                guard cell.index < matrix.cells.count else { throw ConfigError("\(file): cell \(cell.index) is outside the matrix") }
                if let other = cells[cell.index] { throw ConfigError("\(file): cell \(cell.index) is also in \(other.0)") }
                cells[cell.index] = (file, cell)
            }
        }
        if let missing = matrix.cells.first(where: { cells[$0.index] == nil }) {
            throw ConfigError("cell \(missing.index) (\(missing.model), \(missing.board), \(missing.kernels.rawValue) kernels, \(missing.algorithm), seed \(missing.seed)) is in none of the files: a shard is missing")
        }
        return Comparison(matrix: matrix, shard: nil, cells: cells.values.map(\.1))
    }

    /// Pretty, with sorted keys: the same results give the same bytes.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
