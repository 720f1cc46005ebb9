import Foundation

/// Finished runs on disk, keyed by what decides their figures: the generated firmware (every
/// source the compiler sees, the compiler's version and flags), the board file, the data, the
/// options, and this executable (its cycle model). An unchanged rerun reads the result back.
public struct RunCache: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The key of a run of `source` on `board` with `data` (a file path, or `synthetic...`) and
    /// the options that shape training, spelt out by the caller.
    public func key(source: ModelSource, board: Board, data: String, options: String) throws -> String {
        var hash = SHA256()
        func field(_ name: String, _ text: String) { hash.update("\(name) \(text.utf8.count)\n"); hash.update(text) }
        for (name, text) in source.files.sorted(by: { $0.key < $1.key }) { field(name, text) }
        field("link.ld", LinkerScript.make(for: board))
        for name in ["startup.c", "main.c"] { field(name, try Self.text(ProjectPaths.firmware + "/" + name)) }
        field("compiler", try Self.compilerVersion() + (board.core.gccFlags + FirmwareBuilder.cFlags).joined(separator: " "))
        field("board", try Self.canonical(board))
        field("data", data.hasPrefix("synthetic") ? data : try Self.digest(file: data))
        field("options", options)
        field("tool", Self.executableStamp)
        return hash.finish()
    }

    public func load<T: Decodable>(_ type: T.Type, key: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Written to a temporary file and renamed, so a concurrent reader never sees half a result.
    public func store<T: Encodable>(_ value: T, key: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = path(key) + ".\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString).tmp"
            try JSONEncoder().encode(value).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path(key)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw ConfigError("cannot write the result cache in \(directory): \(FileProblem.reason(error, path: directory))")
        }
    }

    private func path(_ key: String) -> String { directory + "/" + key + ".json" }

    private static func text(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigError("cannot read \(path)") }
        return text
    }

    /// The board as the tool read it, whatever the file's layout.
    private static func canonical(_ board: Board) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(board), as: UTF8.self)
    }

    private static func digest(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConfigError("cannot read \(path)") }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty { hash.update(chunk) }
        return hash.finish()
    }

    /// Size and modification time of the running executable: a rebuilt tool (say, a changed
    /// cycle model) never reads results of the old one.
    static let executableStamp: String = {
        let path = Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(path) \(size) \(modified)"
    }()

    private static let compilerOutput: Result<String, Error> = Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [FirmwareBuilder.compiler, "--version"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ConfigError("\(FirmwareBuilder.compiler) --version failed: install Debian's gcc-arm-none-eabi (see README)") }
        return String(text.prefix { $0 != "\n" })
    }

    private static func compilerVersion() throws -> String { try compilerOutput.get() }
}
