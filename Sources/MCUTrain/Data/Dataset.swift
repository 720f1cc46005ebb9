/// A labelled set of small unsigned integer features, held the way a microcontroller would hold
/// it: one byte per feature, samples back to back in a single buffer that can be copied into
/// emulated RAM as is.
public struct Dataset: Sendable, Equatable {
    public let name: String
    /// Row-major: sample `i` occupies `features[i * featureCount ..< (i + 1) * featureCount]`.
    public let features: [UInt8]
    public let labels: [UInt8]
    public let featureCount: Int
    public let classCount: Int
    /// The largest value a feature may take (16 for the digits). Input scaling is derived from
    /// this declared range, not from the largest value a particular subset happens to contain,
    /// so train and test data are always scaled identically.
    public let maxValue: Int

    /// Traps on inconsistent arguments: they are programming errors, because the loaders reject
    /// bad files with a `DatasetError` before ever building a `Dataset`.
    public init(name: String, features: [UInt8], labels: [UInt8], featureCount: Int, classCount: Int, maxValue: Int) {
        precondition(featureCount > 0, "Dataset needs at least one feature")
        precondition(features.count == labels.count * featureCount,
                     "Dataset: \(features.count) feature bytes do not make \(labels.count) samples of \(featureCount)")
        precondition((1...256).contains(classCount), "Dataset: class count \(classCount) is outside 1...256")
        precondition((0...255).contains(maxValue), "Dataset: max value \(maxValue) is outside 0...255")
        precondition(labels.allSatisfy { Int($0) < classCount }, "Dataset: a label is not below the class count \(classCount)")
        precondition(features.allSatisfy { Int($0) <= maxValue }, "Dataset: a feature exceeds the max value \(maxValue)")
        self.name = name
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.classCount = classCount
        self.maxValue = maxValue
    }

    public var count: Int { labels.count }

    public func features(of index: Int) -> ArraySlice<UInt8> {
        features[index * featureCount ..< (index + 1) * featureCount]
    }

    /// Number of samples of each class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The samples at `indices`, in that order, keeping the feature range and class count so a
    /// subset stays comparable with its parent even if it lacks some classes.
    public func subset(_ indices: [Int], name: String) -> Dataset {
        var pickedFeatures: [UInt8] = []
        pickedFeatures.reserveCapacity(indices.count * featureCount)
        for index in indices { pickedFeatures += features(of: index) }
        return Dataset(name: name, features: pickedFeatures, labels: indices.map { labels[$0] },
                       featureCount: featureCount, classCount: classCount, maxValue: maxValue)
    }

    /// A stratified split (see `StratifiedSplit`); both halves keep the declared feature range.
    public func split(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset) {
        let (train, test) = StratifiedSplit.indices(labels: labels, classCount: classCount, testFraction: testFraction, seed: seed)
        return (subset(train, name: "\(name)-train"), subset(test, name: "\(name)-test"))
    }

    /// The order in which to visit the samples during one epoch. Every epoch draws from its own
    /// stream of the seed, so a run resumed at epoch `n` sees exactly the orders an uninterrupted
    /// run would have seen.
    public func shuffledOrder(seed: UInt64, epoch: Int) -> [Int] {
        var generator = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(epoch)))
        var order = Array(0..<count)
        generator.shuffle(&order)
        return order
    }
}
