import Foundation

/// The integer arithmetic a model file implies: every shift and range that the generated C
/// and the Swift reference share. Both read them from here, so they cannot drift apart.
///
/// Conventions: a value with f fractional bits means v / 2^f. An error tensor e of layer l
/// carries a run-time exponent x_l (the true gradient is e · 2^x_l) because hidden errors
/// are rescaled per sample to use the full int8 range.
public struct FixedPointPlan: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public let inputs: Int
        public let units: Int
        public let relu: Bool
        public let inputFracBits: Int
        public let weightFracBits: Int
        /// Fractional bits of the int32 accumulator (and of the bias).
        public var accumulatorFracBits: Int { inputFracBits + weightFracBits }
        /// Right shift from accumulator to the int8 output of a hidden layer.
        public let requantizeShift: Int
        /// Weights start uniform in [-initRange, initRange]: He-uniform, sqrt(6 / fan-in).
        public let initRange: Int
        /// Update shifts before subtracting the error exponent: the weight update is
        /// sr(e_j · a_i, weightUpdateBase − x) and the bias update sr(e_j, biasUpdateBase − x).
        public let weightUpdateBase: Int
        public let biasUpdateBase: Int
    }

    public let layers: [Layer]
    public let inputSize: Int
    public let inputFracBits: Int
    /// Right shift from logits to Q4 softmax table steps (1/16 of a nat).
    public let logitShift: Int
    /// p − y is formed in Q15 and shifted by 8 into int8, so the output error exponent is −7.
    public static let outputErrorShift = 8
    public static let outputErrorExponent = -7
    public static let probabilityFracBits = 15
    public let learningRateShift: Int

    public init(_ spec: ModelSpec) {
        var layers: [Layer] = []
        var inFrac = spec.input.fracBits
        let L = spec.training.learningRateShift
        for (layer, fanIn) in zip(spec.layers, spec.layerInputs) {
            let acc = inFrac + layer.weightFracBits
            let out = layer.outputFracBits ?? acc
            let range = (6.0 / Double(fanIn)).squareRoot() * Double(1 << layer.weightFracBits)
            layers.append(Layer(
                inputs: fanIn, units: layer.units, relu: layer.activation == .relu,
                inputFracBits: inFrac, weightFracBits: layer.weightFracBits,
                requantizeShift: acc - out,
                initRange: min(127, max(1, Int(range.rounded()))),
                weightUpdateBase: L + inFrac - layer.weightFracBits,
                biasUpdateBase: L - layer.weightFracBits - inFrac))
            inFrac = out
        }
        self.layers = layers
        self.inputSize = spec.input.size
        self.inputFracBits = spec.input.fracBits
        self.logitShift = layers.last!.accumulatorFracBits - 4
        self.learningRateShift = L
    }

    /// Error exponent of layer l's input error, given the exponent of its output error and
    /// the shift the backward kernel chose.
    public func inputErrorExponent(layer l: Int, outputExponent: Int, shift: Int) -> Int {
        outputExponent - layers[l].weightFracBits + shift
    }

    /// Softmax table: e^(−k/16) in Q15 for k = 0..255; beyond that the term is below 1/32768·e^-16 and is 0.
    public static let expTable: [UInt16] = (0..<256).map { UInt16((32768.0 * exp(-Double($0) / 16.0)).rounded()) }

    /// Host-side input quantisation: a feature in 0...maxValue maps to 0...127.
    public static func quantizeInput(_ value: UInt8, maxValue: Int) -> Int8 {
        Int8((Int(value) * 127 + maxValue / 2) / maxValue)
    }
}
