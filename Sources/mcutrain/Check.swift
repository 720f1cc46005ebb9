import ArgumentParser
import Foundation
import MCUTrain

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hold models against a budget file's per-board limits: exit 0 when all hold, 1 when any is breached, 2 on bad input.",
        discussion: """
            A board with only peak_ram_bytes and flash_bytes limits is checked from the planner and the linked ELF, \
            without training (static RAM + the board's stack reserve). Any other limit trains, through the same cache as compare. \
            With GITHUB_ACTIONS set, each breach is also printed as an ::error annotation.
            """)

    @Option(help: "The budget file (JSON): models, optional training settings, and limits per board.") var budget: String
    @Option(help: "Also write the outcome as JUnit XML to this file.") var junit: String?
    @Option(help: "Training runs at once (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Train even if the cache holds the result.") var noCache = false
    @Option(help: "Where results are cached.") var cacheDir = ".mcutrain/cache"
    @Option(help: "Where the generated C and the firmware ELFs go.") var buildDir = ".mcutrain/check"

    /// Exit statuses a CI step can tell apart.
    static let breached: Int32 = 1, badInput: Int32 = 2

    func run() throws {
        let outcomes: [BudgetCheck.Outcome]
        do {
            _ = try checked(jobs, option: "jobs", in: 1...64)
            let file = try BudgetFile.load(path: budget)
            let check = BudgetCheck(budget: file, cache: noCache ? nil : RunCache(directory: cacheDir), buildRoot: buildDir, jobs: jobs)
            outcomes = try check.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            if let junit {
                do { try JUnitReport.xml(outcomes, budgetFile: budget).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                    throw ConfigError("cannot write \(junit): \(FileProblem.reason(error, path: junit))")
                }
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(Self.badInput)
        }
        let annotate = ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] != nil
        for o in outcomes {
            let status = o.verdict == .passed ? "ok  " : o.verdict.skipped ? "SKIP" : "FAIL"
            print("\(status)  \(o.model) on \(o.board): \(o.message)\(o.basis.isEmpty ? "" : " [\(o.basis)]")")
            if annotate, o.verdict == .breached {
                print("::error file=\(Self.annotationProperty(budget)),title=\(Self.annotationProperty("budget breached: \(o.model) on \(o.board)"))::\(Self.annotationMessage(o.message))")
            }
        }
        let breaches = outcomes.filter { $0.verdict == .breached }.count
        print("budget \(budget): \(outcomes.count) limits checked, \(breaches) breached")
        if breaches > 0 { throw ExitCode(Self.breached) }
    }

    /// GitHub's workflow commands take %, CR and LF escaped in messages, and also : and , in properties.
    static func annotationMessage(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func annotationProperty(_ s: String) -> String {
        annotationMessage(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
