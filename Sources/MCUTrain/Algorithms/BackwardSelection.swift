import Foundation

/// How an algorithm thins one backward pass: which layers keep only some output errors, how
/// many, and whether a sample backpropagates at all. Selection works on output channels
/// (NHWC: a dense layer is one position of `units` channels). For convolutions that is what
/// pays: their update skips a channel only when its whole error map is zero, so zeroing single
/// elements would save input-error MACs but no weight-gradient MACs.
public struct BackwardSelection: Sendable {
    /// One layer that selects: its error tensor's geometry and its place in the firmware's
    /// `mct_kept` / `mct_ymax` arrays. The logits layer selects only with `sparse_output` 1.
    public struct Layer: Sendable {
        public let node: Int
        public let name: String
        public let slot: Int
        public let positions: Int
        public let channels: Int
        /// Layers with parameters between this one and the output (TinyProp's c).
        public let depth: Int
    }

    public let algorithm: TrainingAlgorithm
    public let layers: [Layer]
    /// Backward MACs of one full-backprop step with no error zero, counted as the kernels count.
    public let fullBackwardMACs: Int

    /// Layers with parameters that backward reaches; none for full backprop.
    public init(graph: Graph, algorithm: TrainingAlgorithm) {
        self.algorithm = algorithm
        fullBackwardMACs = graph.nodes.filter(\.needsOutputError).reduce(0) { sum, n in
            let dense = [Int8](repeating: 1, count: n.kind.output.count)
            let inputs = n.inputs.filter { graph.needsError[$0] }.count * n.kind.inputErrorMACs(error: dense)
            let weights = n.update.trains ? n.kind.updateMACs(error: dense, weightChannels: n.update.weightChannels(of: n.kind.parameters!.channels)) : 0
            return sum + inputs + weights
        }
        guard algorithm.selects else { layers = []; return }
        let learns = graph.nodes.map { $0.kind.parameters != nil && $0.needsOutputError }
        var depth = [Int](repeating: 0, count: graph.nodes.count)
        for n in graph.nodes.reversed() {
            depth[n.index] = graph.consumers(of: n.output).map { depth[$0] + (learns[$0] ? 1 : 0) }.max() ?? 0
        }
        let sparseOutput = algorithm.values["sparse_output"] == 1
        var list: [Layer] = []
        for n in graph.nodes where learns[n.index] && (sparseOutput || !n.isLogits) {
            let s = n.kind.output
            list.append(Layer(node: n.index, name: n.name, slot: list.count, positions: s.h * s.w, channels: s.c, depth: depth[n.index]))
        }
        layers = list
    }

    public func layer(for node: Int) -> Layer? { layers.first { $0.node == node } }

    /// meProp's k: the ratio of the channels, at least one.
    func fixedK(_ l: Layer) -> Int { max(1, min(l.channels, Int((algorithm.values["ratio"]! * Double(l.channels)).rounded()))) }

    /// ζ^c in Q15, computed once on the host.
    func zetaQ15(_ l: Layer) -> Int32 { Int32((pow(algorithm.values["zeta"]!, Double(l.depth)) * 32768).rounded()) }

    // MARK: Swift twin

    /// The running maxima the firmware keeps between steps.
    public struct State: Sendable, Equatable {
        var layerMax: [Selector.Magnitude]
        var alphaMax = Selector.Magnitude()
    }

    public func initialState() -> State { State(layerMax: Array(repeating: .init(), count: layers.count)) }

    /// Mirrors the emitted selection lines: returns k and leaves only the kept channels' errors.
    func select(_ l: Layer, error: inout [Int8], exponent: Int, state: inout State, rng: inout XorShift32) -> Int {
        let (scores, sum) = Selector.scores(error, positions: l.positions, channels: l.channels)
        let k: Int
        switch algorithm.kind {
        case .full: return l.channels
        case .meprop: k = fixedK(l)
        case .tinyprop, .tinypropv2:
            let ratio = Selector.ratioToMax(sum, exponent: exponent, max: &state.layerMax[l.slot])
            k = Selector.tinypropK(ratio: ratio, sMin: algorithm.q15("s_min"), sRange: algorithm.q15("s_max") - algorithm.q15("s_min"),
                                   zeta: zetaQ15(l), n: l.channels)
        }
        Selector.keepTopK(&error, positions: l.positions, channels: l.channels, k: k, scores: scores, rng: &rng)
        return k
    }

    /// Mirrors the gate after the loss: whether this sample backpropagates.
    func trains(outputError: [Int8], state: inout State) -> Bool {
        guard algorithm.skipsSamples else { return true }
        return Selector.tinypropv2Trains(outputError, alphaMax: &state.alphaMax, dMin: algorithm.q15("d_min"),
                                         dRange: algorithm.q15("d_max") - algorithm.q15("d_min"),
                                         beta: algorithm.q15("beta"), threshold: algorithm.q15("threshold"))
    }

    // MARK: C

    /// The Q15 parameters, as `#define`s at the top of the step.
    var cParameters: [String] {
        guard algorithm.adaptive else { return [] }
        var lines = ["#define MCT_S_MIN_Q15 \(algorithm.q15("s_min"))", "#define MCT_S_RANGE_Q15 \(algorithm.q15("s_max") - algorithm.q15("s_min"))"]
        if algorithm.skipsSamples {
            lines += ["#define MCT_D_MIN_Q15 \(algorithm.q15("d_min"))", "#define MCT_D_RANGE_Q15 \(algorithm.q15("d_max") - algorithm.q15("d_min"))",
                      "#define MCT_BETA_Q15 \(algorithm.q15("beta"))", "#define MCT_THRESHOLD_Q15 \(algorithm.q15("threshold"))"]
        }
        return lines
    }

    /// After the loss: sets `mct_trained`, returning early from the step when the sample skips.
    func cGate(outputError: String, classes: Int) -> [String] {
        guard algorithm.skipsSamples else { return ["mct_trained = 1;"] }
        return ["mct_trained = mct_tinypropv2_trains(\(outputError), \(classes), &mct_alpha_max, MCT_D_MIN_Q15, MCT_D_RANGE_Q15, MCT_BETA_Q15, MCT_THRESHOLD_Q15);",
                "if (!mct_trained) return prediction;"]
    }

    /// Scores the layer's output error, picks k and zeroes all but the k best channels.
    func cSelect(_ l: Layer, error: String, exponent: String, scores: String) -> [String] {
        let geometry = "\(error), \(l.positions), \(l.channels)"
        let kept = "mct_kept[\(l.slot)]"
        let pick: String
        switch algorithm.kind {
        case .full: return []
        case .meprop: pick = "\(kept) = \(fixedK(l)); (void)mct_error_scores_s8(\(geometry), \(scores));"
        case .tinyprop, .tinypropv2:
            pick = "\(kept) = mct_tinyprop_k(mct_ratio_to_max_q15(mct_error_scores_s8(\(geometry), \(scores)), \(exponent), &mct_ymax[\(l.slot)]), "
                + "MCT_S_MIN_Q15, MCT_S_RANGE_Q15, \(zetaQ15(l)), \(l.channels));"
        }
        return [pick, "mct_keep_top_k_s8(\(geometry), \(kept), \(scores), &mct_rng);"]
    }
}

/// What the firmware counts in one step (`mct_backward_macs`, `mct_trained`, `mct_kept`):
/// backward MACs run, whether the sample backpropagated, the channels each selecting layer kept
/// (zeros for a skipped sample).
public struct Effort: Sendable, Equatable {
    public let backwardMACs: Int
    public let trained: Bool
    public let kept: [Int]
}
