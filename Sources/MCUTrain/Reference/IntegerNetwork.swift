/// The host-side twin of the generated training step: same buffers, same order, same
/// random draws. The bit-exact test runs it beside the emulated firmware.
public struct IntegerNetwork: Sendable {
    public let plan: FixedPointPlan
    public private(set) var weights: [[Int8]]
    public private(set) var biases: [[Int32]]
    public private(set) var rng: XorShift32
    /// Logits of the last forward pass.
    public private(set) var logits: [Int32] = []

    public struct Step: Equatable, Sendable {
        public let prediction: Int
        /// Probability of the true class in Q15, from the fixed-point softmax.
        public let pTrue: Int32
    }

    /// Mirrors `mct_init`: seed, then every layer's weights in order; biases start at zero.
    public init(plan: FixedPointPlan, seed: UInt32) {
        self.plan = plan
        var rng = XorShift32(seed: seed)
        weights = plan.layers.map { IntegerKernels.denseInit(count: $0.inputs * $0.units, range: $0.initRange, rng: &rng) }
        biases = plan.layers.map { [Int32](repeating: 0, count: $0.units) }
        self.rng = rng
    }

    /// Forward pass; returns every layer's int8 input (the activations backward needs).
    private mutating func forward(_ input: [Int8]) -> [[Int8]] {
        var activations = [input]
        for (l, layer) in plan.layers.enumerated() {
            let acc = IntegerKernels.denseForward(input: activations[l], weights: weights[l], bias: biases[l], outputs: layer.units)
            if layer.relu {
                activations.append(IntegerKernels.reluRequantize(acc, shift: layer.requantizeShift))
            } else {
                logits = acc
            }
        }
        return activations
    }

    /// Mirrors `mct_predict`.
    public mutating func predict(_ input: [Int8]) -> Int {
        _ = forward(input)
        return IntegerKernels.argmax(logits)
    }

    /// Mirrors `mct_train_step`: each layer is updated as soon as the error below it is known.
    public mutating func trainStep(_ input: [Int8], label: Int) -> Step {
        let activations = forward(input)
        let out = IntegerKernels.softmaxCrossEntropyBackward(logits: logits, label: label, logitShift: plan.logitShift)
        var error = out.error
        var exponent = FixedPointPlan.outputErrorExponent
        for l in stride(from: plan.layers.count - 1, through: 0, by: -1) {
            let layer = plan.layers[l]
            var below: (error: [Int8], shift: Int)?
            if l > 0 { below = IntegerKernels.denseBackward(outputError: error, weights: weights[l], activation: activations[l]) }
            IntegerKernels.denseUpdate(weights: &weights[l], bias: &biases[l], input: activations[l], error: error,
                                       weightShift: layer.weightUpdateBase - exponent,
                                       biasShift: layer.biasUpdateBase - exponent, rng: &rng)
            if let below {
                exponent = plan.inputErrorExponent(layer: l, outputExponent: exponent, shift: below.shift)
                error = below.error
            }
        }
        return Step(prediction: out.prediction, pTrue: out.pTrue)
    }
}
