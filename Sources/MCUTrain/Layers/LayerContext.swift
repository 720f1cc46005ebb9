/// The fixed-point choices for one layer: fractional bits of its inputs, output and weights.
/// A value v with f fractional bits means v / 2^f.
public struct LayerNumerics: Sendable, Equatable {
    public let inputFrac: [Int]
    public let outputFrac: Int
    /// Per output channel; trained layers and layers error flows through use one value.
    public let weightFrac: [Int]
    public let learningRateShift: Int
    let activation: Activation

    /// Right shift from the int32 accumulator of channel c to the int8 output.
    func requantShift(_ c: Int) -> Int { inputFrac[0] + weightFrac[c] - outputFrac }

    /// The int8 output range the activation clamps to.
    var outputRange: (lo: Int32, hi: Int32) {
        switch activation {
        case .none: return (-128, 127)
        case .relu: return (0, 127)
        case .relu6: return (0, Int32(min(127, 6 << max(0, outputFrac))))
        }
    }

    /// The backward mask keeps the error where lo < y < hi: ReLU's top is never a clamp (128).
    var maskRange: (lo: Int32, hi: Int32) { activation == .relu ? (0, 128) : outputRange }

    /// Update shifts before the error exponent x is subtracted: the weight step is
    /// sr(g, weightUpdateBase − x) and the bias step sr(g, biasUpdateBase − x). They are QAS
    /// (Lin et al.) for power-of-two scales: the gradient of the int8 weight rescaled by the
    /// square of its scale, i.e. the real-valued SGD step expressed in weight LSBs.
    var weightUpdateBase: Int { learningRateShift + inputFrac[0] - weightFrac[0] }
    var biasUpdateBase: Int { learningRateShift - inputFrac[0] - weightFrac[0] }
}

/// A layer as its kernels see it: the graph node and its numerics. The Swift twins take this.
public struct NodeTwin: Sendable {
    public let node: Graph.Node
    public let numerics: LayerNumerics
    var kind: any LayerKind { node.kind }
}

/// A layer as its C emitter sees it: the same, plus the C expressions of its buffers.
struct NodeC {
    let twin: NodeTwin
    /// Activation buffers of the inputs and the output (int8), or the logits (int32).
    let inputs: [String]
    let output: String
    let outputError: String
    let outputExponent: String
    let scratch: String
    /// C identifier prefix of this layer's parameters and constants, e.g. "mct_l3".
    let prefix: String
    /// The step's counter of backward MACs: kernels with MACs return theirs and the step adds them.
    static let macs = "mct_backward_macs"
    var numerics: LayerNumerics { twin.numerics }
    var node: Graph.Node { twin.node }
    var weights: String { prefix + "_w" }
    var bias: String { prefix + "_b" }
    var shifts: String { prefix + "_shift" }
    var dims: String { "&" + prefix + "_dims" }
    /// Weight channels the update touches, and the update's shift expressions.
    var weightChannels: Int { node.update.weightChannels(of: node.kind.parameters?.channels ?? 0) }
    var weightShift: String { "\(numerics.weightUpdateBase) - \(outputExponent)" }
    var biasShift: String { "\(numerics.biasUpdateBase) - \(outputExponent)" }
    var weightsOrNull: String { weightChannels > 0 ? weights : "0" }

    /// `static const int8_t <prefix>_shift[] = {...};`: per-channel requantisation shifts.
    func shiftTable(channels: Int) -> String {
        "static const int8_t \(shifts)[\(channels)] = {\((0..<channels).map { String(numerics.requantShift($0)) }.joined(separator: ", "))};"
    }
}
