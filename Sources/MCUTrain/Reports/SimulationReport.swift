/// Everything a simulated training run measured, as printed and as written by `--json`.
public struct SimulationReport: Codable, Sendable {
    public struct Epoch: Codable, Sendable {
        public let epoch: Int
        public let trainLoss: Double
        public let trainAccuracy: Double
        public let testAccuracy: Double
        public let floatReferenceAccuracy: Double
        /// Nil in a `--fast` run's epochs that no emulated step fell in.
        public let cyclesPerStepMean: Double?
        public let cyclesPerStepMax: UInt64?
        public let msPerStep: Double?
        /// Training cycles of the whole epoch; nil unless every step ran in the emulator.
        public let cyclesPerEpoch: UInt64?
        /// Backward MACs the firmware ran, and what full backprop with no zero error would run.
        public let backwardMACs: Int
        public let backwardMACsFull: Int
        /// Samples the algorithm decided not to backpropagate (TinyPropv2).
        public let skippedSamples: Int
        /// Mean output channels kept per layer over the samples that backpropagated (sparse algorithms).
        public let keptMean: [String: Double]?
    }

    /// Peak RAM and what it is made of; the parts add up to the total.
    public struct RAM: Codable, Sendable, Equatable {
        /// Trained weights and biases.
        public let parameters: Int
        /// Every activation, error and scratch buffer, placed by the memory plan.
        public let arena: Int
        /// Random state, the step's counters, the algorithm's running maxima.
        public let state: Int
        /// Static data outside the memory plan (alignment).
        public let other: Int
        public let staticBytes: Int
        /// What the planner predicted for `staticBytes` before compiling.
        public let predictedStaticBytes: Int
        public let stackPeakBytes: Int
        public let peakBytes: Int
    }

    /// A datasheet-based estimate from the modelled cycles: the board's active current, run from
    /// flash, times the step's time at the clock, times the supply voltage.
    public struct Energy: Codable, Sendable {
        public let perStepMicrojoules: Double
        /// Mean over the epochs whose every step was emulated; nil in a `--fast` run.
        public let perEpochMicrojoules: Double?
        public let microampsPerMHz: Double
        public let supplyVolts: Double
        public let source: String
        public let basis: String

        init?(_ current: ActiveCurrent?, cyclesPerStep: Double, cyclesPerEpoch: [UInt64]) {
            guard let current else { return nil }
            perStepMicrojoules = current.microjoules(cycles: cyclesPerStep)
            perEpochMicrojoules = cyclesPerEpoch.isEmpty ? nil
                : current.microjoules(cycles: Double(cyclesPerEpoch.reduce(0, +)) / Double(cyclesPerEpoch.count))
            microampsPerMHz = current.microampsPerMHz
            supplyVolts = current.supplyVolts
            source = current.source
            basis = "estimate: modelled cycles × datasheet run-from-flash current × supply voltage"
        }

        enum CodingKeys: String, CodingKey {
            case source, basis
            case perStepMicrojoules = "per_step_uj", perEpochMicrojoules = "per_epoch_uj"
            case microampsPerMHz = "ua_per_mhz", supplyVolts = "supply_volts"
        }
    }

    public let board: String
    public let model: String
    public let dataset: String
    /// The update scheme: full, or the model file's sparse update.
    public let update: String
    /// The training algorithm and its parameters.
    public let algorithm: String
    /// The kernel variant the firmware was built with: portable or dsp.
    public let kernels: String
    public let dataPreparation: DataPreparation
    public let trainSamples: Int
    public let testSamples: Int
    public let seed: UInt64
    public let clockHz: UInt32
    public let testAccuracy: Double
    public let floatReferenceAccuracy: Double
    public let cyclesPerStepMean: Double
    public let cyclesPerStepMax: UInt64
    public let instructionsPerStepMean: Double
    public let cyclesPerInferenceMean: Double
    public let msPerStep: Double
    /// Where the cycle figures come from (every step, or a sample beside the host build).
    public let measuredIn: String
    public let forwardMACs: Int
    public let backwardMACsTotal: Int
    public let backwardMACsFullTotal: Int
    public let peakRamBytes: Int
    public let ramBudgetBytes: Int
    public let ram: RAM
    public let flashBytes: Int
    /// Nil when the board file gives no active current.
    public let energy: Energy?
    public let emulatedInstructions: UInt64
    public let wallSeconds: Double
    public let emulatedMIPS: Double
    public let epochs: [Epoch]

    enum CodingKeys: String, CodingKey {
        case board, model, dataset, update, algorithm, kernels, seed, epochs, ram, energy
        case dataPreparation = "data_preparation", trainSamples = "train_samples", testSamples = "test_samples", clockHz = "clock_hz"
        case testAccuracy = "test_accuracy", floatReferenceAccuracy = "float_reference_accuracy"
        case cyclesPerStepMean = "cycles_per_step_mean", cyclesPerStepMax = "cycles_per_step_max"
        case instructionsPerStepMean = "instructions_per_step_mean", cyclesPerInferenceMean = "cycles_per_inference_mean"
        case msPerStep = "ms_per_step", forwardMACs = "forward_macs", measuredIn = "measured_in"
        case backwardMACsTotal = "backward_macs_total", backwardMACsFullTotal = "backward_macs_full_total"
        case peakRamBytes = "peak_ram_bytes", ramBudgetBytes = "ram_budget_bytes", flashBytes = "flash_bytes"
        case emulatedInstructions = "emulated_instructions", wallSeconds = "wall_seconds", emulatedMIPS = "emulated_mips"
    }
}

extension SimulationReport.Epoch {
    /// "conv1 1.0, logits 5.8": mean channels kept per layer, by layer name.
    var keptSummary: String? { keptMean.map { k in k.keys.sorted().map { "\($0) \(format(k[$0]!, 1))" }.joined(separator: ", ") } }


    enum CodingKeys: String, CodingKey {
        case epoch
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy", testAccuracy = "test_accuracy"
        case floatReferenceAccuracy = "float_reference_accuracy"
        case cyclesPerStepMean = "cycles_per_step_mean", cyclesPerStepMax = "cycles_per_step_max", msPerStep = "ms_per_step"
        case cyclesPerEpoch = "cycles_per_epoch", backwardMACs = "backward_macs", backwardMACsFull = "backward_macs_full"
        case skippedSamples = "skipped_samples", keptMean = "kept_mean"
    }
}

extension SimulationReport.RAM {
    enum CodingKeys: String, CodingKey {
        case parameters, arena, state, other
        case staticBytes = "static_bytes", predictedStaticBytes = "predicted_static_bytes", stackPeakBytes = "stack_peak_bytes", peakBytes = "peak_bytes"
    }
}
