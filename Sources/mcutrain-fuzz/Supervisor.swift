import Foundation
import MCUTrain

/// Runs a target's inputs in worker processes and turns what goes wrong into findings: a trap
/// kills the worker (the supervisor learns which input from the last line it got), a hang is an
/// input that reports nothing within the time limit (the worker is killed), and a wrong
/// rejection is one the worker itself reports. Each finding's input is saved to a file, and the
/// next worker carries on after it.
struct Supervisor {
    let seed: UInt64
    let count: Int
    let timeoutSeconds: Double
    let workDirectory: String
    let findingsDirectory: String
    /// Passed to the workers; see `Worker.run`.
    let planted: [String]

    struct Tally {
        var accepted = 0, rejected = 0, traps = 0, hangs = 0, wrong = 0
        var slowestMicros: UInt64 = 0
        var findings: Int { traps + hangs + wrong }
        var done: Int { accepted + rejected + findings }
    }

    func run(_ target: FuzzTarget) throws -> Tally {
        let mutator = Mutator(corpus: try Corpus.write(target, workDirectory: workDirectory), format: target.format)
        var tally = Tally()
        var next = 0
        while next < count {
            let worker = try Spawned(arguments: ["worker", target.rawValue, "--seed", "\(seed)", "--first", "\(next)",
                                                "--count", "\(count - next)", "--work", workDirectory] + planted.flatMap { ["--plant", $0] },
                                     stderrPath: workDirectory + "/worker-stderr.txt")
            var lines = 0
            while let line = try worker.nextLine(timeoutSeconds: timeoutSeconds) {
                lines += 1
                let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                guard parts.count == 3, let number = Int(parts[0]), let micros = UInt64(parts[1]) else {
                    throw ConfigError("worker for \(target.rawValue) printed '\(line)'")
                }
                tally.slowestMicros = max(tally.slowestMicros, micros)
                switch parts[2] {
                case "accepted": tally.accepted += 1
                case "rejected": tally.rejected += 1
                default:
                    tally.wrong += 1
                    try record(target, "wrong rejection", parts[2].dropFirst("wrong ".count), number, mutator)
                }
                next = number + 1
            }
            guard next < count else { worker.finish(); break }
            if worker.timedOut {
                worker.kill()
                tally.hangs += 1
                try record(target, "hang", "no result within \(timeoutSeconds) s", next, mutator)
            } else {
                let status = worker.finish()
                if lines == 0 && !worker.wasSignalled { throw ConfigError("the \(target.rawValue) worker failed at input \(next): \(worker.firstErrorLine())") }
                tally.traps += 1
                try record(target, "trap", "\(status); \(worker.firstErrorLine())", next, mutator)
            }
            next += 1
        }
        return tally
    }

    private func record(_ target: FuzzTarget, _ kind: String, _ detail: some StringProtocol, _ number: Int, _ mutator: Mutator) throws {
        try FileManager.default.createDirectory(atPath: findingsDirectory, withIntermediateDirectories: true)
        let file = "\(findingsDirectory)/\(target.rawValue)-seed\(seed)-\(number).\(target.fileExtension)"
        try Data(mutator.input(seed: seed, number: number)).write(to: URL(fileURLWithPath: file))
        print("FINDING \(kind): \(target.rawValue) input \(number) of seed \(seed), saved as \(file): \(detail)")
    }
}

/// A worker process of this same executable, its results read line by line with a time limit.
final class Spawned {
    private let process = Process()
    private let output = Pipe()
    private let stderrPath: String
    private var buffer: [UInt8] = []
    private var ended = false
    private(set) var timedOut = false

    init(arguments: [String], stderrPath: String) throws {
        self.stderrPath = stderrPath
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = arguments
        // A trap needs only its first line here; the saved input replays with a full backtrace.
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// The next complete line, or nil at the end of output or when none arrives in time.
    func nextLine(timeoutSeconds: Double) throws -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            guard !ended else { return nil }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { timedOut = true; return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000) + 1)
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { ended = true } else { buffer += chunk[..<count] }
        }
    }

    var wasSignalled: Bool { process.terminationReason == .uncaughtSignal }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// How the worker ended.
    @discardableResult
    func finish() -> String {
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }

    /// What the runtime said as it trapped ("Fatal error: Index out of range"), for the report.
    func firstErrorLine() -> String {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n")
        return String(lines.first { $0.contains("Fatal error") || $0.contains("error:") } ?? lines.first ?? "no output")
    }
}
