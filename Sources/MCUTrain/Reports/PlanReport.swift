/// What `mcutrain plan` prints and writes: the layers with their numeric choices, every
/// arena buffer with its offset and live steps, the static symbols, and the predicted peak.
public struct PlanReport: Encodable, Sendable {
    public struct Layer: Encodable, Sendable {
        let name: String, op: String, input: String, output: String, update: String
        let forwardMACs: Int, weightBytes: Int, weightsIn: String
        let inputFracBits: [Int], weightFracBits: [Int], outputFracBits: Int, scale: String
    }
    public struct Buffer: Encodable, Sendable {
        let label: String, offset: Int, bytes: Int, firstStep: Int, lastStep: Int
    }
    public struct Symbol: Encodable, Sendable {
        let name: String, label: String, bytes: Int, placement: String
    }

    let model: String, board: String, update: String, kernels: String
    public let predictedPeakBytes: Int
    public let arenaBytes: Int
    let liveAtPeakBytes: Int
    let peakStep: String
    let stackReserveBytes: Int
    public let ramBudgetBytes: Int
    public let fits: Bool
    /// Measured from the linked ELF; nil when the model does not fit and nothing was linked.
    public let flashBytes: Int?
    let flashParameterBytes: Int
    let forwardMACs: Int
    let inputFracBits: Int
    let layers: [Layer]
    let steps: [String]
    let buffers: [Buffer]
    let symbols: [Symbol]

    public init(source: ModelSource, board: Board, flashBytes: Int?) {
        let m = source.model, plan = source.memory, g = m.graph
        model = m.spec.name; self.board = board.name; update = g.scheme.rawValue; kernels = source.kernels.rawValue
        predictedPeakBytes = plan.staticRAMBytes
        arenaBytes = plan.arenaBytes
        let peak = plan.peak
        liveAtPeakBytes = peak.buffers.reduce(0) { $0 + $1.bytes }
        peakStep = plan.stepNames[peak.step]
        stackReserveBytes = Int(board.stackBytes)
        ramBudgetBytes = board.ramBudgetBytes
        fits = plan.staticRAMBytes + Int(board.stackBytes) <= board.ramBudgetBytes
        self.flashBytes = flashBytes
        flashParameterBytes = plan.flashParameterBytes
        forwardMACs = g.forwardMACs
        inputFracBits = m.inputFrac
        layers = g.nodes.map { n in
            let w = plan.symbols.first { $0.name == "mct_l\(n.index)_w" }
            let num = m.numerics[n.index]
            return Layer(name: n.name, op: n.op, input: n.inputs.map { g.shapes[$0].description }.joined(separator: " + "),
                         output: n.kind.output.description, update: n.update.description, forwardMACs: n.kind.forwardMACs,
                         weightBytes: w?.bytes ?? 0, weightsIn: w?.placement.rawValue ?? "-", inputFracBits: num.inputFrac,
                         weightFracBits: Array(Set(num.weightFrac)).sorted(), outputFracBits: num.outputFrac, scale: m.scaleSources[n.index])
        }
        steps = plan.stepNames
        buffers = plan.buffers.sorted { ($0.offset, $0.firstStep) < ($1.offset, $1.firstStep) }
            .map { Buffer(label: $0.label, offset: $0.offset, bytes: $0.bytes, firstStep: $0.firstStep, lastStep: $0.lastStep) }
        symbols = plan.symbols.map { Symbol(name: $0.name, label: $0.label, bytes: $0.bytes, placement: $0.placement.rawValue) }
    }

    enum CodingKeys: String, CodingKey {
        case model, board, update, fits, layers, steps, buffers, symbols
        case predictedPeakBytes = "predicted_peak_bytes", arenaBytes = "arena_bytes", liveAtPeakBytes = "live_at_peak_bytes"
        case peakStep = "peak_step", stackReserveBytes = "stack_reserve_bytes", ramBudgetBytes = "ram_budget_bytes"
        case flashBytes = "flash_bytes", flashParameterBytes = "flash_parameter_bytes", forwardMACs = "forward_macs"
        case inputFracBits = "input_frac_bits"
    }

    public func render() -> String {
        var layerTable = TextTable(headers: ["layer", "op", "input", "output", "update", "MACs", "weights", "frac bits in/w/out", "scale"])
        for l in layers {
            let w = l.weightBytes == 0 ? "-" : "\(grouped(l.weightBytes)) B \(l.weightsIn)"
            let fw = l.weightFracBits.isEmpty ? "-" : l.weightFracBits.map(String.init).joined(separator: ",")
            layerTable.rows.append([l.name, l.op, l.input, l.output, l.update, grouped(l.forwardMACs), w,
                                    "\(l.inputFracBits.map(String.init).joined(separator: ","))/\(fw)/\(l.outputFracBits)", l.scale])
        }
        var bufferTable = TextTable(headers: ["arena buffer", "offset", "bytes", "live (steps)"])
        for b in buffers {
            bufferTable.rows.append([b.label, grouped(b.offset), grouped(b.bytes), "\(b.firstStep)-\(b.lastStep) \(steps[b.firstStep]) .. \(steps[b.lastStep])"])
        }
        var symbolTable = TextTable(headers: ["symbol", "what", "bytes", "in"])
        for s in symbols { symbolTable.rows.append([s.name, s.label, grouped(s.bytes), s.placement]) }
        let need = predictedPeakBytes + stackReserveBytes
        return """
        \(model) on \(board), \(update) update, \(kernels) kernels: \(grouped(forwardMACs)) MACs forward, input \(inputFracBits) fractional bits

        \(layerTable.render())

        \(bufferTable.render())

        \(symbolTable.render())

        predicted peak RAM  \(grouped(predictedPeakBytes)) B static (arena \(grouped(arenaBytes)) B, \(grouped(liveAtPeakBytes)) B live at the peak step '\(peakStep)') + \(grouped(stackReserveBytes)) B stack reserve = \(grouped(need)) B of \(grouped(ramBudgetBytes)) B: \(fits ? "fits, \(grouped(ramBudgetBytes - need)) B free" : "\(grouped(need - ramBudgetBytes)) B over")
        flash               \(flashBytes.map { "\(grouped($0)) B (linked)" } ?? "not linked") of which frozen parameters \(grouped(flashParameterBytes)) B
        """
    }
}
