import Foundation
import MCUTrain

/// Fuzzes the four loaders a user's files reach (model, board, CSV, ELF) with mutated copies of
/// valid files, each loop in worker processes so a trap is a finding rather than the end of
/// the run, and measures the CSV loader's memory on a large file.
let usage = """
    usage: mcutrain-fuzz [--count N] [--seed S] [--timeout SECONDS] [--findings DIR] [--plant trap:N|hang:N] [model|board|csv|elf ...]
           mcutrain-fuzz replay TARGET FILE        run one saved input in this process
           mcutrain-fuzz make-csv FILE BYTES        write a pandas-style float CSV of about BYTES bytes
           mcutrain-fuzz load-csv FILE              load and split a CSV, print the peak RSS
    """

/// Every value of a repeatable option.
func options(_ arguments: inout [String], _ name: String) -> [String] {
    var values: [String] = []
    while let value = option(&arguments, name) { values.append(value) }
    return values
}

func option(_ arguments: inout [String], _ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}

func target(_ name: String) throws -> FuzzTarget {
    guard let target = FuzzTarget(rawValue: name) else { throw ConfigError("unknown target '\(name)': use model, board, csv or elf") }
    return target
}

func main() throws -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    switch arguments.first {
    case "worker":
        let work = option(&arguments, "--work"), seed = option(&arguments, "--seed").flatMap { UInt64($0) }
        let first = option(&arguments, "--first").flatMap { Int($0) }, count = option(&arguments, "--count").flatMap { Int($0) }
        let planted = options(&arguments, "--plant")
        guard arguments.count == 2, let work, let seed, let first, let count else { throw ConfigError(usage) }
        try Worker.run(try target(arguments[1]), seed: seed, first: first, count: count, workDirectory: work, planted: planted)
        return 0
    case "replay":
        guard arguments.count == 3 else { throw ConfigError(usage) }
        try target(arguments[1]).exercise(arguments[2])
        print("accepted")
        return 0
    case "make-csv":
        guard arguments.count == 3, let bytes = Int(arguments[2]) else { throw ConfigError(usage) }
        try CSVMemoryProbe.write(arguments[1], bytes: bytes)
        return 0
    case "load-csv":
        guard arguments.count == 2 else { throw ConfigError(usage) }
        try CSVMemoryProbe.load(arguments[1])
        return 0
    default:
        let count = try option(&arguments, "--count").map { guard let n = Int($0), n > 0 else { throw ConfigError(usage) }; return n } ?? 1000
        let seed = try option(&arguments, "--seed").map { text -> UInt64 in guard let n = UInt64(text) else { throw ConfigError(usage) }; return n } ?? 1
        let timeout = try option(&arguments, "--timeout").map { guard let t = Double($0), t > 0 else { throw ConfigError(usage) }; return t } ?? 10
        let findings = option(&arguments, "--findings") ?? "fuzz-findings"
        let planted = options(&arguments, "--plant")
        let targets = try arguments.isEmpty ? FuzzTarget.allCases : arguments.map(target)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mcutrain-fuzz-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let supervisor = Supervisor(seed: seed, count: count, timeoutSeconds: timeout, workDirectory: work, findingsDirectory: findings, planted: planted)
        var clean = true
        for target in targets {
            let started = Date()
            let t = try supervisor.run(target)
            let name = target.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
            print("\(name) \(t.done) inputs: \(t.rejected) rejected, \(t.accepted) accepted, \(t.traps) traps, \(t.hangs) hangs, "
                  + "\(t.wrong) wrong rejections; slowest " + String(format: "%.1f ms; %.1f s", Double(t.slowestMicros) / 1000, Date().timeIntervalSince(started)))
            clean = clean && t.findings == 0
        }
        return clean ? 0 : 1
    }
}

// Findings and summaries reach a log as they happen, not when a long run ends.
setvbuf(stdout, nil, _IOLBF, 0)
do {
    exit(try main())
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
