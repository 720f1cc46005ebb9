/// What a run decides before any firmware exists: the data checked against the model, split
/// (float features scaled by the training split), and the model calibrated on the training
/// split. A run's cache key and its firmware both start here.
public struct PreparedRun {
    public let model: QuantizedModel
    public let train: Dataset
    public let test: Dataset
    public let preparation: DataPreparation
    /// What reports call the data, and the file it came from (`DataSource.syntheticName` for generated data).
    public let dataName: String
    public let dataFile: String

    public init(spec: ModelSpec, update: Graph.UpdateScheme, data: any SampleTable, dataFile: String, testFraction: Double, seed: UInt64) throws {
        guard testFraction > 0, testFraction < 1 else { throw ConfigError("--test-fraction must be between 0 and 1") }
        let graph = try Graph(spec, update: update)
        try DataSource.check(data, fits: graph, file: dataFile)
        (train, test, preparation) = data.prepared(testFraction: testFraction, seed: seed)
        guard train.count > 0, test.count > 0 else {
            throw ConfigError("\(dataFile): --test-fraction \(testFraction) leaves \(train.count) training and \(test.count) test samples")
        }
        model = QuantizedModel.calibrated(spec, graph: graph, on: train, seed: seed)
        dataName = data.name
        self.dataFile = dataFile
    }

    /// A model file under its default update scheme, with `--data`'s samples (nil: the default
    /// for the model's input) and a fifth of each class held out: how `compare` and `check` run it.
    public init(modelFile: String, data: String?, seed: UInt64) throws {
        let spec = try ModelSpec.load(path: modelFile)
        let (table, file) = try DataSource.load(data, for: try Graph(spec, update: spec.defaultUpdate), seed: seed)
        try self.init(spec: spec, update: spec.defaultUpdate, data: table, dataFile: file, testFraction: 0.2, seed: seed)
    }

    public var update: Graph.UpdateScheme { model.graph.scheme }
}
