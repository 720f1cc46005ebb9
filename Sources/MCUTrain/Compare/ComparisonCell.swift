/// One cell's figures: only what the run determines (no wall time), so the same cell gives the
/// same bytes on every machine and shards merge into exactly the unsharded result.
public struct ComparisonCell: Codable, Equatable, Sendable {
    public let index: Int
    public let model: String
    public let board: String
    public let kernels: KernelVariant
    public let algorithm: String
    public let seed: UInt64
    public let core: String
    public let clockHz: UInt32
    public let testAccuracy: Double
    public let floatReferenceAccuracy: Double
    public let cyclesPerStepMean: Double
    public let cyclesPerStepMax: UInt64
    public let msPerStep: Double
    public let cyclesPerInferenceMean: Double
    public let backwardMACsTotal: Int
    public let backwardMACsFullTotal: Int
    public let ram: SimulationReport.RAM
    public let ramBudgetBytes: Int
    public let flashBytes: Int
    public let flashBudgetBytes: Int
    /// Datasheet-based estimates; nil when the board file gives no active current.
    public let energyPerStepMicrojoules: Double?
    public let energyPerEpochMicrojoules: Double?
    /// Test accuracy after each epoch, device and float32 twin.
    public let testAccuracyByEpoch: [Double]
    public let floatAccuracyByEpoch: [Double]

    public init(_ cell: ComparisonMatrix.Cell, report r: SimulationReport, board b: Board) {
        index = cell.index; model = r.model; board = r.board; kernels = cell.kernels; algorithm = cell.algorithm; seed = cell.seed
        core = b.core.rawValue; clockHz = r.clockHz
        testAccuracy = r.testAccuracy; floatReferenceAccuracy = r.floatReferenceAccuracy
        cyclesPerStepMean = r.cyclesPerStepMean; cyclesPerStepMax = r.cyclesPerStepMax; msPerStep = r.msPerStep
        cyclesPerInferenceMean = r.cyclesPerInferenceMean
        backwardMACsTotal = r.backwardMACsTotal; backwardMACsFullTotal = r.backwardMACsFullTotal
        ram = r.ram; ramBudgetBytes = r.ramBudgetBytes; flashBytes = r.flashBytes; flashBudgetBytes = Int(b.flash.size)
        energyPerStepMicrojoules = r.energy?.perStepMicrojoules; energyPerEpochMicrojoules = r.energy?.perEpochMicrojoules
        testAccuracyByEpoch = r.epochs.map(\.testAccuracy); floatAccuracyByEpoch = r.epochs.map(\.floatReferenceAccuracy)
    }

    public var fits: Bool { ram.peakBytes <= ramBudgetBytes && flashBytes <= flashBudgetBytes }

    enum CodingKeys: String, CodingKey {
        case index, model, board, kernels, algorithm, seed, core, ram
        case clockHz = "clock_hz", testAccuracy = "test_accuracy", floatReferenceAccuracy = "float_reference_accuracy"
        case cyclesPerStepMean = "cycles_per_step_mean", cyclesPerStepMax = "cycles_per_step_max", msPerStep = "ms_per_step"
        case cyclesPerInferenceMean = "cycles_per_inference_mean"
        case backwardMACsTotal = "backward_macs_total", backwardMACsFullTotal = "backward_macs_full_total"
        case ramBudgetBytes = "ram_budget_bytes", flashBytes = "flash_bytes", flashBudgetBytes = "flash_budget_bytes"
        case energyPerStepMicrojoules = "energy_per_step_uj", energyPerEpochMicrojoules = "energy_per_epoch_uj"
        case testAccuracyByEpoch = "test_accuracy_by_epoch", floatAccuracyByEpoch = "float_accuracy_by_epoch"
    }
}
