import Foundation

/// A model file: named int8 tensors and the layers between them, trained with softmax
/// cross-entropy in fixed point.
///
/// Each layer reads the previous layer's output unless it names its `input` (or `inputs`, for
/// `add`), so a plain stack needs no names and a residual block needs two. Every scale is a
/// power of two (fractional bits); they are chosen from the data unless a layer overrides them.
public struct ModelSpec: Decodable, Sendable, Equatable {
    public struct Input: Decodable, Sendable, Equatable {
        /// [height, width, channels], or [features] for a flat input.
        public let shape: [Int]
        public let fracBits: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case shape, fracBits = "frac_bits" }
        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            shape = try c.decode([Int].self, forKey: .shape)
            fracBits = try c.decodeIfPresent(Int.self, forKey: .fracBits)
        }
    }

    /// One layer as written in the file; which fields apply depends on `op` (see Layers/).
    public struct LayerSpec: Decodable, Sendable, Equatable {
        public let op: String
        public let name: String?
        public let inputs: [String]?
        public let units: Int?
        public let filters: Int?
        public let kernel: [Int]?
        public let stride: Int?
        public let padding: Padding?
        public let activation: Activation?
        public let weightFracBits: Int?
        public let outputFracBits: Int?

        public enum Padding: String, Decodable, Sendable { case same, valid }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case op, name, input, inputs, units, filters, kernel, stride, padding, activation
            case weightFracBits = "weight_frac_bits", outputFracBits = "output_frac_bits"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            op = try c.decode(String.self, forKey: .op)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            if let one = try c.decodeIfPresent(String.self, forKey: .input) {
                guard !c.contains(.inputs) else {
                    throw DecodingError.dataCorruptedError(forKey: .inputs, in: c, debugDescription: "give 'input' or 'inputs', not both")
                }
                inputs = [one]
            } else {
                inputs = try c.decodeIfPresent([String].self, forKey: .inputs)
            }
            units = try c.decodeIfPresent(Int.self, forKey: .units)
            filters = try c.decodeIfPresent(Int.self, forKey: .filters)
            if let square = try? c.decodeIfPresent(Int.self, forKey: .kernel) {
                kernel = [square, square]
            } else {
                kernel = try c.decodeIfPresent([Int].self, forKey: .kernel)
            }
            stride = try c.decodeIfPresent(Int.self, forKey: .stride)
            padding = try c.decodeIfPresent(Padding.self, forKey: .padding)
            activation = try c.decodeIfPresent(Activation.self, forKey: .activation)
            weightFracBits = try c.decodeIfPresent(Int.self, forKey: .weightFracBits)
            outputFracBits = try c.decodeIfPresent(Int.self, forKey: .outputFracBits)
        }
    }

    public struct Training: Decodable, Sendable, Equatable {
        /// SGD step size is 2^-learningRateShift: a shift, so the update needs no multiply.
        public let learningRateShift: Int
        enum CodingKeys: String, CodingKey, CaseIterable { case learningRateShift = "learning_rate_shift" }
        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            learningRateShift = try c.decode(Int.self, forKey: .learningRateShift)
        }
        public var learningRate: Double { 1.0 / Double(1 << learningRateShift) }
    }

    /// Which layers train under `--update sparse` (Lin et al. 2022): the rest follow `default`.
    public struct SparseUpdate: Decodable, Sendable, Equatable {
        public let defaultMode: UpdateMode
        public let layers: [String: UpdateMode]
        enum CodingKeys: String, CodingKey, CaseIterable { case defaultMode = "default", layers }
        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            defaultMode = try c.decodeIfPresent(UpdateMode.self, forKey: .defaultMode) ?? .frozen
            layers = try c.decode([String: UpdateMode].self, forKey: .layers)
        }
    }

    /// The backward pass to run unless `--algorithm` says otherwise (TrainingAlgorithm).
    public struct AlgorithmSpec: Decodable, Sendable, Equatable {
        public let name: String
        public let params: [String: Double]?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, params }
        init(name: String, params: [String: Double]?) { self.name = name; self.params = params }
        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            params = try c.decodeIfPresent([String: Double].self, forKey: .params)
        }
    }

    public enum Loss: String, Decodable, Sendable { case softmaxCrossEntropy = "softmax_cross_entropy" }

    public let name: String
    public let input: Input
    public let layers: [LayerSpec]
    public let loss: Loss
    public let training: Training
    public let sparseUpdate: SparseUpdate?
    /// The update scheme a run uses unless told otherwise: the file's sparse update when it has one.
    public var defaultUpdate: Graph.UpdateScheme { sparseUpdate == nil ? .full : .sparse }
    public let algorithm: AlgorithmSpec?
    /// Seed of the initial weights (and of frozen weights baked into flash); 0 = the run's seed.
    public let weightSeed: UInt64?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, input, layers, loss, training, sparseUpdate = "sparse_update", algorithm, weightSeed = "weight_seed"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        input = try c.decode(Input.self, forKey: .input)
        layers = try c.decode([LayerSpec].self, forKey: .layers)
        loss = try c.decode(Loss.self, forKey: .loss)
        training = try c.decode(Training.self, forKey: .training)
        sparseUpdate = try c.decodeIfPresent(SparseUpdate.self, forKey: .sparseUpdate)
        algorithm = try c.decodeIfPresent(AlgorithmSpec.self, forKey: .algorithm)
        weightSeed = try c.decodeIfPresent(UInt64.self, forKey: .weightSeed)
    }

    /// Reads and checks a model file: every error names the file and the field.
    public static func load(path: String) throws -> ModelSpec {
        let spec = try JSONFile.decode(ModelSpec.self, path: path)
        do { try spec.validate() } catch let error as ConfigError { throw ConfigError("\(path): \(error.description)") }
        return spec
    }

    public func validate() throws {
        try Identifier.validate(name, field: "name")
        guard input.shape.count == 1 || input.shape.count == 3, input.shape.allSatisfy({ (1...4096).contains($0) }),
              input.shape.reduce(1, *) <= 1 << 20 else {
            throw ConfigError("field 'input.shape' must be [features] or [height, width, channels], each 1...4096")
        }
        if let f = input.fracBits, !(0...7).contains(f) { throw ConfigError("field 'input.frac_bits' must be 0...7, got \(f)") }
        guard !layers.isEmpty else { throw ConfigError("field 'layers' is empty") }
        guard (1...30).contains(training.learningRateShift) else {
            throw ConfigError("field 'training.learning_rate_shift' must be 1...30, got \(training.learningRateShift)")
        }
        _ = try Graph(self, update: .full)
        if sparseUpdate != nil { _ = try Graph(self, update: .sparse) }
        if let algorithm {
            do { _ = try TrainingAlgorithm.resolve(name: nil, params: [], file: algorithm) } catch let error as ConfigError {
                throw ConfigError("field 'algorithm': \(error.description)")
            }
        }
    }
}
