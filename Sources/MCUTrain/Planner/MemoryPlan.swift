/// Every byte a training step touches, decided before any C is written: parameters and state
/// as static symbols (trained weights in RAM, frozen ones `const` in flash), and every
/// activation, saved activation, error and scratch buffer as an interval of one arena, placed
/// by liveness over the step's schedule.
///
/// Schedule of n layers: forward of layer i is step i, the loss step n, backward of layer i
/// step 2n − i. Each layer applies its update inside its own backward step, as soon as its
/// gradient exists, so no gradient buffer outlives the layer (operator reordering).
public struct MemoryPlan: Sendable {
    public enum Key: Hashable, Sendable, Comparable {
        case activation(Int), error(Int), contribution(tensor: Int, layer: Int), scratch(Int), scores(Int)
    }

    public struct Buffer: Sendable {
        public let key: Key
        /// What it holds, for people: "conv1 output", "conv2 error", ...
        public let label: String
        public let bytes: Int
        public let firstStep: Int
        public let lastStep: Int
        public internal(set) var offset = 0
        func overlaps(_ o: Buffer) -> Bool { firstStep <= o.lastStep && o.firstStep <= lastStep }
    }

    public struct Symbol: Sendable {
        public enum Placement: String, Sendable { case ram, flash }
        public let name: String
        public let label: String
        /// Padded to a multiple of 4, as declared (every symbol is 4-aligned, so the linker adds nothing).
        public let bytes: Int
        public let placement: Placement
    }

    public let buffers: [Buffer]
    public let arenaBytes: Int
    public let symbols: [Symbol]
    public let stepNames: [String]
    public let selection: BackwardSelection

    /// Static RAM as the linker will lay it out: every RAM symbol (the arena among them), the
    /// end of .bss aligned to 8.
    public var staticRAMBytes: Int { (symbols.filter { $0.placement == .ram }.reduce(0) { $0 + $1.bytes } + 7) & ~7 }
    public var flashParameterBytes: Int { symbols.filter { $0.placement == .flash }.reduce(0) { $0 + $1.bytes } }
    /// The random state, the step's counters and the algorithm's running maxima.
    public var stateBytes: Int { symbols.filter { $0.placement == .ram && !$0.name.hasPrefix("mct_l") && $0.name != "mct_arena" }.reduce(0) { $0 + $1.bytes } }
    public var ramParameterBytes: Int { symbols.filter { $0.placement == .ram && $0.name.hasPrefix("mct_l") }.reduce(0) { $0 + $1.bytes } }

    public func buffer(_ key: Key) -> Buffer? { buffers.first { $0.key == key } }

    /// Bytes live in the arena at each step; the arena can be larger (fragmentation), never smaller.
    public var liveBytes: [Int] { stepNames.indices.map { s in buffers.filter { $0.firstStep <= s && s <= $0.lastStep }.reduce(0) { $0 + $1.bytes } } }

    /// The step with the most live bytes and the buffers live there, largest first.
    public var peak: (step: Int, buffers: [Buffer]) {
        let live = liveBytes
        let s = live.indices.max { live[$0] < live[$1] } ?? 0
        return (s, buffers.filter { $0.firstStep <= s && s <= $0.lastStep }.sorted { $0.bytes > $1.bytes })
    }

    static func padded(_ n: Int) -> Int { (n + 3) & ~3 }

    /// The algorithm's sparse backward pass: its channel scores live in the arena, its running
    /// maxima and counters are state.
    public init(_ model: QuantizedModel, algorithm: TrainingAlgorithm = .full, query: LabelQuery? = nil) {
        let selection = BackwardSelection(graph: model.graph, algorithm: algorithm)
        self.selection = selection
        let graph = model.graph, nodes = graph.nodes, n = nodes.count
        let end = 2 * n
        func backward(_ i: Int) -> Int { 2 * n - i }
        var names = nodes.map { "forward \($0.name)" } + ["loss"]
        names += nodes.reversed().map { "backward \($0.name)" }
        stepNames = names
        func tensorName(_ t: Int) -> String { t == 0 ? "input" : nodes[t - 1].name }

        var list: [Buffer] = []
        for t in 0..<graph.shapes.count {
            let producer = t == 0 ? nil : nodes[t - 1]
            let isLogits = producer?.isLogits ?? false
            var last = graph.consumers(of: t).max() ?? 0
            for j in graph.consumers(of: t) where nodes[j].needsOutputError {
                let weights = nodes[j].update.weightChannels(of: nodes[j].kind.parameters?.channels ?? 0) > 0
                if weights || (nodes[j].kind.backwardReadsInput && graph.needsError[t]) { last = max(last, backward(j)) }
            }
            if let p = producer, p.needsOutputError, p.kind.activation != .none { last = max(last, backward(p.index)) }
            if isLogits { last = end }
            let bytes = isLogits ? 4 * graph.shapes[t].count : graph.shapes[t].count
            list.append(Buffer(key: .activation(t), label: isLogits ? "logits (int32)" : "\(tensorName(t)) \(t == 0 ? "" : "output")".trimmingCharacters(in: .whitespaces),
                               bytes: Self.padded(bytes), firstStep: producer?.index ?? 0, lastStep: last))
            guard graph.needsError[t], let p = producer else { continue }
            let readers = graph.consumers(of: t).sorted(by: >)
            let born = isLogits ? n : backward(readers[0])
            list.append(Buffer(key: .error(t), label: "\(tensorName(t)) error", bytes: Self.padded(graph.shapes[t].count), firstStep: born, lastStep: backward(p.index)))
            for j in readers.dropFirst() {
                list.append(Buffer(key: .contribution(tensor: t, layer: j), label: "\(tensorName(t)) error from \(nodes[j].name)",
                                   bytes: Self.padded(graph.shapes[t].count), firstStep: backward(j), lastStep: backward(j)))
            }
        }
        for node in nodes where node.needsOutputError {
            let scratch = node.inputs.indices.filter { graph.needsError[node.inputs[$0]] }.map { node.kind.inputErrorScratch(input: $0) }.max() ?? 0
            if scratch > 0 {
                list.append(Buffer(key: .scratch(node.index), label: "\(node.name) input-error scratch (int32)", bytes: 4 * scratch,
                                   firstStep: backward(node.index), lastStep: backward(node.index)))
            }
        }
        for l in selection.layers {
            list.append(Buffer(key: .scores(l.node), label: "\(nodes[l.node].name) channel scores (uint32)", bytes: 4 * l.channels,
                               firstStep: backward(l.node), lastStep: backward(l.node)))
        }
        (buffers, arenaBytes) = Self.place(list)

        var symbols: [Symbol] = []
        for node in nodes {
            guard let p = node.kind.parameters else { continue }
            let prefix = "mct_l\(node.index)"
            let trainsWeights = node.update.weightChannels(of: p.channels) > 0
            symbols.append(Symbol(name: prefix + "_w", label: "\(node.name) weights", bytes: Self.padded(p.weightCount), placement: trainsWeights ? .ram : .flash))
            symbols.append(Symbol(name: prefix + "_b", label: "\(node.name) biases", bytes: 4 * p.channels, placement: node.update.trains ? .ram : .flash))
        }
        symbols.append(Symbol(name: "mct_arena", label: "arena", bytes: arenaBytes, placement: .ram))
        symbols.append(Symbol(name: "mct_rng", label: "random state", bytes: 4, placement: .ram))
        symbols.append(Symbol(name: "mct_p_true", label: "p(true class)", bytes: 4, placement: .ram))
        symbols.append(Symbol(name: "mct_backward_macs", label: "backward MACs of the step", bytes: 4, placement: .ram))
        symbols.append(Symbol(name: "mct_trained", label: "whether the step backpropagated", bytes: 4, placement: .ram))
        let selecting = selection.layers.count
        if selecting > 0 { symbols.append(Symbol(name: "mct_kept", label: "channels kept per layer", bytes: Self.padded(2 * selecting), placement: .ram)) }
        if selection.algorithm.adaptive && selecting > 0 { symbols.append(Symbol(name: "mct_ymax", label: "largest error per layer so far", bytes: 8 * selecting, placement: .ram)) }
        if query != nil {
            symbols.append(Symbol(name: "mct_gate", label: "label threshold and budget", bytes: 12, placement: .ram))
            symbols.append(Symbol(name: "mct_uncertainty", label: "last uncertainty", bytes: 4, placement: .ram))
        }
        if selection.algorithm.skipsSamples { symbols.append(Symbol(name: "mct_alpha_max", label: "largest output error so far", bytes: 8, placement: .ram)) }
        self.symbols = symbols
    }

    /// Largest first, each at the lowest 4-aligned offset clear of every placed buffer whose
    /// lifetime overlaps its own (the greedy-by-size strategy of TFLite's arena planner).
    private static func place(_ list: [Buffer]) -> ([Buffer], Int) {
        var placed: [Buffer] = []
        let order = list.sorted { ($0.bytes, -$0.firstStep, $1.key) > ($1.bytes, -$1.firstStep, $0.key) }
        for var b in order {
            var offset = 0
            for other in placed.filter({ $0.overlaps(b) }).sorted(by: { $0.offset < $1.offset }) where other.offset < offset + b.bytes {
                offset = max(offset, other.offset + other.bytes)
            }
            b.offset = offset
            placed.append(b)
        }
        let size = placed.map { $0.offset + $0.bytes }.max() ?? 0
        return (list.map { b in placed.first { $0.key == b.key }! }, padded(size))
    }
}
