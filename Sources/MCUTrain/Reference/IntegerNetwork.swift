/// The host-side twin of the generated training step: the same graph walk, the same kernels'
/// arithmetic, the same random draws. The bit-exact tests run it beside the firmware.
public struct IntegerNetwork: Sendable {
    public let model: QuantizedModel
    public let selection: BackwardSelection
    public private(set) var selectionState: BackwardSelection.State
    public private(set) var params: [IntegerParameters?]
    public private(set) var rng: XorShift32
    /// Logits of the last forward pass.
    public private(set) var logits: [Int32] = []

    public struct Step: Equatable, Sendable {
        public let prediction: Int
        /// Probability of the true class in Q15, from the fixed-point softmax.
        public let pTrue: Int32
        public let effort: Effort
    }

    /// Mirrors `mct_init`: the weights are the model's initial ones, the seed only starts the PRNG.
    public init(_ model: QuantizedModel, seed: UInt32, algorithm: TrainingAlgorithm = .full) {
        self.model = model
        selection = BackwardSelection(graph: model.graph, algorithm: algorithm)
        selectionState = selection.initialState()
        params = model.initial
        rng = XorShift32(seed: seed)
    }

    /// Every int8 tensor of the forward pass (the logits go to `logits`).
    private mutating func forward(_ input: [Int8]) -> [[Int8]] {
        var tensors = [input]
        for node in model.graph.nodes {
            let x = node.inputs.map { tensors[$0] }
            if node.isLogits, let dense = node.kind as? Dense {
                logits = dense.logits(input: x[0], params: params[node.index]!)
                tensors.append([])
            } else {
                tensors.append(node.kind.forward(model.twin(node.index), inputs: x, params: params[node.index]))
            }
        }
        return tensors
    }

    /// Mirrors `mct_predict`.
    public mutating func predict(_ input: [Int8]) -> Int {
        _ = forward(input)
        return IntegerKernels.argmax(logits)
    }

    /// Mirrors `mct_train_step`: layers backward in reverse order, each taking its input
    /// errors before its own update (operator reordering: no gradient outlives its layer).
    public mutating func trainStep(_ input: [Int8], label: Int) -> Step {
        let graph = model.graph
        let tensors = forward(input)
        let out = IntegerKernels.softmaxCrossEntropyBackward(logits: logits, label: label, logitShift: model.logitShift)
        var errors = [(error: [Int8], exponent: Int)?](repeating: nil, count: tensors.count)
        errors[tensors.count - 1] = (out.error, IntegerKernels.outputErrorExponent)
        var macs = 0
        var kept = [Int](repeating: 0, count: selection.layers.count)
        guard selection.trains(outputError: out.error, state: &selectionState) else {
            return Step(prediction: out.prediction, pTrue: out.pTrue, effort: Effort(backwardMACs: 0, trained: false, kept: kept))
        }
        for node in graph.nodes.reversed() where node.needsOutputError {
            let twin = model.twin(node.index)
            var (e, x) = errors[node.output]!
            if node.kind.activation != .none {
                let r = twin.numerics.maskRange
                e = IntegerKernels.activationBackward(e, output: tensors[node.output], lo: r.lo, hi: r.hi)
            }
            if let l = selection.layer(for: node.index) {
                kept[l.slot] = selection.select(l, error: &e, exponent: x, state: &selectionState, rng: &rng)
            }
            let inputs = node.inputs.map { tensors[$0] }
            for (k, t) in node.inputs.enumerated() where graph.needsError[t] {
                macs += node.kind.inputErrorMACs(error: e)
                let part = node.kind.inputError(twin, input: k, inputs: inputs, error: e, exponent: x, params: params[node.index])
                if let have = errors[t] {
                    errors[t] = IntegerKernels.mergeError(have.error, have.exponent, part.error, part.exponent)
                } else {
                    errors[t] = part
                }
            }
            if node.update.trains {
                macs += node.kind.updateMACs(error: e, weightChannels: node.update.weightChannels(of: node.kind.parameters!.channels))
                node.kind.update(twin, params: &params[node.index]!, inputs: inputs, error: e, exponent: x, rng: &rng)
            }
        }
        return Step(prediction: out.prediction, pTrue: out.pTrue, effort: Effort(backwardMACs: macs, trained: true, kept: kept))
    }
}
