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
    public let stdout: String
    public let stderr: String
    public let peakStackBytes: Int
    public let staticRAMBytes: Int
    public let flashBytes: Int
    public let wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case program, board, function, cycles, instructions, stdout, stderr
        case clockHz = "clock_hz", exitCode = "exit_code", returnValue = "return_value"
        case flashStallCycles = "flash_stall_cycles", timeMs = "time_ms", peakStackBytes = "peak_stack_bytes"
        case staticRAMBytes = "static_ram_bytes", flashBytes = "flash_bytes", wallSeconds = "wall_seconds"
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
