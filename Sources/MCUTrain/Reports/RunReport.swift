/// What `mcutrain run` measured for one program.
public struct RunReport: Codable, Sendable {
    public let program: String
    public let board: String
    public let clockHz: UInt32
    public let function: String?
    public let exitCode: Int32
    public let returnValue: UInt32?
    public let cycles: UInt64
    public let instructions: UInt64
    /// Part of `cycles`: instruction fetches waiting on flash wait states.
    public let flashStallCycles: UInt64
    public let timeMs: Double
    /// The program's output, at most `capturedOutputBytes` of each stream (see `outputNote`).
    public let stdout: String
    public let stderr: String
    /// Bytes the program wrote to each stream, including any the report does not keep.
    public let stdoutBytes: Int
    public let stderrBytes: Int
    /// Says which stream was cut short, when one was.
    public let outputNote: String?
    public let peakStackBytes: Int
    public let staticRAMBytes: Int
    public let flashBytes: Int
    public let wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case program, board, function, cycles, instructions, stdout, stderr
        case stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes", outputNote = "output_note"
        case clockHz = "clock_hz", exitCode = "exit_code", returnValue = "return_value"
        case flashStallCycles = "flash_stall_cycles", timeMs = "time_ms", peakStackBytes = "peak_stack_bytes"
        case staticRAMBytes = "static_ram_bytes", flashBytes = "flash_bytes", wallSeconds = "wall_seconds"
    }

    /// 64 KiB per stream: enough to read, small enough that endless output cannot fill memory.
    public static let capturedOutputBytes = 65_536

    init(program: String, board: String, clockHz: UInt32, function: String?, exitCode: Int32, returnValue: UInt32?,
         cycles: UInt64, instructions: UInt64, flashStallCycles: UInt64, timeMs: Double,
         stdout: CapturedOutput, stderr: CapturedOutput,
         peakStackBytes: Int, staticRAMBytes: Int, flashBytes: Int, wallSeconds: Double) {
        self.program = program; self.board = board; self.clockHz = clockHz; self.function = function
        self.exitCode = exitCode; self.returnValue = returnValue; self.cycles = cycles; self.instructions = instructions
        self.flashStallCycles = flashStallCycles; self.timeMs = timeMs
        self.stdout = stdout.text; self.stderr = stderr.text
        stdoutBytes = stdout.totalBytes; stderrBytes = stderr.totalBytes
        let cut = [("stdout", stdout), ("stderr", stderr)].filter { $0.1.isTruncated }
            .map { "\($0.0) truncated to its first \($0.1.bytes.count) of \($0.1.totalBytes) bytes" }
        outputNote = cut.isEmpty ? nil : cut.joined(separator: "; ")
        self.peakStackBytes = peakStackBytes; self.staticRAMBytes = staticRAMBytes; self.flashBytes = flashBytes
        self.wallSeconds = wallSeconds
    }

    public var summary: String {
        let result = function.map { "\($0) returned \(returnValue.map { String(Int32(bitPattern: $0)) } ?? "?")" } ?? "exit code \(exitCode)"
        let cpi = instructions == 0 ? 0 : Double(cycles) / Double(instructions)
        return """
        \(result) on \(board) (\(format(Double(clockHz) / 1e6, 0)) MHz)
          cycles        \(grouped(Int(cycles))) (\(grouped(Int(flashStallCycles))) waiting on flash)
          instructions  \(grouped(Int(instructions))) (\(format(cpi, 2)) cycles per instruction)
          time          \(format(timeMs, 3)) ms at the board clock
          peak stack    \(grouped(peakStackBytes)) B
          static RAM    \(grouped(staticRAMBytes)) B
          flash         \(grouped(flashBytes)) B
        """
    }
}
