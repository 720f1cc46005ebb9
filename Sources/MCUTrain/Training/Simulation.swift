import Foundation

/// A training run on an emulated board: every step executes in the firmware, a float32
/// twin trains beside it on the same samples, and test accuracy is measured on the device.
public struct Simulation {
    public struct Options: Sendable {
        public var epochs: Int
        public var seed: UInt64
        public var testFraction: Double
        public init(epochs: Int, seed: UInt64, testFraction: Double = 0.2) {
            self.epochs = epochs; self.seed = seed; self.testFraction = testFraction
        }
    }

    public enum Progress {
        case built(flashBytes: Int, staticRAMBytes: Int)
        case step(epoch: Int, done: Int, of: Int)
        case epoch(SimulationReport.Epoch)
    }

    public let device: TrainingDevice
    public let spec: ModelSpec
    public let data: Dataset
    public let options: Options

    public init(device: TrainingDevice, spec: ModelSpec, data: Dataset, dataFile: String, options: Options) throws {
        guard data.featureCount == spec.input.size else {
            throw ConfigError("\(dataFile): samples have \(data.featureCount) features, the model's input.size is \(spec.input.size)")
        }
        guard data.classCount <= spec.classCount else {
            throw ConfigError("\(dataFile): labels reach class \(data.classCount - 1), the model has \(spec.classCount) outputs")
        }
        guard options.epochs >= 1 else { throw ConfigError("--epochs must be at least 1") }
        guard options.testFraction > 0, options.testFraction < 1 else { throw ConfigError("--test-fraction must be between 0 and 1") }
        self.device = device
        self.spec = spec
        self.data = data
        self.options = options
    }

    public func run(progress: (Progress) -> Void = { _ in }) throws -> SimulationReport {
        let start = Date()
        let (train, test) = data.split(testFraction: options.testFraction, seed: options.seed)
        let quantized = { (d: Dataset) in (0..<d.count).map { n in d.features(of: n).map { FixedPointPlan.quantizeInput($0, maxValue: d.maxValue) } } }
        let scaled = { (d: Dataset) in (0..<d.count).map { n in d.features(of: n).map { Float($0) / Float(d.maxValue) } } }
        let (trainQ, testQ, trainF, testF) = (quantized(train), quantized(test), scaled(train), scaled(test))

        let deviceSeed = UInt32(truncatingIfNeeded: options.seed)
        var stackPeak = try device.initialize(seed: deviceSeed).stackBytes
        var twin = FloatNetwork(from: IntegerNetwork(plan: device.source.plan, seed: deviceSeed), learningRate: spec.training.learningRate)
        progress(.built(flashBytes: device.elf.flashBytes, staticRAMBytes: try staticRAM(stackPeak: 0).staticBytes))

        var epochs: [SimulationReport.Epoch] = []
        var stepInstructions: UInt64 = 0, allCycles: UInt64 = 0, steps = 0
        var inferenceInstructions: UInt64 = 0, inferenceCycles: UInt64 = 0, inferences = 0
        var maxCycles: UInt64 = 0
        for epoch in 1...options.epochs {
            var loss = 0.0, correct = 0, cycles: UInt64 = 0, epochMax: UInt64 = 0
            for (k, n) in train.shuffledOrder(seed: options.seed, epoch: epoch).enumerated() {
                let label = Int(train.labels[n])
                let step = try device.trainStep(trainQ[n], label: label)
                twin.trainStep(trainF[n], label: label)
                loss += step.loss
                if step.prediction == label { correct += 1 }
                cycles += step.measurement.cycles
                epochMax = max(epochMax, step.measurement.cycles)
                stepInstructions += step.measurement.instructions
                stackPeak = max(stackPeak, step.measurement.stackBytes)
                if k % 64 == 0 { progress(.step(epoch: epoch, done: k, of: train.count)) }
            }
            var testCorrect = 0, floatCorrect = 0
            for n in 0..<test.count {
                let label = Int(test.labels[n])
                let p = try device.predict(testQ[n])
                if p.prediction == label { testCorrect += 1 }
                if twin.predict(testF[n]) == label { floatCorrect += 1 }
                inferenceCycles += p.measurement.cycles
                inferenceInstructions += p.measurement.instructions
                stackPeak = max(stackPeak, p.measurement.stackBytes)
            }
            inferences += test.count
            allCycles += cycles
            steps += train.count
            maxCycles = max(maxCycles, epochMax)
            let mean = Double(cycles) / Double(train.count)
            let report = SimulationReport.Epoch(
                epoch: epoch, trainLoss: loss / Double(train.count), trainAccuracy: Double(correct) / Double(train.count),
                testAccuracy: Double(testCorrect) / Double(test.count), floatReferenceAccuracy: Double(floatCorrect) / Double(test.count),
                cyclesPerStepMean: mean, cyclesPerStepMax: epochMax, msPerStep: mean / Double(device.board.clockHz) * 1000)
            epochs.append(report)
            progress(.epoch(report))
        }
        let wall = Date().timeIntervalSince(start)
        let instructions = stepInstructions + inferenceInstructions
        let meanCycles = Double(allCycles) / Double(steps)
        let ram = try staticRAM(stackPeak: stackPeak)
        return SimulationReport(
            board: device.board.name, model: spec.name, dataset: data.name, trainSamples: train.count, testSamples: test.count,
            seed: options.seed, clockHz: device.board.clockHz,
            testAccuracy: epochs.last!.testAccuracy, floatReferenceAccuracy: epochs.last!.floatReferenceAccuracy,
            cyclesPerStepMean: meanCycles, cyclesPerStepMax: maxCycles,
            instructionsPerStepMean: Double(stepInstructions) / Double(steps),
            cyclesPerInferenceMean: Double(inferenceCycles) / Double(inferences),
            msPerStep: meanCycles / Double(device.board.clockHz) * 1000, forwardMACs: spec.forwardMACs,
            peakRamBytes: ram.peakBytes, ramBudgetBytes: device.board.ramBudgetBytes, ram: ram,
            flashBytes: device.elf.flashBytes, emulatedInstructions: instructions, wallSeconds: wall,
            emulatedMIPS: Double(instructions) / wall / 1e6, epochs: epochs)
    }

    /// Static RAM as the linker laid it out: the ELF's RAM sections, split by the memory
    /// plan's roles using each buffer's symbol size; "other" is what no buffer accounts for.
    private func staticRAM(stackPeak: Int) throws -> SimulationReport.RAM {
        let total = device.elf.staticRAMBytes(on: device.board)
        var byRole: [MemoryPlan.Role: Int] = [:]
        for buffer in device.source.memory.buffers {
            guard let symbol = device.elf.symbol(named: buffer.symbol) else { throw EmulatorError("\(device.elf.path): no symbol '\(buffer.symbol)'") }
            byRole[buffer.role, default: 0] += Int(symbol.size)
        }
        return SimulationReport.RAM(parameters: byRole[.parameters] ?? 0, activations: byRole[.activations] ?? 0,
                                    errors: byRole[.errors] ?? 0, scratch: byRole[.scratch] ?? 0, io: byRole[.io] ?? 0,
                                    other: total - byRole.values.reduce(0, +), staticBytes: total,
                                    stackPeakBytes: stackPeak, peakBytes: total + stackPeak)
    }
}
