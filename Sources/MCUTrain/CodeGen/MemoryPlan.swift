/// Every buffer a training step touches, sized when the C is generated: the static memory
/// plan. Nothing is allocated at run time, so static RAM plus stack is the whole footprint.
public struct MemoryPlan: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case parameters, activations, errors, scratch, io
    }

    public struct Buffer: Sendable, Equatable {
        public let symbol: String
        public let cType: String
        public let count: Int
        public let role: Role
        public var bytes: Int { count * Self.size(of: cType) }

        static func size(of cType: String) -> Int {
            switch cType {
            case "int8_t": return 1
            case "int32_t", "uint32_t", "mct_rng_t": return 4
            default: preconditionFailure("unplanned C type \(cType)")
            }
        }
    }

    public let buffers: [Buffer]

    public init(_ plan: FixedPointPlan) {
        var b: [Buffer] = [Buffer(symbol: "mct_input", cType: "int8_t", count: plan.inputSize, role: .io)]
        for (l, layer) in plan.layers.enumerated() {
            b.append(Buffer(symbol: "mct_l\(l)_weight", cType: "int8_t", count: layer.inputs * layer.units, role: .parameters))
            b.append(Buffer(symbol: "mct_l\(l)_bias", cType: "int32_t", count: layer.units, role: .parameters))
            if layer.relu { b.append(Buffer(symbol: "mct_l\(l)_out", cType: "int8_t", count: layer.units, role: .activations)) }
            b.append(Buffer(symbol: "mct_l\(l)_err", cType: "int8_t", count: layer.units, role: .errors))
        }
        b.append(Buffer(symbol: "mct_logits", cType: "int32_t", count: plan.layers.last!.units, role: .activations))
        // One int32 scratch serves every hidden accumulator and every backward pass.
        let scratch = plan.layers.enumerated().map { l, layer in max(layer.relu ? layer.units : 0, l > 0 ? layer.inputs : 0) }.max()!
        b.append(Buffer(symbol: "mct_scratch", cType: "int32_t", count: max(1, scratch), role: .scratch))
        b.append(Buffer(symbol: "mct_p_true", cType: "int32_t", count: 1, role: .io))
        b.append(Buffer(symbol: "mct_rng", cType: "mct_rng_t", count: 1, role: .io))
        buffers = b
    }

    public var totalBytes: Int { buffers.reduce(0) { $0 + $1.bytes } }

    public func bytes(for role: Role) -> Int { buffers.filter { $0.role == role }.reduce(0) { $0 + $1.bytes } }

    public func buffer(_ symbol: String) -> Buffer? { buffers.first { $0.symbol == symbol } }
}
