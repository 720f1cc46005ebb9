/// The samples of a CSV file as written: features kept as bytes while every value is an integer
/// in 0...255 (so such files train exactly as they always have), as Float32 once any value is
/// not, and labels already numbered as classes.
public struct FeatureTable: SampleTable, Equatable {
    public enum Values: Equatable, Sendable {
        case bytes([UInt8])
        case floats([Float])
    }

    public let name: String
    public let featureCount: Int
    /// Row-major, `featureCount` per sample.
    public let values: Values
    public let labels: [UInt8]
    public let classCount: Int
    /// See `DataPreparation.classNames`.
    public let classNames: [String]?

    public var count: Int { labels.count }

    /// Byte features keep today's meaning, 0...(largest value in the file) read as 0...1; float
    /// features are scaled with `FeatureScaling` fitted on the training rows only.
    public func prepared(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset, preparation: DataPreparation) {
        switch values {
        case .bytes(let bytes):
            let whole = Dataset(name: name, features: bytes, labels: labels, featureCount: featureCount,
                                classCount: classCount, maxValue: Int(bytes.max() ?? 0))
            let (train, test, preparation) = whole.prepared(testFraction: testFraction, seed: seed)
            return (train, test, DataPreparation(featureScaling: preparation.featureScaling, classNames: classNames))
        case .floats(let floats):
            let (trainRows, testRows) = StratifiedSplit.indices(labels: labels, classCount: classCount, testFraction: testFraction, seed: seed)
            let scaling = FeatureScaling(fittedOn: floats, rows: trainRows, featureCount: featureCount)
            func dataset(_ rows: [Int], _ suffix: String) -> Dataset {
                Dataset(name: "\(name)-\(suffix)", features: scaling.bytes(floats, rows: rows), labels: rows.map { labels[$0] },
                        featureCount: featureCount, classCount: classCount, maxValue: 255)
            }
            return (dataset(trainRows, "train"), dataset(testRows, "test"),
                    DataPreparation(featureScaling: FeatureScaling.description, classNames: classNames))
        }
    }
}
