/// Bounds that stop a mistyped or hostile model file from costing gigabytes or hours before the
/// memory plan can refuse it: calibration draws every weight and runs the float forward pass on
/// up to 256 samples, so a 4096×256 input into 1024 filters would allocate 4 GB first. Each bound
/// is far beyond any Cortex-M (the largest board here has 320 KB of RAM and 1 MB of flash).
extension Graph {
    static let maxTensorValues = 1 << 22
    static let maxParameters = 1 << 22
    static let maxForwardMACs = 1 << 27

    /// Running totals over the layers read so far.
    struct Size {
        var parameters = 0
        var forwardMACs = 0

        mutating func add(_ kind: any LayerKind, field: String) throws {
            guard kind.output.count <= Graph.maxTensorValues else {
                throw ConfigError("field '\(field)': its \(kind.output) output holds \(grouped(kind.output.count)) values; at most \(grouped(Graph.maxTensorValues)) (4 MiB of int8, far beyond a microcontroller's RAM)")
            }
            parameters += kind.parameters.map { $0.weightCount + $0.channels } ?? 0
            guard parameters <= Graph.maxParameters else {
                throw ConfigError("field '\(field)': the layers up to here hold \(grouped(parameters)) parameters; at most \(grouped(Graph.maxParameters)) (4 MiB of int8, beyond a microcontroller's flash)")
            }
            forwardMACs += kind.forwardMACs
            guard forwardMACs <= Graph.maxForwardMACs else {
                throw ConfigError("field '\(field)': the forward pass up to here takes \(grouped(forwardMACs)) MACs; at most \(grouped(Graph.maxForwardMACs)) (over half a second per pass even at 216 MHz)")
            }
        }
    }
}
