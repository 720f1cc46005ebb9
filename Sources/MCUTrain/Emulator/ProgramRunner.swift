import Foundation

/// Runs any Cortex-M ELF on a board: from its entry point to semihosting exit, or one
/// function with integer arguments to its return, counting cycles and stack as it goes.
public struct ProgramRunner {
    public struct Options: Sendable {
        public var function: String?
        public var arguments: [UInt32] = []
        public var maxCycles: UInt64 = 10_000_000_000
        public var allowHostFiles = false
        /// What SYS_GET_CMDLINE answers; see `SemihostingCommandLine` to build it from arguments.
        public var commandLine: String = ""
        /// Bytes of each output stream the report keeps (everything still goes to `output`).
        public var capturedOutputBytes = RunReport.capturedOutputBytes
        public init() {}
    }

    public let board: Board
    public let elfPath: String

    public init(board: Board, elfPath: String) {
        self.board = board
        self.elfPath = elfPath
    }

    /// `output` receives the program's stdout and stderr (semihosting and ITM port 0) as it runs.
    public func run(_ options: Options, output: @escaping (_ isError: Bool, _ bytes: [UInt8]) -> Void = { _, _ in }) throws -> RunReport {
        let elf = try ELFFile(path: elfPath)
        let machine = try Machine(board: board, timing: try board.core.timingModel())
        try machine.load(elf)
        let ram = board.ram
        let top = elf.symbol(named: "__StackTop")?.address ?? UInt32(ram.end - 8)
        let limit = elf.symbol(named: "__StackLimit")?.address ?? top - board.stackBytes
        let heapBase = (elf.symbol(named: "end") ?? elf.symbol(named: "__bss_end__"))?.address ?? ram.origin
        let host = Semihosting(configuration: .init(
            allowHostFiles: options.allowHostFiles, commandLine: options.commandLine,
            heapBase: heapBase, heapLimit: limit, stackBase: top, stackLimit: limit))
        var stdout = CapturedOutput(limit: options.capturedOutputBytes), stderr = stdout
        let capture = { (isError: Bool, bytes: [UInt8]) in
            if isError { stderr.append(bytes) } else { stdout.append(bytes) }
            output(isError, bytes)
        }
        host.onOutput = capture
        machine.semihosting = host
        machine.debug.onITM = { capture(false, $0) }
        let stack = StackMeter(limit: limit, top: top)
        try stack.prepare(machine)

        let what = options.function ?? "program"
        let started = Date()
        let end: Machine.End
        if let function = options.function {
            guard options.arguments.count <= 4 else { throw ConfigError("--function takes at most 4 integer arguments") }
            for (i, value) in options.arguments.enumerated() { try machine.setArgument(i, value) }
            end = try machine.execute(from: try machine.address(of: function), stackTop: top, what: what, maxCycles: options.maxCycles)
        } else {
            end = try machine.execute(from: elf.entry & ~1, stackTop: top, what: what, maxCycles: options.maxCycles)
        }
        let wall = Date().timeIntervalSince(started)
        let exitCode: Int32, returnValue: UInt32?
        switch end {
        case .exited(let code): (exitCode, returnValue) = (code, nil)
        case .returned(let r0):
            guard options.function != nil else {
                throw EmulatorError("\(elfPath): returned from the entry point \(locate(elf.entry & ~1, in: elf)) with r0 = \(r0) instead of exiting through semihosting (is the ELF's entry _start?)")
            }
            (exitCode, returnValue) = (0, r0)
        }
        return RunReport(
            program: elfPath, board: board.name, clockHz: board.clockHz, function: options.function,
            exitCode: exitCode, returnValue: returnValue, cycles: machine.cycles, instructions: machine.instructions,
            flashStallCycles: machine.flashStallCycles,
            timeMs: Double(machine.cycles) / Double(board.clockHz) * 1000,
            stdout: stdout, stderr: stderr,
            peakStackBytes: try stack.used(machine), staticRAMBytes: elf.staticRAMBytes(on: board),
            flashBytes: elf.flashBytes, wallSeconds: wall)
    }
}
