import ArgumentParser
import Foundation
import MCUTrain

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run any Cortex-M ELF on an emulated board and report cycles, instructions and RAM.",
        discussion: """
            The program's output (semihosting, ITM port 0) goes to stdout as it runs, the measurements to stderr; \
            mcutrain exits with the program's exit code. Arguments after the ELF reach main's argv through \
            semihosting (put them after `--` if they start with a dash); with --function they are its integer arguments.
            """)

    @Argument(help: "The ELF file.") var elf: String
    @Option(help: "Board name in Boards/ or path to a board file.") var board = "nrf52840"
    @Option(help: "Call this function instead of starting at the entry point.") var function: String?
    @Argument(help: "The program's arguments (argv[1]...), or integer arguments for --function (at most 4).") var arguments: [String] = []
    @Option(help: "Stop with an error after this many cycles (1...\(Self.maxCyclesCeiling)).") var maxCycles: UInt64 = 10_000_000_000
    @Flag(help: "Let the program open host files through semihosting.") var semihostingFiles = false
    @Option(help: "Also write the report as JSON to this file (program output in it is capped at \(RunReport.capturedOutputBytes) B per stream).") var json: String?

    /// 10^12 cycles: hours of emulation, far past any program meant to finish, yet still a limit.
    static let maxCyclesCeiling: UInt64 = 1_000_000_000_000

    func run() throws {
        var status: Int32 = 0
        try reportingErrors {
            let boardSpec = try Board.resolve(board)
            var options = ProgramRunner.Options()
            options.function = function
            if function != nil {
                options.arguments = try arguments.map(Self.integer)
            } else {
                options.commandLine = try SemihostingCommandLine.join([elf] + arguments)
            }
            options.maxCycles = try checked(maxCycles, option: "max-cycles", in: 1...Self.maxCyclesCeiling)
            options.allowHostFiles = semihostingFiles
            let runner = ProgramRunner(board: boardSpec, elfPath: elf)
            let report = try runner.run(options) { isError, bytes in
                (isError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(bytes))
            }
            FileHandle.standardError.write(Data((report.summary + "\n").utf8))
            if let json { try writeJSON(report, to: json) }
            status = report.exitCode
        }
        if status != 0 { throw ExitCode(status) }
    }

    static func integer(_ text: String) throws -> UInt32 {
        let lower = text.lowercased()
        if lower.hasPrefix("0x"), let v = UInt32(lower.dropFirst(2), radix: 16) { return v }
        if let v = UInt32(text) { return v }
        if let v = Int32(text) { return UInt32(bitPattern: v) }
        throw ConfigError("argument '\(text)' is not a 32-bit integer")
    }
}
