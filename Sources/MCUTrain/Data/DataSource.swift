import Foundation

/// What `--data` names: a data file, `synthetic[:N]`, or by default the bundled digits for a
/// 64-feature input and synthetic data for any other shape.
public enum DataSource {
    public static let defaultSyntheticCount = 600
    /// What messages and `load` call generated data in place of a file name.
    public static let syntheticName = "synthetic data"

    /// The samples, checked against the model's input and outputs, and how to name them in
    /// messages. A file's format goes by its first bytes, not its extension: exports arrive as
    /// `.txt`, `.data` or with no extension at all.
    public static func load(_ argument: String?, for graph: Graph, seed: UInt64) throws -> (data: any SampleTable, file: String) {
        let (data, file) = try read(argument, for: graph, seed: seed)
        try check(data, fits: graph, file: file)
        return (data, file)
    }

    /// Every command that takes data calibrates on it, so a mismatch must stop it before then.
    public static func check(_ data: any SampleTable, fits graph: Graph, file: String) throws {
        guard data.featureCount == graph.inputShape.count else {
            throw ConfigError("\(file): samples have \(data.featureCount) features, the model's input \(graph.inputShape) has \(graph.inputShape.count)")
        }
        guard data.classCount <= graph.classCount else {
            throw ConfigError("\(file): labels reach class \(data.classCount - 1), the model has \(graph.classCount) outputs")
        }
    }

    private static func read(_ argument: String?, for graph: Graph, seed: UInt64) throws -> (data: any SampleTable, file: String) {
        let arg = argument ?? (graph.inputShape.count == 64 ? ProjectPaths.digits : "synthetic")
        if arg == "synthetic" || arg.hasPrefix("synthetic:") {
            let count = arg == "synthetic" ? defaultSyntheticCount : Int(arg.dropFirst("synthetic:".count)) ?? -1
            guard (2...100_000).contains(count) else { throw ConfigError("--data \(Quoted(arg)): the sample count must be 2...100000") }
            return (Dataset.synthetic(featureCount: graph.inputShape.count, classCount: graph.classCount, count: count, seed: seed), syntheticName)
        }
        return (try table(path: arg), arg)
    }

    /// A data file: the `MCTD` binary format when it starts with that magic, CSV otherwise.
    public static func table(path: String) throws -> any SampleTable {
        guard let file = fopen(path, "rb") else { throw DatasetError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        var magic = [UInt8](repeating: 0, count: 4)
        let isBinary = fread(&magic, 1, 4, file) == 4 && magic == Array("MCTD".utf8)
        fclose(file)
        return try isBinary ? DatasetLoader.loadBinary(path: path) : DatasetLoader.loadCSV(path: path)
    }
}
