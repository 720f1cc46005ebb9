import Foundation

/// A model file: a stack of dense layers trained with softmax cross-entropy in fixed point.
///
/// Every scale is a power of two given as fractional bits, so rescaling on the device is a
/// shift: a value v stored with f fractional bits means v / 2^f.
public struct ModelSpec: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable, Equatable {
        public let size: Int
        /// Fractional bits of the int8 input; features are scaled so their maximum maps to 127.
        public let fracBits: Int
        enum CodingKeys: String, CodingKey { case size, fracBits = "frac_bits" }
    }

    public struct Layer: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case dense }
        public enum Activation: String, Codable, Sendable { case relu, none }
        public let type: Kind
        public let units: Int
        public let activation: Activation
        public let weightFracBits: Int
        /// Fractional bits of the layer's int8 output; the last layer's int32 logits need none.
        public let outputFracBits: Int?

        enum CodingKeys: String, CodingKey {
            case type, units, activation, weightFracBits = "weight_frac_bits", outputFracBits = "output_frac_bits"
        }

        public init(units: Int, activation: Activation, weightFracBits: Int, outputFracBits: Int?) {
            self.type = .dense; self.units = units; self.activation = activation
            self.weightFracBits = weightFracBits; self.outputFracBits = outputFracBits
        }
    }

    public struct Training: Codable, Sendable, Equatable {
        /// SGD step size is 2^-learningRateShift: a shift, so the update needs no multiply.
        public let learningRateShift: Int
        enum CodingKeys: String, CodingKey { case learningRateShift = "learning_rate_shift" }
        public var learningRate: Double { 1.0 / Double(1 << learningRateShift) }
    }

    public enum Loss: String, Codable, Sendable { case softmaxCrossEntropy = "softmax_cross_entropy" }

    public let name: String
    public let input: Input
    public let layers: [Layer]
    public let loss: Loss
    public let training: Training

    public var classCount: Int { layers.last?.units ?? 0 }

    /// Fan-in of each layer.
    public var layerInputs: [Int] { [input.size] + layers.dropLast().map(\.units) }

    /// Multiply-accumulates of one forward pass.
    public var forwardMACs: Int { zip(layerInputs, layers).reduce(0) { $0 + $1.0 * $1.1.units } }

    public static func load(path: String) throws -> ModelSpec {
        let spec = try JSONFile.decode(ModelSpec.self, path: path)
        do { try spec.validate() } catch let error as ConfigError { throw ConfigError("\(path): \(error.description)") }
        return spec
    }

    public func validate() throws {
        guard (1...65536).contains(input.size) else { throw ConfigError("field 'input.size' must be 1...65536, got \(input.size)") }
        guard (0...7).contains(input.fracBits) else { throw ConfigError("field 'input.frac_bits' must be 0...7, got \(input.fracBits)") }
        guard !layers.isEmpty else { throw ConfigError("field 'layers' is empty") }
        guard (1...30).contains(training.learningRateShift) else {
            throw ConfigError("field 'training.learning_rate_shift' must be 1...30, got \(training.learningRateShift)")
        }
        for (i, layer) in layers.enumerated() {
            let field = "layers[\(i)]"
            let last = i == layers.count - 1
            guard (1...65536).contains(layer.units) else { throw ConfigError("field '\(field).units' must be 1...65536, got \(layer.units)") }
            guard (0...7).contains(layer.weightFracBits) else {
                throw ConfigError("field '\(field).weight_frac_bits' must be 0...7, got \(layer.weightFracBits)")
            }
            if last {
                guard layer.activation == .none else { throw ConfigError("field '\(field).activation': the last layer feeds softmax, use \"none\"") }
                guard layer.units >= 2 else { throw ConfigError("field '\(field).units': softmax needs at least 2 classes") }
            } else {
                guard layer.activation == .relu else { throw ConfigError("field '\(field).activation': hidden layers must be \"relu\"") }
                guard let out = layer.outputFracBits, (0...7).contains(out) else {
                    throw ConfigError("field '\(field).output_frac_bits' is required for hidden layers, 0...7")
                }
                let inFrac = i == 0 ? input.fracBits : layers[i - 1].outputFracBits ?? 0
                guard layer.weightFracBits + inFrac >= out else {
                    throw ConfigError("field '\(field).output_frac_bits' (\(out)) exceeds weight + input fractional bits (\(layer.weightFracBits + inFrac))")
                }
            }
        }
    }
}
