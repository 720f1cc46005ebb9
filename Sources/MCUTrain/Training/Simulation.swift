import Foundation

/// A training run on an emulated board: every step executes in the firmware, a float32
/// twin trains beside it on the same samples, and test accuracy is measured on the device.
public struct Simulation {
    public struct Options: Sendable {
        public var epochs: Int
        public var seed: UInt64
        public var testFraction: Double
        public var update: Graph.UpdateScheme
        public var algorithm: TrainingAlgorithm
        /// Train on the host build and measure only the first `measuredSteps` steps (and as many
        /// inferences) in the emulator, in lockstep with it.
        public var fast: Bool
        public var measuredSteps: Int
        public var kernels: KernelVariant
        public init(epochs: Int, seed: UInt64, testFraction: Double = 0.2, update: Graph.UpdateScheme = .full,
                    algorithm: TrainingAlgorithm = .full, fast: Bool = false, measuredSteps: Int = 64, kernels: KernelVariant = .portable) {
            self.epochs = epochs; self.seed = seed; self.testFraction = testFraction; self.update = update
            self.algorithm = algorithm; self.fast = fast; self.measuredSteps = measuredSteps; self.kernels = kernels
        }
    }

    public enum Progress {
        case built(flashBytes: Int, staticRAMBytes: Int)
        case step(epoch: Int, done: Int, of: Int)
        case epoch(SimulationReport.Epoch)
    }

    public let device: TrainingDevice
    public let model: QuantizedModel
    public let options: Options
    let dataName: String
    let train: Dataset
    let test: Dataset
    let preparation: DataPreparation
    let host: HostDevice?

    /// Splits the data (scaling float features by the training split), calibrates the scales on
    /// the training split, plans memory (refusing a model that does not fit) and builds the firmware.
    public init(board: Board, spec: ModelSpec, modelFile: String, data: any SampleTable, dataFile: String,
                options: Options, buildDirectory: String) throws {
        let prepared = try PreparedRun(spec: spec, update: options.update, data: data, dataFile: dataFile,
                                       testFraction: options.testFraction, seed: options.seed)
        try self.init(board: board, prepared: prepared, modelFile: modelFile, options: options, buildDirectory: buildDirectory)
    }

    /// Plans memory (refusing a model that does not fit) and builds the firmware of `source(prepared, options)`.
    public init(board: Board, prepared: PreparedRun, modelFile: String, options: Options, buildDirectory: String) throws {
        guard options.epochs >= 1 else { throw ConfigError("--epochs must be at least 1") }
        guard options.measuredSteps >= 1 else { throw ConfigError("--measured-steps must be at least 1") }
        (train, test, preparation, model) = (prepared.train, prepared.test, prepared.preparation, prepared.model)
        device = try TrainingDevice(board: board, source: Self.source(prepared, options: options), modelFile: modelFile, buildDirectory: buildDirectory)
        host = options.fast ? try HostDevice(source: device.source, buildDirectory: buildDirectory + "/host", sanitize: false) : nil
        dataName = prepared.dataName
        self.options = options
    }

    /// The firmware a run of these options builds.
    public static func source(_ prepared: PreparedRun, options: Options) -> ModelSource {
        ModelSource(prepared.model, algorithm: options.algorithm, kernels: options.kernels)
    }

    public func run(progress: (Progress) -> Void = { _ in }) throws -> SimulationReport {
        let start = Date()
        let quantized = { (d: Dataset) in (0..<d.count).map { model.quantizeInput(d.features(of: $0), maxValue: d.maxValue) } }
        let scaled = { (d: Dataset) in (0..<d.count).map { QuantizedModel.floatInput(d.features(of: $0), maxValue: d.maxValue) } }
        let (trainQ, testQ, trainF, testF) = (quantized(train), quantized(test), scaled(train), scaled(test))

        let seed = UInt32(truncatingIfNeeded: options.seed)
        let initStack = try device.initialize(seed: seed).stackBytes
        try host?.initialize(seed: seed)
        var twin = FloatNetwork(model)
        progress(.built(flashBytes: device.elf.flashBytes, staticRAMBytes: device.elf.staticRAMBytes(on: device.board)))

        var epochs: [SimulationReport.Epoch] = []
        var steps = Cycles(), inferences = Cycles()
        let selection = device.source.selection
        for epoch in 1...options.epochs {
            var loss = 0.0, correct = 0, measured = Cycles(), effort = EffortTally(selection)
            for (k, n) in train.shuffledOrder(seed: options.seed, epoch: epoch).enumerated() {
                let label = Int(train.labels[n])
                let step = try trainStep(trainQ[n], label: label, measure: host == nil || steps.count < options.measuredSteps)
                twin.trainStep(trainF[n], label: label)
                effort.add(step.effort)
                loss += step.loss
                if step.prediction == label { correct += 1 }
                if let m = step.measurement {
                    measured.add(m)
                    steps.add(m)
                }
                if k % 16 == 0 { progress(.step(epoch: epoch, done: k, of: train.count)) }
            }
            var testCorrect = 0, floatCorrect = 0
            for n in 0..<test.count {
                let label = Int(test.labels[n])
                if try predict(testQ[n], measure: host == nil || inferences.count < options.measuredSteps, into: &inferences) == label { testCorrect += 1 }
                if twin.predict(testF[n]) == label { floatCorrect += 1 }
            }
            let mean = measured.mean
            let report = SimulationReport.Epoch(
                epoch: epoch, trainLoss: loss / Double(train.count), trainAccuracy: Double(correct) / Double(train.count),
                testAccuracy: Double(testCorrect) / Double(test.count), floatReferenceAccuracy: Double(floatCorrect) / Double(test.count),
                cyclesPerStepMean: mean, cyclesPerStepMax: measured.count > 0 ? measured.max : nil,
                msPerStep: mean.map { $0 / Double(device.board.clockHz) * 1000 },
                cyclesPerEpoch: measured.count == train.count ? measured.total : nil,
                backwardMACs: effort.macs, backwardMACsFull: selection.fullBackwardMACs * train.count,
                skippedSamples: effort.skipped, keptMean: effort.keptMean)
            epochs.append(report)
            progress(.epoch(report))
        }
        let wall = Date().timeIntervalSince(start)
        let instructions = steps.instructions + inferences.instructions
        let meanCycles = steps.mean ?? 0
        let ram = try staticRAM(stackPeak: max(initStack, steps.stackPeak, inferences.stackPeak))
        return SimulationReport(
            board: device.board.name, model: model.spec.name, dataset: dataName, update: options.update.rawValue,
            algorithm: options.algorithm.description, kernels: options.kernels.rawValue,
            dataPreparation: preparation, trainSamples: train.count, testSamples: test.count, seed: options.seed, clockHz: device.board.clockHz,
            testAccuracy: epochs.last!.testAccuracy, floatReferenceAccuracy: epochs.last!.floatReferenceAccuracy,
            cyclesPerStepMean: meanCycles, cyclesPerStepMax: steps.max,
            instructionsPerStepMean: Double(steps.instructions) / Double(steps.count),
            cyclesPerInferenceMean: inferences.mean ?? 0,
            msPerStep: meanCycles / Double(device.board.clockHz) * 1000,
            measuredIn: host == nil ? "emulator, every step" : "emulator, first \(steps.count) training steps and \(inferences.count) inferences in lockstep with the host build; accuracy from the host build (bit-identical)",
            forwardMACs: model.graph.forwardMACs,
            backwardMACsTotal: epochs.reduce(0) { $0 + $1.backwardMACs }, backwardMACsFullTotal: epochs.reduce(0) { $0 + $1.backwardMACsFull },
            peakRamBytes: ram.peakBytes, ramBudgetBytes: device.board.ramBudgetBytes, ram: ram,
            flashBytes: device.elf.flashBytes,
            energy: .init(device.board.activeCurrent, cyclesPerStep: meanCycles, cyclesPerEpoch: epochs.compactMap(\.cyclesPerEpoch)),
            emulatedInstructions: instructions, wallSeconds: wall,
            emulatedMIPS: Double(instructions) / wall / 1e6, epochs: epochs)
    }

    /// One training step: in the emulator (measured), on the host build, or both in lockstep,
    /// where any disagreement is an error rather than a silently wrong figure.
    private func trainStep(_ input: [Int8], label: Int, measure: Bool) throws -> (prediction: Int, loss: Double, effort: Effort, measurement: TrainingDevice.Measurement?) {
        let emulated = measure ? try device.trainStep(input, label: label) : nil
        guard let host else { return (emulated!.prediction, emulated!.loss, emulated!.effort, emulated!.measurement) }
        let native = try host.trainStep(input, label: label)
        if let emulated, emulated.prediction != native.prediction || emulated.pTrue != native.pTrue || emulated.effort != native.effort {
            throw EmulatorError("the host build and the emulated firmware disagree at a training step: the generated C is not portable")
        }
        return (native.prediction, TrainingDevice.StepResult.loss(pTrue: native.pTrue), native.effort, emulated?.measurement)
    }

    /// With a host build, the emulator's weights stop at the last measured step, so its
    /// inferences only time the forward pass; the host build's prediction counts.
    private func predict(_ input: [Int8], measure: Bool, into cycles: inout Cycles) throws -> Int {
        let emulated = measure ? try device.predict(input) : nil
        if let m = emulated?.measurement { cycles.add(m) }
        return try host?.predict(input) ?? emulated!.prediction
    }

    /// The firmware's effort counts over one epoch.
    struct EffortTally {
        let selection: BackwardSelection
        var macs = 0, skipped = 0, trained = 0
        var kept: [Int]
        init(_ selection: BackwardSelection) { self.selection = selection; kept = Array(repeating: 0, count: selection.layers.count) }
        mutating func add(_ e: Effort) {
            macs += e.backwardMACs
            guard e.trained else { skipped += 1; return }
            trained += 1
            for (i, k) in e.kept.enumerated() { kept[i] += k }
        }
        /// Mean channels kept per selecting layer, over the samples that backpropagated.
        var keptMean: [String: Double]? {
            guard !selection.layers.isEmpty else { return nil }
            return Dictionary(uniqueKeysWithValues: selection.layers.map { l in
                (l.name, trained > 0 ? Double(kept[l.slot]) / Double(trained) : 0)
            })
        }
    }

    /// Cycle statistics over the calls that ran in the emulator.
    struct Cycles {
        var count = 0, total: UInt64 = 0, max: UInt64 = 0, instructions: UInt64 = 0, stackPeak = 0
        var mean: Double? { count > 0 ? Double(total) / Double(count) : nil }
        mutating func add(_ m: TrainingDevice.Measurement) {
            count += 1; total += m.cycles; max = Swift.max(max, m.cycles); instructions += m.instructions
            stackPeak = Swift.max(stackPeak, m.stackBytes)
        }
    }

    /// Static RAM as the linker laid it out (the ELF's RAM sections), split by the memory
    /// plan's symbols using each one's ELF size; "other" is what no planned symbol accounts for.
    private func staticRAM(stackPeak: Int) throws -> SimulationReport.RAM {
        let total = device.elf.staticRAMBytes(on: device.board)
        let plan = device.source.memory
        func measured(_ name: String) throws -> Int {
            guard let symbol = device.elf.symbol(named: name) else { throw EmulatorError("\(device.elf.path): no symbol '\(name)'") }
            return Int(symbol.size)
        }
        let ram = plan.symbols.filter { $0.placement == .ram }
        let parameters = try ram.filter { $0.name.hasPrefix("mct_l") }.reduce(0) { $0 + (try measured($1.name)) }
        let arena = try measured("mct_arena")
        let state = try ram.filter { !$0.name.hasPrefix("mct_l") && $0.name != "mct_arena" }.reduce(0) { $0 + (try measured($1.name)) }
        return SimulationReport.RAM(parameters: parameters, arena: arena, state: state, other: total - parameters - arena - state,
                                    staticBytes: total, predictedStaticBytes: plan.staticRAMBytes,
                                    stackPeakBytes: stackPeak, peakBytes: total + stackPeak)
    }
}
