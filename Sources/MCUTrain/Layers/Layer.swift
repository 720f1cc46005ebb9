/// Height × width × channels of an NHWC int8 tensor (batch 1). Dense outputs are 1×1×units.
public struct Shape: Equatable, Sendable, CustomStringConvertible {
    public let h: Int, w: Int, c: Int
    public init(_ h: Int, _ w: Int, _ c: Int) { self.h = h; self.w = w; self.c = c }
    public var count: Int { h * w * c }
    public var description: String { "\(h)x\(w)x\(c)" }
}

/// The activation fused into a layer's output, as CMSIS-NN clamps: ReLU6 keeps its range
/// [0, 6] exactly, so its output always has 4 fractional bits (6 · 16 = 96 ≤ 127).
public enum Activation: String, Decodable, Sendable { case none, relu, relu6 }

/// What one layer learns (Lin et al. 2022): nothing, its biases, or its biases and the weights
/// of the first `ratio` of its output channels.
public enum UpdateMode: Equatable, Sendable, Decodable, CustomStringConvertible {
    case frozen, bias, weights(ratio: Double)

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mode = Self(text) else {
            throw ConfigError("update mode \(Quoted(text)) must be frozen, bias, weights, or weights:1/8, 1/4, 1/2")
        }
        self = mode
    }

    init?(_ text: String) {
        switch text {
        case "frozen": self = .frozen
        case "bias": self = .bias
        case "weights", "weights:1": self = .weights(ratio: 1)
        case "weights:1/2": self = .weights(ratio: 0.5)
        case "weights:1/4": self = .weights(ratio: 0.25)
        case "weights:1/8": self = .weights(ratio: 0.125)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .frozen: return "frozen"
        case .bias: return "bias"
        case .weights(let r): return r == 1 ? "weights" : "weights:1/\(Int((1 / r).rounded()))"
        }
    }

    public var trains: Bool { self != .frozen }

    /// Output channels whose weights are updated.
    func weightChannels(of channels: Int) -> Int {
        guard case .weights(let r) = self else { return 0 }
        return max(1, Int((Double(channels) * r).rounded(.up)))
    }
}

/// A layer's trainable parameters: `channels` biases, `perChannel` weights each.
public struct ParameterShape: Equatable, Sendable {
    public let channels: Int
    public let perChannel: Int
    public let fanIn: Int
    public var weightCount: Int { channels * perChannel }
}

/// One kind of layer: its shape rules, what backward keeps, its C kernels and the calls it
/// emits, and its Swift integer and float twins. Adding a kind means one new file that
/// conforms to this and a line in `LayerRegistry`.
protocol LayerKind: Sendable {
    static var op: String { get }
    /// The C kernels of this kind (`mct_<op>_<type>` definitions), emitted once per model.
    static var kernelSource: KernelCode { get }
    /// The kernels in a variant (same declarations); a kind without a DSP version emits its portable C.
    static func kernelSource(_ variant: KernelVariant) -> KernelCode
    /// Reads the op's fields, checks them against its inputs' shapes. Errors name `field`.
    init(_ spec: ModelSpec.LayerSpec, inputs: [Shape], field: String) throws

    var output: Shape { get }
    var activation: Activation { get }
    var parameters: ParameterShape? { get }
    var forwardMACs: Int { get }
    /// int32 elements of scratch the input-error pass needs (0 if it writes int8 directly).
    func inputErrorScratch(input k: Int) -> Int
    /// The inputs backward reads besides the weights (max-pool routing).
    var backwardReadsInput: Bool { get }

    func cDeclarations(_ n: NodeC) -> [String]
    func cForward(_ n: NodeC) -> [String]
    /// Lines computing the int8 error of input k into `dest` and its exponent into `exponent`.
    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String]
    func cUpdate(_ n: NodeC) -> [String]

    func forward(_ n: NodeTwin, inputs: [[Int8]], params: IntegerParameters?) -> [Int8]
    func inputError(_ n: NodeTwin, input k: Int, inputs: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int)
    func update(_ n: NodeTwin, params: inout IntegerParameters, inputs: [[Int8]], error: [Int8], exponent: Int, rng: inout XorShift32)
    /// MACs the C input-error and update kernels run (and count) for this output error.
    func inputErrorMACs(error: [Int8]) -> Int
    func updateMACs(error: [Int8], weightChannels: Int) -> Int

    /// The pre-activation output; the float network applies the activation.
    func floatForward(inputs: [[Float]], params: FloatParameters?) -> [Float]
    /// Gradients w.r.t. the inputs and parameters, given the gradient at the pre-activation output.
    func floatBackward(inputs: [[Float]], gradient: [Float], params: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float])
}

extension LayerKind {
    static func kernelSource(_ variant: KernelVariant) -> KernelCode { kernelSource }
    func inputErrorScratch(input k: Int) -> Int { 0 }
    var backwardReadsInput: Bool { false }
    var parameters: ParameterShape? { nil }
    func cDeclarations(_ n: NodeC) -> [String] { [] }
    func cUpdate(_ n: NodeC) -> [String] { [] }
    func update(_ n: NodeTwin, params: inout IntegerParameters, inputs: [[Int8]], error: [Int8], exponent: Int, rng: inout XorShift32) {}
    func inputErrorMACs(error: [Int8]) -> Int { 0 }
    func updateMACs(error: [Int8], weightChannels: Int) -> Int { 0 }
}

/// C text a kind contributes to mct_kernels.h / mct_kernels.c.
struct KernelCode: Sendable {
    let declarations: String
    let definitions: String
}

/// The integer parameters a layer trains: int8 weights (layout per kind), int32 biases.
public struct IntegerParameters: Equatable, Sendable {
    public var weights: [Int8]
    public var bias: [Int32]
}

public struct FloatParameters: Equatable, Sendable {
    public var weights: [Float]
    public var bias: [Float]
}

/// Every kind the model files know, by `op`.
enum LayerRegistry {
    static let kinds: [any LayerKind.Type] = [
        Dense.self, Conv2D.self, DepthwiseConv2D.self, AveragePool.self, MaxPool.self, GlobalAveragePool.self, Add.self,
    ]

    static func kind(_ op: String) -> (any LayerKind.Type)? { kinds.first { $0.op == op } }
}
