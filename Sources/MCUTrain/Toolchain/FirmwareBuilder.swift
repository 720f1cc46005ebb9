import Foundation

/// Writes the generated C beside the board's startup code and linker script, and compiles
/// it all with arm-none-eabi-gcc into one ELF. Warnings are errors: the C is a deliverable.
public struct FirmwareBuilder {
    public static let compiler = "arm-none-eabi-gcc"
    public static let cFlags = ["-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-common",
                                 "-fno-tree-loop-distribute-patterns"]

    public let board: Board
    public let directory: String

    public init(board: Board, directory: String) {
        self.board = board
        self.directory = directory
    }

    /// Writes every source, compiles, and returns the ELF path. `extraSources` are more files
    /// from Firmware/ to link in (the benchmark loop).
    public func build(model: ModelSource, extraSources: [String] = []) throws -> String {
        try model.kernels.check(board)
        return try build(generated: model.files, firmware: ["main.c"] + extraSources,
                         sources: ["main.c", "mct_kernels.c", "mct_model.c"] + extraSources)
    }

    /// Generated files beside startup.c, the linker script and `firmware` (from Firmware/);
    /// compiles startup.c then `sources`, in that link order.
    func build(generated: [String: String], firmware: [String], sources: [String]) throws -> String {
        try SourceWriter(directory: directory).write(generated.merging(["link.ld": LinkerScript.make(for: board)]) { a, _ in a },
                                                     firmware: ["startup.c"] + firmware)
        let elf = directory + "/firmware.elf"
        let args = board.core.gccFlags + Self.cFlags + ["-nostdlib", "-T", directory + "/link.ld", "-o", elf]
            + (["startup.c"] + sources).map { directory + "/" + $0 } + ["-lgcc"]
        try Self.run(Self.compiler, args, what: "compiling the firmware for \(board.name)")
        return elf
    }

    /// Runs a tool; any output on stderr (a warning) or a non-zero exit is an error that quotes it.
    static func run(_ tool: String, _ args: [String], what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + args
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ConfigError("cannot start \(tool) through /usr/bin/env: \(FileProblem.reason(error, path: "/usr/bin/env"))")
        }
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 {
            throw ConfigError("\(tool) not found: install Debian's gcc-arm-none-eabi (see README)")
        }
        if let line = output.split(separator: "\n").first(where: { $0.contains("MCUTRAIN:") }) {
            throw ConfigError("\(what): \(line.components(separatedBy: "MCUTRAIN: ").last ?? String(line))")
        }
        guard process.terminationStatus == 0, output.isEmpty else {
            throw ConfigError("\(what) failed (\(tool) exit \(process.terminationStatus)):\n\(output)")
        }
    }
}
