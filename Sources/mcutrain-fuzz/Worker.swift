import Foundation
import MCUTrain

/// The child process of a fuzz run: feeds inputs `first...` of one target to its loader and
/// reports each outcome on a line of its own as soon as it is known, so that when the process
/// traps or hangs the supervisor knows exactly which input did it.
enum Worker {
    /// A hostile model or board must not take the machine down with it: past this, an
    /// allocation fails and the child traps, which the supervisor reports like any other trap.
    static let addressSpaceLimit: rlim_t = 8 << 30

    /// `planted` makes input N trap or hang on purpose ("trap:N", "hang:N"), so the harness's
    /// own tests can show that it catches both.
    static func run(_ target: FuzzTarget, seed: UInt64, first: Int, count: Int, workDirectory: String, planted: [String] = []) throws {
        var limit = rlimit(rlim_cur: addressSpaceLimit, rlim_max: addressSpaceLimit)
        setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        let mutator = Mutator(corpus: try Corpus.read(target, workDirectory: workDirectory), format: target.format)
        let path = workDirectory + "/input-\(target.rawValue).\(target.fileExtension)"
        for number in first..<first + count {
            let bytes = mutator.input(seed: seed, number: number)
            try writeInput(bytes, to: path)
            let started = DispatchTime.now().uptimeNanoseconds
            if planted.contains("trap:\(number)") { fatalError("planted trap at input \(number)") }
            if planted.contains("hang:\(number)") { while true { sleep(60) } }
            let verdict: String
            do {
                try target.exercise(path)
                verdict = "accepted"
            } catch where target.isProperRejection(error, path: path) {
                verdict = "rejected"
            } catch {
                verdict = "wrong " + oneLine("\(type(of: error)): \(error)")
            }
            let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
            report("\(number) \(micros) \(verdict)\n")
        }
    }

    /// Plain stdio: Foundation's file writing is atomic (a temporary file and a rename), which
    /// costs more than many of the loads it would feed.
    private static func writeInput(_ bytes: [UInt8], to path: String) throws {
        guard let file = fopen(path, "wb") else { throw ConfigError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw ConfigError("cannot write \(path)") }
    }

    /// Straight to the file descriptor: nothing may sit in a buffer when the process dies.
    private static func report(_ line: String) {
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    private static func oneLine(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: "\\n")
        return flat.count <= 300 ? flat : flat.prefix(300) + "…"
    }
}

/// The seed files of a run, written once by the supervisor so every worker it starts (and any
/// later reproduction) mutates exactly the same bytes.
enum Corpus {
    static func directory(_ target: FuzzTarget, _ workDirectory: String) -> String { workDirectory + "/corpus-" + target.rawValue }

    static func write(_ target: FuzzTarget, workDirectory: String) throws -> [[UInt8]] {
        let seeds = try target.seeds(workDirectory: workDirectory)
        let directory = directory(target, workDirectory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (i, seed) in seeds.enumerated() {
            try Data(seed).write(to: URL(fileURLWithPath: directory + String(format: "/%03d.", i) + target.fileExtension))
        }
        return seeds
    }

    static func read(_ target: FuzzTarget, workDirectory: String) throws -> [[UInt8]] {
        let directory = directory(target, workDirectory)
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            .map { Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }
}
