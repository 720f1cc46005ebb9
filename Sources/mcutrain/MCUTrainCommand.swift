import ArgumentParser
import Foundation
import MCUTrain

@main
struct MCUTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcutrain",
        abstract: "Simulate on-device training of int8 networks on emulated Cortex-M boards.",
        subcommands: [Simulate.self, Plan.self, Compare.self, Check.self, Algorithms.self, Run.self, Boards.self, BoardFiles.self, Bench.self])

    /// As ArgumentParser's own, except that `check` reports a mistyped command line with exit
    /// status 2 like any other bad input, so a CI step can tell it from a breached budget (1).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if CommandLine.arguments.dropFirst().first == "check", code != .success, code.rawValue != Check.breached {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(Check.badInput)
            }
            exit(withError: error)
        }
    }
}
