import Foundation

/// The generated training step compiled for this machine (HostBuilder) and driven through a
/// pipe: bit-identical to the emulated firmware, hundreds of times faster, and with no cycle
/// or RAM figures of its own.
public final class HostDevice {
    public let source: ModelSource
    private let process = Process()
    private let input = Pipe(), output = Pipe()

    public init(source: ModelSource, buildDirectory: String, sanitize: Bool) throws {
        self.source = source
        let exe = try HostBuilder(directory: buildDirectory, sanitize: sanitize).build(model: source)
        process.executableURL = URL(fileURLWithPath: exe)
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { throw ConfigError("cannot start the host build \(exe): \(FileProblem.reason(error, path: exe))") }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    public func initialize(seed: UInt32) throws {
        try send([UInt8(ascii: "i")] + Self.bytes(seed))
        _ = try receive(1)
    }

    public func trainStep(_ sample: [Int8], label: Int) throws -> (prediction: Int, pTrue: Int32, effort: Effort, logits: [Int32]) {
        try send([UInt8(ascii: "t")] + Self.bytes(UInt32(bitPattern: Int32(label))) + sample.map { UInt8(bitPattern: $0) })
        let selecting = source.selection.layers.count
        let words = try receive(4 * (4 + selecting + source.graph.classCount))
        let effort = Effort(backwardMACs: Int(UInt32(bitPattern: words[2])), trained: words[3] != 0, kept: words[4..<4 + selecting].map(Int.init))
        return (Int(words[0]), words[1], effort, Array(words[(4 + selecting)...]))
    }

    public func predict(_ sample: [Int8]) throws -> Int {
        try send([UInt8(ascii: "p")] + sample.map { UInt8(bitPattern: $0) })
        return Int(try receive(4 * (1 + source.graph.classCount))[0])
    }

    private static func bytes(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    private func send(_ bytes: [UInt8]) throws {
        do { try input.fileHandleForWriting.write(contentsOf: Data(bytes)) } catch { throw failure() }
    }

    /// Reads exactly `count` bytes as little-endian int32 words (one byte for the ack).
    private func receive(_ count: Int) throws -> [Int32] {
        var data = Data()
        while data.count < count {
            guard let chunk = try? output.fileHandleForReading.read(upToCount: count - data.count), !chunk.isEmpty else { throw failure() }
            data.append(chunk)
        }
        let b = [UInt8](data)
        return stride(from: 0, to: count - 3, by: 4).map { i in Int32(bitPattern: UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24) }
    }

    private func failure() -> Error {
        process.waitUntilExit()
        return EmulatorError("the host build of \(source.model.spec.name) stopped (exit \(process.terminationStatus)): a sanitizer report is on stderr")
    }
}
