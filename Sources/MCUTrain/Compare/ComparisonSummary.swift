/// The comparison read for a decision: cells of one variant (model, board, kernels, algorithm) pooled
/// over seeds, the accuracy-versus-cycles Pareto front of each model on each board, and the
/// variant to ship there.
public struct ComparisonSummary {
    public struct Variant {
        public let model: String, board: String, kernels: KernelVariant, algorithm: String
        public let cells: [ComparisonCell]
        public var accuracy: Double { mean(cells.map(\.testAccuracy)) }
        public var accuracyRange: ClosedRange<Double> { cells.map(\.testAccuracy).min()!...cells.map(\.testAccuracy).max()! }
        public var floatAccuracy: Double { mean(cells.map(\.floatReferenceAccuracy)) }
        public var cyclesPerStep: Double { mean(cells.map(\.cyclesPerStepMean)) }
        public var msPerStep: Double { mean(cells.map(\.msPerStep)) }
        public var energyPerStep: Double? { cells.allSatisfy { $0.energyPerStepMicrojoules != nil } ? mean(cells.map { $0.energyPerStepMicrojoules! }) : nil }
        public var energyPerEpoch: Double? { cells.allSatisfy { $0.energyPerEpochMicrojoules != nil } ? mean(cells.map { $0.energyPerEpochMicrojoules! }) : nil }
        /// The seed with the largest peak: the figure a budget must hold.
        public var worstRAM: ComparisonCell { cells.max { $0.ram.peakBytes < $1.ram.peakBytes }! }
        public var flashBytes: Int { cells.map(\.flashBytes).max()! }
        public var fits: Bool { cells.allSatisfy(\.fits) }
        public var backwardShare: Double { fraction(cells.reduce(0) { $0 + $1.backwardMACsTotal }, of: cells.reduce(0) { $0 + $1.backwardMACsFullTotal }) }
        public var accuracyByEpoch: [Double] {
            cells[0].testAccuracyByEpoch.indices.map { e in mean(cells.map { $0.testAccuracyByEpoch[e] }) }
        }
        /// "tinypropv2 · dsp": what a chart or a table row calls the variant.
        public var label: String { "\(algorithm) · \(kernels.rawValue)" }
    }

    /// Every variant of one model on one board.
    public struct Group {
        public let model: String, board: String
        public let variants: [Variant]
        /// Indices into `variants` of those that fit the board and that no other fitting variant
        /// beats on both accuracy and cycles, by cycles ascending: the variants worth shipping.
        public var paretoFront: [Int] {
            let fitting = variants.indices.filter { variants[$0].fits }
            return fitting.filter { i in
                !fitting.contains { j in
                    let a = variants[j], b = variants[i]
                    return a.accuracy >= b.accuracy && a.cyclesPerStep <= b.cyclesPerStep && (a.accuracy > b.accuracy || a.cyclesPerStep < b.cyclesPerStep)
                }
            }.sorted { variants[$0].cyclesPerStep < variants[$1].cyclesPerStep }
        }

        /// Among the variants that fit the board, the fewest cycles per step within
        /// `accuracyTolerance` of the best accuracy; nil when none fits.
        public var recommended: Variant? {
            let fitting = variants.filter(\.fits)
            guard let best = fitting.map(\.accuracy).max() else { return nil }
            return fitting.filter { $0.accuracy >= best - ComparisonSummary.accuracyTolerance }.min { $0.cyclesPerStep < $1.cyclesPerStep }
        }
        public var bestAccuracy: Double { variants.map(\.accuracy).max()! }
    }

    /// One percentage point: below the spread between seeds of a digits run.
    public static let accuracyTolerance = 0.01
    public static let rule = "among the variants that fit the board's RAM and flash, the fewest cycles per step within 1 point of the best test accuracy"

    public let comparison: Comparison
    public let groups: [Group]

    public init(_ comparison: Comparison) {
        self.comparison = comparison
        let cells = comparison.cells
        var groups: [Group] = []
        for model in unique(cells.map(\.model)) {
            for board in unique(cells.filter { $0.model == model }.map(\.board)) {
                let mine = cells.filter { $0.model == model && $0.board == board }
                let variants = unique(mine.map { [$0.kernels.rawValue, $0.algorithm] }).map { key in
                    let runs = mine.filter { [$0.kernels.rawValue, $0.algorithm] == key }
                    return Variant(model: model, board: board, kernels: runs[0].kernels, algorithm: runs[0].algorithm, cells: runs)
                }
                groups.append(Group(model: model, board: board, variants: variants))
            }
        }
        self.groups = groups
    }
}

func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

/// The values in first-seen order.
func unique<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
}
