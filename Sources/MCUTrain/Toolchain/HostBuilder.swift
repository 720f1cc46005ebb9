import Foundation

/// Compiles the same generated C natively, with a small stdin/stdout driver
/// (Firmware/host_main.c): the fast path for accuracy runs, and with AddressSanitizer and
/// UndefinedBehaviorSanitizer the check that the kernels never read out of bounds or overflow.
public struct HostBuilder {
    public static let compiler = "cc"
    public static let cFlags = ["-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror"]
    public static let sanitizerFlags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]

    public let directory: String
    public let sanitize: Bool

    public init(directory: String, sanitize: Bool) {
        self.directory = directory
        self.sanitize = sanitize
    }

    /// Writes the sources and returns the executable's path.
    public func build(model: ModelSource) throws -> String {
        try SourceWriter(directory: directory).write(model.files, firmware: ["host_main.c"])
        let exe = directory + "/mct_host"
        let sources = ["host_main.c", "mct_kernels.c", "mct_model.c"].map { directory + "/" + $0 }
        try FirmwareBuilder.run(Self.compiler, Self.cFlags + (sanitize ? Self.sanitizerFlags : []) + ["-o", exe] + sources,
                                what: "compiling the host build")
        return exe
    }
}

/// Puts generated files and shipped firmware sources side by side in a build directory.
struct SourceWriter {
    let directory: String

    func write(_ generated: [String: String], firmware: [String]) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, text) in generated { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
            for name in firmware {
                let source = ProjectPaths.firmware + "/" + name
                guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
                    throw ConfigError("cannot read \(source): the firmware sources ship with the project")
                }
                try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("cannot write generated sources to \(directory): \(FileProblem.reason(error, path: directory))")
        }
    }
}

