/// A model file resolved: tensors with shapes, layers in execution order, and which of them
/// train. Tensor 0 is the input; layer i writes tensor i + 1 (a `flatten` is a view, not a
/// layer: its name refers to its input's tensor).
public struct Graph: Sendable {
    public struct Node: Sendable {
        public let index: Int
        public let name: String
        let kind: any LayerKind
        public let inputs: [Int]
        public var output: Int { index + 1 }
        public let update: UpdateMode
        /// Whether backward reaches this layer: it trains, or a layer before it does.
        public let needsOutputError: Bool
        /// The last layer's int32 accumulators are the logits: no requantisation, no activation.
        public var isLogits: Bool
        public var op: String { type(of: kind).op }
    }

    public enum UpdateScheme: String, Sendable, CaseIterable { case full, sparse }

    public let nodes: [Node]
    public let shapes: [Shape]
    /// Tensors whose error backward computes (the error of a layer's output).
    public let needsError: [Bool]
    public let scheme: UpdateScheme

    public var classCount: Int { nodes.last!.kind.output.c }
    public var inputShape: Shape { shapes[0] }
    public var forwardMACs: Int { nodes.reduce(0) { $0 + $1.kind.forwardMACs } }

    /// Layers reading tensor t, in execution order.
    public func consumers(of t: Int) -> [Int] { nodes.filter { $0.inputs.contains(t) }.map(\.index) }

    public init(_ spec: ModelSpec, update scheme: UpdateScheme) throws {
        let inShape = spec.input.shape.count == 1 ? Shape(1, 1, spec.input.shape[0]) : Shape(spec.input.shape[0], spec.input.shape[1], spec.input.shape[2])
        var shapes = [inShape]
        var tensorOf: [String: Int] = ["input": 0]
        var flattened = Set<String>()
        var previous = "input"
        var nodes: [Node] = []
        var size = Size()
        let sparse: ModelSpec.SparseUpdate?
        switch scheme {
        case .full: sparse = nil
        case .sparse:
            guard let s = spec.sparseUpdate else { throw ConfigError("--update sparse: the model has no 'sparse_update' section") }
            sparse = s
        }
        for (i, layer) in spec.layers.enumerated() {
            let field = "layers[\(i)]"
            let name = layer.name ?? "\(layer.op)\(i)"
            try Identifier.validate(name, field: "\(field).name")
            guard tensorOf[name] == nil else { throw ConfigError("field '\(field).name': '\(name)' is already a tensor") }
            let inputNames = layer.inputs ?? [previous]
            let inputs = try inputNames.map { n -> Int in
                guard let t = tensorOf[n] else { throw ConfigError("field '\(field).input': no tensor \(Quoted(n)) before this layer") }
                return t
            }
            previous = name
            if layer.op == "flatten" {
                guard inputs.count == 1 else { throw ConfigError("field '\(field)': flatten takes one input") }
                tensorOf[name] = inputs[0]
                flattened.insert(name)
                continue
            }
            for n in inputNames where flattened.contains(n) && layer.op != "dense" {
                throw ConfigError("field '\(field)': only dense can read the flattened tensor '\(n)'")
            }
            let op = layer.op == "pointwise" ? "conv2d" : layer.op
            guard let kindType = LayerRegistry.kind(op) else {
                throw ConfigError("field '\(field).op': unknown op \(Quoted(layer.op)) (known: \((LayerRegistry.kinds.map { $0.op } + ["pointwise", "flatten"]).joined(separator: ", ")))")
            }
            if let f = layer.weightFracBits, !(0...7).contains(f) { throw ConfigError("field '\(field).weight_frac_bits' must be 0...7, got \(f)") }
            if let f = layer.outputFracBits, !(-8...15).contains(f) { throw ConfigError("field '\(field).output_frac_bits' must be -8...15, got \(f)") }
            let kind = try kindType.init(layer, inputs: inputs.map { shapes[$0] }, field: field)
            try size.add(kind, field: field)
            var update = UpdateMode.weights(ratio: 1)
            if let sparse { update = sparse.layers[name] ?? sparse.defaultMode }
            if kind.parameters == nil { update = .frozen }
            let wants = update.trains || inputs.contains { t in t > 0 && nodes[t - 1].needsOutputError }
            nodes.append(Node(index: nodes.count, name: name, kind: kind, inputs: inputs, update: update, needsOutputError: wants, isLogits: false))
            shapes.append(kind.output)
            tensorOf[name] = nodes.count
        }
        if let sparse {
            for name in sparse.layers.keys.sorted() {
                guard let t = tensorOf[name], t > 0, nodes[t - 1].name == name else {
                    throw ConfigError("field 'sparse_update.layers': no layer named \(Quoted(name))")
                }
                guard nodes[t - 1].kind.parameters != nil else {
                    throw ConfigError("field 'sparse_update.layers.\(name)': \(nodes[t - 1].op) has no parameters to train")
                }
            }
        }
        guard let last = nodes.last, last.op == "dense", last.kind.activation == .none else {
            throw ConfigError("field 'layers': the last layer must be dense with no activation (its outputs are the logits)")
        }
        guard last.kind.output.c >= 2 else { throw ConfigError("field 'layers': softmax needs at least 2 classes") }
        guard nodes.contains(where: { $0.update.trains }) else { throw ConfigError("the update scheme trains no layer") }
        for t in 1..<shapes.count where t != nodes.count && !nodes.contains(where: { $0.inputs.contains(t) }) {
            throw ConfigError("field 'layers[\(t - 1)]': the output of '\(nodes[t - 1].name)' is never used")
        }
        nodes[nodes.count - 1].isLogits = true
        self.nodes = nodes
        self.shapes = shapes
        self.needsError = [false] + nodes.map(\.needsOutputError)
        self.scheme = scheme
    }
}
