import ArgumentParser
import MCUTrain

@main
struct MCUTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcutrain",
        abstract: "Simulate on-device training of int8 networks on emulated Cortex-M boards.",
        subcommands: [Simulate.self, Plan.self, Compare.self, Algorithms.self, Run.self, Boards.self, BoardFiles.self, Bench.self])
}
