import Foundation

/// The generated training firmware running in an emulated board: builds it, loads it, and
/// calls `mct_init`, `mct_train_step` and `mct_predict`, measuring each call.
public final class TrainingDevice {
    public let board: Board
    public let source: ModelSource
    public let elf: ELFFile
    public let machine: Machine
    private let stack: StackMeter
    private let inputAddress: UInt32
    private let pTrueAddress: UInt32
    private let logitsAddress: UInt32
    private let macsAddress: UInt32
    private let trainedAddress: UInt32
    private let keptAddress: UInt32?
    private let uncertaintyAddress: UInt32?
    /// Generous: a step of the largest model that fits 256 KB takes well under this.
    public static let maxCyclesPerCall: UInt64 = 2_000_000_000

    public struct Measurement: Sendable, Equatable {
        public let cycles: UInt64
        public let instructions: UInt64
        public let stackBytes: Int
    }

    public struct StepResult: Sendable, Equatable {
        public let prediction: Int
        public let pTrue: Int32
        public let effort: Effort
        public let measurement: Measurement
        /// Cross-entropy of the device's Q15 probability for the true class.
        public var loss: Double { Self.loss(pTrue: pTrue) }
        static func loss(pTrue: Int32) -> Double { -log(Double(max(pTrue, 1)) / 32768.0) }
    }

    /// Refuses a model whose memory plan plus the stack reserve exceeds the board's RAM before
    /// compiling anything, then builds and loads the firmware.
    public init(board: Board, source: ModelSource, modelFile: String, buildDirectory: String) throws {
        self.board = board
        self.source = source
        try MemoryBudget.check(source.memory, board: board, model: modelFile)
        let elfPath = try FirmwareBuilder(board: board, directory: buildDirectory).build(model: source)
        elf = try ELFFile(path: elfPath)
        let machine = try Machine(board: board, timing: try board.core.timingModel())
        try machine.load(elf)
        self.machine = machine
        stack = StackMeter(limit: try machine.address(of: "__StackLimit"), top: try machine.address(of: "__StackTop"))
        let arena = try machine.address(of: "mct_arena")
        inputAddress = arena + UInt32(source.inputOffset)
        logitsAddress = arena + UInt32(source.logitsOffset)
        pTrueAddress = try machine.address(of: "mct_p_true")
        macsAddress = try machine.address(of: "mct_backward_macs")
        trainedAddress = try machine.address(of: "mct_trained")
        keptAddress = source.selection.layers.isEmpty ? nil : try machine.address(of: "mct_kept")
        uncertaintyAddress = source.query == nil ? nil : try machine.address(of: "mct_uncertainty")
    }

    private func measured(_ function: String, _ args: [UInt32] = []) throws -> (UInt32, Measurement) {
        try stack.prepare(machine)
        let r = try machine.call(function, args, stackTop: stack.top, maxCycles: Self.maxCyclesPerCall)
        return (r.value, Measurement(cycles: r.cycles, instructions: r.instructions, stackBytes: try stack.used(machine)))
    }

    @discardableResult
    public func initialize(seed: UInt32) throws -> Measurement { try measured("mct_init", [seed]).1 }

    public func setInput(_ input: [Int8]) throws {
        precondition(input.count == source.graph.inputShape.count)
        try machine.write(input.map { UInt8(bitPattern: $0) }, at: inputAddress)
    }

    public func trainStep(_ input: [Int8], label: Int) throws -> StepResult {
        try setInput(input)
        return try trainingCall("mct_train_step", label: label)
    }

    /// Active learning: whether the device wants this sample's label, and its uncertainty (Q15).
    public func query(_ input: [Int8]) throws -> (wants: Bool, uncertainty: Int32, measurement: Measurement) {
        try setInput(input)
        guard let uncertaintyAddress else { throw EmulatorError("\(elf.path): built without active learning (no mct_query)") }
        let (wants, m) = try measured("mct_query")
        return (wants != 0, try readInt32(uncertaintyAddress, 1)[0], m)
    }

    /// Trains on the sample the last `query` scored.
    public func trainQueried(label: Int) throws -> StepResult {
        try trainingCall("mct_train_queried", label: label)
    }

    /// A call that trains on `label`, with what the step left behind: p(true) and the effort counts.
    private func trainingCall(_ function: String, label: Int) throws -> StepResult {
        let (prediction, m) = try measured(function, [UInt32(label)])
        let pTrue = try readInt32(pTrueAddress, 1)[0]
        return StepResult(prediction: Int(Int32(bitPattern: prediction)), pTrue: pTrue, effort: try effort(), measurement: m)
    }

    public func predict(_ input: [Int8]) throws -> (prediction: Int, measurement: Measurement) {
        try setInput(input)
        let (prediction, m) = try measured("mct_predict")
        return (Int(Int32(bitPattern: prediction)), m)
    }

    // MARK: reading the memory plan back

    /// The step's counters, as the firmware left them.
    private func effort() throws -> Effort {
        let trained = try readInt32(trainedAddress, 1)[0] != 0
        let count = source.selection.layers.count
        let kept = try keptAddress.map { a in try machine.read(2 * count, at: a) } ?? []
        return Effort(backwardMACs: Int(UInt32(bitPattern: try readInt32(macsAddress, 1)[0])), trained: trained,
                      kept: trained ? (0..<count).map { Int(kept[2 * $0]) | Int(kept[2 * $0 + 1]) << 8 } : Array(repeating: 0, count: count))
    }

    public func logits() throws -> [Int32] { try readInt32(logitsAddress, source.graph.classCount) }

    /// Layer l's parameters as the firmware holds them now.
    public func parameters(layer l: Int) throws -> IntegerParameters {
        let p = source.graph.nodes[l].kind.parameters!
        return IntegerParameters(weights: try machine.read(p.weightCount, at: machine.address(of: "mct_l\(l)_w")).map { Int8(bitPattern: $0) },
                                 bias: try readInt32(machine.address(of: "mct_l\(l)_b"), p.channels))
    }

    private func readInt32(_ address: UInt32, _ count: Int) throws -> [Int32] {
        let bytes = try machine.read(count * 4, at: address)
        return (0..<count).map { i in
            Int32(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
        }
    }
}
