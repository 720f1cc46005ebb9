/// What `--data` names: a CSV or `.bin` file, `synthetic[:N]`, or by default the bundled digits
/// for a 64-feature input and synthetic data for any other shape.
public enum DataSource {
    public static let defaultSyntheticCount = 600

    /// The data set and how to name it in messages.
    public static func load(_ argument: String?, for graph: Graph, seed: UInt64) throws -> (data: Dataset, file: String) {
        let arg = argument ?? (graph.inputShape.count == 64 ? ProjectPaths.digits : "synthetic")
        if arg == "synthetic" || arg.hasPrefix("synthetic:") {
            let count = arg == "synthetic" ? defaultSyntheticCount : Int(arg.dropFirst("synthetic:".count)) ?? -1
            guard (2...100_000).contains(count) else { throw ConfigError("--data \(Quoted(arg)): the sample count must be 2...100000") }
            return (Dataset.synthetic(featureCount: graph.inputShape.count, classCount: graph.classCount, count: count, seed: seed), "synthetic data")
        }
        return (arg.hasSuffix(".csv") ? try DatasetLoader.loadCSV(path: arg) : try DatasetLoader.loadBinary(path: arg), arg)
    }
}
