import Foundation

/// Active learning over a stream: the training split, shuffled, `epochs` times over, reaches the
/// emulated device one sample at a time; the device asks for a label only when its uncertainty
/// gate says so, and trains on that sample. Beside it, the same firmware without the gate
/// (host build) trains on as many samples picked at random from the same stream.
public struct LabelStream {
    public struct Options: Sendable {
        public var epochs: Int, seed: UInt64, testFraction: Double
        public var update: Graph.UpdateScheme
        public var algorithm: TrainingAlgorithm
        public var budget: Int
        public var method: LabelQuery.Method
        public var kernels: KernelVariant
        public init(epochs: Int, seed: UInt64, testFraction: Double = 0.2, update: Graph.UpdateScheme = .full, algorithm: TrainingAlgorithm = .full,
                    budget: Int, method: LabelQuery.Method, kernels: KernelVariant = .portable) {
            self.epochs = epochs; self.seed = seed; self.testFraction = testFraction; self.update = update; self.algorithm = algorithm
            self.budget = budget; self.method = method; self.kernels = kernels
        }
    }

    public let device: TrainingDevice
    let baseline: HostDevice
    let query: LabelQuery
    let model: QuantizedModel
    let train: Dataset, test: Dataset
    let options: Options

    public init(board: Board, spec: ModelSpec, modelFile: String, data: any SampleTable, dataFile: String, options: Options, buildDirectory: String) throws {
        guard options.epochs >= 1 else { throw ConfigError("--epochs must be at least 1") }
        let prepared = try PreparedRun(spec: spec, update: options.update, data: data, dataFile: dataFile,
                                       testFraction: options.testFraction, seed: options.seed)
        (train, test, model) = (prepared.train, prepared.test, prepared.model)
        query = try LabelQuery(method: options.method, budget: options.budget, streamLength: train.count * options.epochs)
        device = try TrainingDevice(board: board, source: ModelSource(model, algorithm: options.algorithm, query: query, kernels: options.kernels), modelFile: modelFile,
                                    buildDirectory: buildDirectory)
        baseline = try HostDevice(source: ModelSource(model, algorithm: options.algorithm, kernels: options.kernels), buildDirectory: buildDirectory + "/random", sanitize: false)
        self.options = options
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> LabelStreamReport {
        let inputs = { (d: Dataset) in (0..<d.count).map { model.quantizeInput(d.features(of: $0), maxValue: d.maxValue) } }
        let (trainQ, testQ) = (inputs(train), inputs(test))
        let stream = (1...options.epochs).flatMap { train.shuffledOrder(seed: options.seed, epoch: $0) }
        var picker = SplitMix64(seed: options.seed, stream: 0x5EED)
        var order = Array(stream.indices)
        picker.shuffle(&order)
        let randomPicks = Set(order.prefix(options.budget))

        let seed = UInt32(truncatingIfNeeded: options.seed)
        try device.initialize(seed: seed)
        try baseline.initialize(seed: seed)
        let checkpoints = Set((1...10).map { stream.count * $0 / 10 })
        var rows: [LabelStreamReport.Checkpoint] = []
        var activeLabels = 0, randomLabels = 0, queryCycles: UInt64 = 0, trainCycles: UInt64 = 0, stack = 0
        for (position, n) in stream.enumerated() {
            let label = Int(train.labels[n])
            let q = try device.query(trainQ[n])
            queryCycles += q.measurement.cycles
            stack = max(stack, q.measurement.stackBytes)
            if q.wants {
                let step = try device.trainQueried(label: label)
                trainCycles += step.measurement.cycles
                stack = max(stack, step.measurement.stackBytes)
                activeLabels += 1
            }
            if randomPicks.contains(position) {
                _ = try baseline.trainStep(trainQ[n], label: label)
                randomLabels += 1
            }
            guard checkpoints.contains(position + 1) else { continue }
            var active = 0, random = 0
            for (i, x) in testQ.enumerated() {
                if try device.predict(x).prediction == Int(test.labels[i]) { active += 1 }
                if try baseline.predict(x) == Int(test.labels[i]) { random += 1 }
            }
            let row = LabelStreamReport.Checkpoint(seen: position + 1, activeLabels: activeLabels, randomLabels: randomLabels,
                                                  activeAccuracy: Double(active) / Double(test.count), randomAccuracy: Double(random) / Double(test.count))
            rows.append(row)
            progress(String(format: "  %d/%d samples seen: active %.1f%% with %d labels, random %.1f%% with %d", row.seen, stream.count,
                            row.activeAccuracy * 100, activeLabels, row.randomAccuracy * 100, randomLabels))
        }
        return LabelStreamReport(
            board: device.board.name, model: model.spec.name, dataset: train.name, algorithm: options.algorithm.description,
            method: options.method.rawValue, budget: options.budget, streamLength: stream.count, testSamples: test.count, seed: options.seed,
            checkpoints: rows, cyclesPerQueryMean: Double(queryCycles) / Double(stream.count),
            cyclesPerLabelledStepMean: activeLabels > 0 ? Double(trainCycles) / Double(activeLabels) : 0,
            peakRamBytes: device.elf.staticRAMBytes(on: device.board) + stack)
    }
}

/// What a label-budget run measured: accuracy against labels used, for the device's own
/// choice and for random choice, at ten points along the stream.
public struct LabelStreamReport: Codable, Sendable {
    public struct Checkpoint: Codable, Sendable {
        public let seen: Int, activeLabels: Int, randomLabels: Int
        public let activeAccuracy: Double, randomAccuracy: Double
        enum CodingKeys: String, CodingKey {
            case seen, activeLabels = "active_labels", randomLabels = "random_labels"
            case activeAccuracy = "active_accuracy", randomAccuracy = "random_accuracy"
        }
    }
    public let board: String, model: String, dataset: String, algorithm: String, method: String
    public let budget: Int, streamLength: Int, testSamples: Int, seed: UInt64
    public let checkpoints: [Checkpoint]
    /// Forward pass, uncertainty and gate: what every sample of the stream costs.
    public let cyclesPerQueryMean: Double
    /// Backward and update of a labelled sample, after its query.
    public let cyclesPerLabelledStepMean: Double
    public let peakRamBytes: Int

    enum CodingKeys: String, CodingKey {
        case board, model, dataset, algorithm, method, budget, seed, checkpoints
        case streamLength = "stream_length", testSamples = "test_samples"
        case cyclesPerQueryMean = "cycles_per_query_mean", cyclesPerLabelledStepMean = "cycles_per_labelled_step_mean"
        case peakRamBytes = "peak_ram_bytes"
    }

    public func render() -> String {
        var table = TextTable(headers: ["stream seen", "labels (active)", "active acc", "labels (random)", "random acc"])
        for c in checkpoints {
            table.rows.append([grouped(c.seen), grouped(c.activeLabels), percent(c.activeAccuracy), grouped(c.randomLabels), percent(c.randomAccuracy)])
        }
        let last = checkpoints.last!
        return """
        \(model) on \(board), active learning (\(method)) with a budget of \(budget) labels over a \(grouped(streamLength))-sample stream of \(dataset), \(algorithm), seed \(seed)

        \(table.render())

        summary
          final accuracy      active \(percent(last.activeAccuracy)) with \(last.activeLabels) labels, random \(percent(last.randomAccuracy)) with \(last.randomLabels) (\(testSamples) test samples)
          cycles              \(grouped(Int(cyclesPerQueryMean.rounded()))) per query (every sample), \(grouped(Int(cyclesPerLabelledStepMean.rounded()))) more per labelled sample
          peak RAM            \(grouped(peakRamBytes)) B
        """
    }
}
