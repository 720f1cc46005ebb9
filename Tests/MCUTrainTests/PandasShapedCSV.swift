import Foundation
@testable import MCUTrain

/// Stand-ins for scikit-learn's wine and breast-cancer sets (which are not ours to commit),
/// written the way `DataFrame.to_csv` writes them: a header starting with an empty field, the
/// row index in the first column, floats in Python's shortest round-trip form (`1.2e-05`
/// included), the target last. Each feature's mean shifts with the class, so the sets are
/// learnable; they are deterministic from the seed.
struct PandasShapedCSV {
    let text: String
    /// The features as written, row by row, and each row's label as written.
    let rows: [[Double]]
    let labels: [String]

    /// 178 samples of 13 features, classes 0, 1, 2 in wine's proportions (59, 71, 48), feature
    /// means from 0.36 (nonflavanoid phenols) to 747 (proline).
    static func wine(seed: UInt64 = 1) -> PandasShapedCSV {
        let names = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                     "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline"]
        let means = [13.0, 2.34, 2.37, 19.5, 99.7, 2.29, 2.03, 0.36, 1.59, 5.06, 0.96, 2.61, 747.0]
        let classes = [59, 71, 48].enumerated().flatMap { Array(repeating: String($0.offset), count: $0.element) }
        return make(names: names, means: means, labels: classes, seed: seed)
    }

    /// 569 samples of 30 features with means from 8e-05 (written in exponent notation, as Python
    /// does below 1e-4) to 2500 (worst area); labels
    /// are the class names, or 0 and 1 as scikit-learn's `target` column has them.
    static func breastCancer(stringLabels: Bool, seed: UInt64 = 2) -> PandasShapedCSV {
        let kinds = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                     "concave points", "symmetry", "fractal dimension"]
        let names = ["mean", "error", "worst"].flatMap { part in kinds.map { part == "error" ? "\($0) error" : "\(part) \($0)" } }
        let base = [14.1, 19.3, 92.0, 655.0, 0.096, 0.104, 0.089, 0.049, 0.181, 0.063]
        let errors = [0.405, 1.22, 2.87, 40.3, 0.007, 0.0255, 0.0319, 0.0118, 0.0205, 8e-05]
        let means = base + errors + [16.3, 25.7, 107.0, 2500.0, 0.132, 0.254, 0.272, 0.115, 0.29, 0.084]
        let labelNames = stringLabels ? ["malignant", "benign"] : ["0", "1"]
        let classes = [212, 357].enumerated().flatMap { Array(repeating: labelNames[$0.offset], count: $0.element) }
        return make(names: names, means: means, labels: classes, seed: seed)
    }

    /// Each value is its feature's mean, shifted by ±12 % per class step (the sign alternating
    /// between features), times noise of up to ±45 % (a sum of three uniforms), kept to 6
    /// significant digits; rows are shuffled so the classes interleave.
    private static func make(names: [String], means: [Double], labels: [String], seed: UInt64) -> PandasShapedCSV {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var order = Array(labels.indices)
        rng.shuffle(&order)
        let classNames = Array(Set(labels)).sorted()
        var rows: [[Double]] = [], rowLabels: [String] = []
        for index in order {
            let step = Double(classNames.firstIndex(of: labels[index])!) - 1
            rows.append(means.enumerated().map { j, mean in
                let shift = 1 + 0.12 * step * (j % 2 == 0 ? 1 : -1)
                let noise = 1 + 0.15 * (uniform() + uniform() + uniform() - 1.5) * 2
                return Double(String(format: "%.6g", mean * shift * noise))!
            })
            rowLabels.append(labels[index])
        }
        var lines = ["," + (names + ["target"]).joined(separator: ",")]
        for (i, row) in rows.enumerated() {
            lines.append("\(i)," + row.map { "\($0)" }.joined(separator: ",") + ",\(rowLabels[i])")
        }
        return PandasShapedCSV(text: lines.joined(separator: "\n") + "\n", rows: rows, labels: rowLabels)
    }
}
