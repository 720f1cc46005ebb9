import Foundation

/// A budget file: the models and boards it covers, how to train them when a limit needs a
/// training run, and each board's limits. `check --budget FILE` needs nothing else.
public struct BudgetFile: Sendable {
    /// One board's limits; every one is optional, and a board with only `peak_ram_bytes` and
    /// `flash_bytes` is checked from the planner and the linked ELF, without training.
    public struct Limits: Sendable, Equatable {
        public internal(set) var board: String
        public var peakRAMBytes: Int?
        public var flashBytes: Int?
        public var cyclesPerStep: Double?
        public var msPerStep: Double?
        public var energyPerStepMicrojoules: Double?
        public var minAccuracyPercent: Double?
        public var maxAccuracyDropPoints: Double?

        public var needsTraining: Bool {
            [cyclesPerStep, msPerStep, energyPerStepMicrojoules, minAccuracyPercent, maxAccuracyDropPoints].contains { $0 != nil }
        }
    }

    public let path: String
    public let models: [String]
    public let epochs: Int
    public let seed: UInt64
    public let algorithm: String
    public let kernels: KernelVariant
    public let data: String?
    public let boards: [Limits]

    public static func load(path: String) throws -> BudgetFile {
        let raw = try JSONFile.decode(Raw.self, path: path)
        let folder = (path as NSString).deletingLastPathComponent
        func near(_ p: String) -> String { p.hasPrefix("/") || folder.isEmpty ? p : (folder as NSString).appendingPathComponent(p) }
        let t = raw.training
        let file = BudgetFile(path: path, models: raw.models.map(near), epochs: t?.epochs ?? 10, seed: t?.seed ?? 1, algorithm: t?.algorithm ?? "full", kernels: t?.kernels ?? .portable,
                              data: t?.data.map { $0.hasPrefix("synthetic") ? $0 : near($0) },
                              boards: raw.boards.map { limits in
                                  var l = limits
                                  if l.board.hasSuffix(".json") { l.board = near(l.board) }
                                  return l
                              })
        do { try file.validate() } catch let error as ConfigError { throw ConfigError("\(path): \(error.description)") }
        return file
    }

    func validate() throws {
        guard !models.isEmpty else { throw ConfigError("field 'models' names no model") }
        guard !boards.isEmpty else { throw ConfigError("field 'boards' names no board") }
        guard (1...1000).contains(epochs) else { throw ConfigError("field 'training.epochs' must be 1...1000") }
        _ = try TrainingAlgorithm.variant(algorithm)
        for (i, b) in boards.enumerated() {
            let values: [(String, Double?)] = [("peak_ram_bytes", b.peakRAMBytes.map(Double.init)), ("flash_bytes", b.flashBytes.map(Double.init)),
                                               ("cycles_per_step", b.cyclesPerStep), ("ms_per_step", b.msPerStep), ("energy_per_step_uj", b.energyPerStepMicrojoules),
                                               ("min_accuracy_percent", b.minAccuracyPercent), ("max_accuracy_drop_points", b.maxAccuracyDropPoints)]
            guard values.contains(where: { $0.1 != nil }) else { throw ConfigError("field 'boards[\(i)]' sets no limit") }
            for (name, value) in values {
                if let value, !(value >= 0 && value.isFinite) { throw ConfigError("field 'boards[\(i)].\(name)' must be a non-negative number") }
            }
            if let a = b.minAccuracyPercent, a > 100 { throw ConfigError("field 'boards[\(i)].min_accuracy_percent' must be 0...100") }
        }
    }

    private struct Raw: Decodable {
        let models: [String]
        let training: Training?
        let boards: [Limits]
        enum CodingKeys: String, CodingKey, CaseIterable { case models, training, boards }
        init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            models = try c.decode([String].self, forKey: .models)
            training = try c.decodeIfPresent(Training.self, forKey: .training)
            boards = try c.decode([Limits].self, forKey: .boards)
        }
    }

    private struct Training: Decodable {
        let epochs: Int?, seed: UInt64?, algorithm: String?, kernels: KernelVariant?, data: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case epochs, seed, algorithm, kernels, data }
        init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
            algorithm = try c.decodeIfPresent(String.self, forKey: .algorithm)
            kernels = try c.decodeIfPresent(KernelVariant.self, forKey: .kernels)
            data = try c.decodeIfPresent(String.self, forKey: .data)
        }
    }
}

extension BudgetFile.Limits: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case board, peakRAMBytes = "peak_ram_bytes", flashBytes = "flash_bytes", cyclesPerStep = "cycles_per_step", msPerStep = "ms_per_step"
        case energyPerStepMicrojoules = "energy_per_step_uj", minAccuracyPercent = "min_accuracy_percent", maxAccuracyDropPoints = "max_accuracy_drop_points"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        board = try c.decode(String.self, forKey: .board)
        peakRAMBytes = try c.contains(.peakRAMBytes) ? c.decodeInteger(Int.self, forKey: .peakRAMBytes) : nil
        flashBytes = try c.contains(.flashBytes) ? c.decodeInteger(Int.self, forKey: .flashBytes) : nil
        cyclesPerStep = try c.decodeIfPresent(Double.self, forKey: .cyclesPerStep)
        msPerStep = try c.decodeIfPresent(Double.self, forKey: .msPerStep)
        energyPerStepMicrojoules = try c.decodeIfPresent(Double.self, forKey: .energyPerStepMicrojoules)
        minAccuracyPercent = try c.decodeIfPresent(Double.self, forKey: .minAccuracyPercent)
        maxAccuracyDropPoints = try c.decodeIfPresent(Double.self, forKey: .maxAccuracyDropPoints)
    }
}
