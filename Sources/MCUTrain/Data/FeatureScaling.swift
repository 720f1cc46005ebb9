/// Maps float features to device bytes column by column: the training split's minimum becomes
/// 0 and its maximum 255. Min...max rather than mean and standard deviation because the device
/// input is a fixed range, not an unbounded one: min...max spends all 256 levels on the values
/// training actually saw, with no choice of how many deviations to clip at. The price is that
/// one outlier squeezes the rest of its column into fewer levels.
struct FeatureScaling {
    static let description = "float features scaled per column by the training split's min...max to 0...255 (test values clamped)"

    let minimum: [Float]
    let maximum: [Float]

    init(fittedOn values: [Float], rows: [Int], featureCount: Int) {
        var minimum = [Float](repeating: .infinity, count: featureCount)
        var maximum = [Float](repeating: -.infinity, count: featureCount)
        for row in rows {
            for column in 0..<featureCount {
                let value = values[row * featureCount + column]
                minimum[column] = min(minimum[column], value)
                maximum[column] = max(maximum[column], value)
            }
        }
        self.minimum = rows.isEmpty ? [Float](repeating: 0, count: featureCount) : minimum
        self.maximum = rows.isEmpty ? [Float](repeating: 0, count: featureCount) : maximum
    }

    /// The rows' features as bytes. In Double, so a column spanning most of Float's range cannot
    /// overflow; a column constant in training carries no information and becomes 0 throughout.
    func bytes(_ values: [Float], rows: [Int]) -> [UInt8] {
        let featureCount = minimum.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows.count * featureCount)
        for row in rows {
            for column in 0..<featureCount {
                let low = Double(minimum[column]), range = Double(maximum[column]) - low
                let level = range > 0 ? ((Double(values[row * featureCount + column]) - low) / range * 255).rounded() : 0
                bytes.append(UInt8(min(255, max(0, level))))
            }
        }
        return bytes
    }
}
