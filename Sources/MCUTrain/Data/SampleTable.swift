/// Samples as a data source yields them, before the split. Some are already the bytes a device
/// takes (the digits, integer CSVs, synthetic data); others are float features whose scaling
/// must be fitted on the training split alone, so turning a table into device bytes and
/// splitting it are one step.
public protocol SampleTable: Sendable {
    var name: String { get }
    var count: Int { get }
    var featureCount: Int { get }
    var classCount: Int { get }
    /// The stratified split (see `StratifiedSplit`), both halves as device bytes, and how they were made.
    func prepared(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset, preparation: DataPreparation)
}

/// How a run's samples became device input, for the report: a user whose CSV held floats or
/// string labels needs to know what the network actually saw and which class is which output.
public struct DataPreparation: Codable, Sendable, Equatable {
    public let featureScaling: String
    /// The label each class index stands for, when the labels were not already class numbers.
    public let classNames: [String]?

    enum CodingKeys: String, CodingKey {
        case featureScaling = "feature_scaling", classNames = "class_names"
    }
}

extension Dataset: SampleTable {
    /// Bytes go to the device as they are: 0...maxValue reads as 0...1.
    public func prepared(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset, preparation: DataPreparation) {
        let (train, test) = split(testFraction: testFraction, seed: seed)
        return (train, test, DataPreparation(featureScaling: "integer features as given, 0...\(maxValue) read as 0...1", classNames: nil))
    }
}
