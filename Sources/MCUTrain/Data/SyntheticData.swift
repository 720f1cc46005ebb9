/// A learnable stand-in for data a model's shape needs but the project cannot ship (audio
/// MFCCs, camera frames): each class is a random prototype, each sample its class's prototype
/// plus uniform noise of the same amplitude, so accuracy above chance measures learning. Labels
/// are bytes, so a model with more than 256 outputs gets samples of its first 256 classes.
extension Dataset {
    public static func synthetic(featureCount: Int, classCount outputs: Int, count: Int, seed: UInt64) -> Dataset {
        let classCount = min(outputs, 256)
        var rng = SplitMix64(seed: seed, stream: 0x5EED)
        let prototypes = (0..<classCount).map { _ in (0..<featureCount).map { _ in rng.next(below: 128) } }
        var features: [UInt8] = [], labels: [UInt8] = []
        features.reserveCapacity(count * featureCount)
        for n in 0..<count {
            let label = n % classCount
            labels.append(UInt8(label))
            for p in prototypes[label] { features.append(UInt8(p + rng.next(below: 128))) }
        }
        return Dataset(name: "synthetic", features: features, labels: labels, featureCount: featureCount, classCount: classCount, maxValue: 255)
    }
}
