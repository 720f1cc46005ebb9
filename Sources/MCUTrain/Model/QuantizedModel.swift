import Foundation

/// A graph with every fixed-point choice made: initial weights (drawn on the host, so the
/// firmware, the integer twin and the float twin start from the same values), weight scales,
/// and activation scales calibrated on training data.
public struct QuantizedModel: Sendable {
    public let spec: ModelSpec
    public let graph: Graph
    public let numerics: [LayerNumerics]
    public let inputFrac: Int
    public let initial: [IntegerParameters?]
    /// Where each scale came from ("calibrated", "override", "relu6", ...), for `plan`.
    public let scaleSources: [String]

    /// Scales calibrated on (up to 256 samples of) the training split.
    public static func calibrated(_ spec: ModelSpec, graph: Graph, on train: Dataset, seed: UInt64) -> QuantizedModel {
        let calibration = (0..<min(256, train.count)).map { floatInput(train.features(of: $0), maxValue: train.maxValue) }
        return QuantizedModel(spec: spec, graph: graph, weightSeed: spec.weightSeed ?? seed, calibration: calibration)
    }

    /// Right shift from logits to Q4 softmax table steps (1/16 of a nat).
    public var logitShift: Int { let n = numerics.last!; return n.inputFrac[0] + n.weightFrac[0] - 4 }

    public func twin(_ i: Int) -> NodeTwin { NodeTwin(node: graph.nodes[i], numerics: numerics[i]) }

    /// Initial trained weights keep headroom: He-uniform bound b at 32/127 of the int8 range, so
    /// they can grow 4× before saturating. Frozen weights no error flows through get a scale
    /// per output channel fitted to their own largest value.
    public init(spec: ModelSpec, graph: Graph, weightSeed: UInt64, calibration: [[Float]]) {
        self.spec = spec
        self.graph = graph
        let L = spec.training.learningRateShift
        inputFrac = spec.input.fracBits ?? 7
        var initial: [IntegerParameters?] = []
        var weightFracs: [[Int]] = []
        for node in graph.nodes {
            guard let p = node.kind.parameters else { initial.append(nil); weightFracs.append([]); continue }
            var rng = SplitMix64(seed: weightSeed, stream: UInt64(node.index))
            let bound = (6.0 / Double(p.fanIn)).squareRoot()
            let w = (0..<p.weightCount).map { _ in (Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) * bound }
            let passesError = node.inputs.contains { graph.needsError[$0] }
            var fracs: [Int]
            if let f = Self.override(spec, node, \.weightFracBits) {
                fracs = Array(repeating: f, count: p.channels)
            } else if node.update.trains || passesError {
                fracs = Array(repeating: Self.fracBits(magnitude: bound, target: 32, maxFrac: 7), count: p.channels)
            } else {
                var largest = [Double](repeating: 0, count: p.channels)
                for (i, v) in w.enumerated() {
                    let c = Self.channel(of: i, p, node)
                    largest[c] = max(largest[c], abs(v))
                }
                fracs = largest.map { Self.fracBits(magnitude: $0, target: 127, maxFrac: 7) }
            }
            let q = w.enumerated().map { i, v in Int8(max(-127, min(127, (v * Double(1 << fracs[Self.channel(of: i, p, node)])).rounded()))) }
            initial.append(IntegerParameters(weights: q, bias: [Int32](repeating: 0, count: p.channels)))
            weightFracs.append(fracs)
        }
        self.initial = initial
        let floats = Self.dequantized(initial, weightFracs, graph)

        // Activation scales: the float model at the initial weights, on calibration samples,
        // with one bit of headroom for growth during training.
        var peak = [Float](repeating: 0, count: graph.shapes.count)
        for x in calibration {
            let tensors = FloatNetwork.forward(graph, floats, x).outputs
            for (t, v) in tensors.enumerated() { peak[t] = max(peak[t], v.reduce(0) { max($0, abs($1)) }) }
        }
        var fracOf = [inputFrac]
        var numerics: [LayerNumerics] = []
        var sources: [String] = []
        for node in graph.nodes {
            let inFrac = node.inputs.map { fracOf[$0] }
            let out: Int, source: String
            if node.isLogits {
                (out, source) = (inFrac[0] + weightFracs[node.index][0], "accumulator")
            } else if let f = Self.override(spec, node, \.outputFracBits) {
                (out, source) = (f, "override")
            } else if node.kind.activation == .relu6 {
                (out, source) = (4, "relu6 range [0, 6]")
            } else if node.kind.parameters == nil && node.op != Add.op {
                (out, source) = (inFrac[0], "input's scale")
            } else {
                (out, source) = (Self.fracBits(magnitude: Double(peak[node.output]), target: 63.5, maxFrac: 12), "calibrated, max |y| \(String(format: "%.3g", peak[node.output]))")
            }
            fracOf.append(out)
            sources.append(source)
            numerics.append(LayerNumerics(inputFrac: inFrac, outputFrac: out, weightFrac: weightFracs[node.index],
                                          learningRateShift: L, activation: node.kind.activation))
        }
        self.numerics = numerics
        self.scaleSources = sources
    }

    /// The most fractional bits (0...maxFrac) that keep `magnitude` within `target` LSBs.
    static func fracBits(magnitude: Double, target: Double, maxFrac: Int) -> Int {
        guard magnitude > 0, magnitude.isFinite else { return maxFrac }
        return max(0, min(maxFrac, Int((log2(target / magnitude)).rounded(.down))))
    }

    private static func override(_ spec: ModelSpec, _ node: Graph.Node, _ key: KeyPath<ModelSpec.LayerSpec, Int?>) -> Int? {
        spec.layers.filter { $0.op != "flatten" }[node.index][keyPath: key]
    }

    /// Output channel of weight i: OHWI and [out][in] keep channels outermost, depthwise innermost.
    static func channel(of i: Int, _ p: ParameterShape, _ node: Graph.Node) -> Int {
        node.op == DepthwiseConv2D.op ? i % p.channels : i / p.perChannel
    }

    /// A sample's features (0...maxValue) as the int8 input: v / maxValue with `inputFrac` bits.
    public func quantizeInput(_ features: ArraySlice<UInt8>, maxValue: Int) -> [Int8] {
        let m = max(1, maxValue), scale = 1 << inputFrac
        return features.map { Int8(min(127, (Int($0) * scale * 2 + m) / (2 * m))) }
    }

    public static func floatInput(_ features: ArraySlice<UInt8>, maxValue: Int) -> [Float] {
        features.map { Float($0) / Float(max(1, maxValue)) }
    }

    /// The float twin's starting point: the integer initial weights dequantised.
    public var floatInitial: [FloatParameters?] { Self.dequantized(initial, numerics.map(\.weightFrac), graph) }

    private static func dequantized(_ initial: [IntegerParameters?], _ weightFracs: [[Int]], _ graph: Graph) -> [FloatParameters?] {
        graph.nodes.map { node in
            guard let p = initial[node.index], let shape = node.kind.parameters else { return nil }
            let f = weightFracs[node.index]
            return FloatParameters(weights: p.weights.enumerated().map { i, v in Float(v) / Float(1 << f[channel(of: i, shape, node)]) },
                                   bias: [Float](repeating: 0, count: shape.channels))
        }
    }
}
