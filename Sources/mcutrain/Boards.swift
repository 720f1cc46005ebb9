import ArgumentParser
import Foundation
import MCUTrain

struct Boards: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the boards in Boards/.")

    func run() throws {
        try reportingErrors {
            let boards = try Board.all()
            let width = boards.map(\.name.count).max() ?? 0
            for board in boards {
                let others = board.regions.filter { $0.kind == .ram && $0 != board.ram }.map { "\($0.size / 1024) KB \($0.name)" }
                let ws = board.flashAccess.waitStates
                print("\(board.name.padding(toLength: max(width, 10), withPad: " ", startingAt: 0))  \(board.core.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))  \(board.clockHz / 1_000_000) MHz  flash \(board.flash.size / 1024) KB (\(ws) wait states)  RAM budget \(grouped(board.ramBudgetBytes)) B (\(board.ram.name))"
                      + (others.isEmpty ? "" : "; not used for data or stack: \(others.joined(separator: " + "))"))
            }
            print("The RAM budget is the RAM region the linker places data and stack in; a training step must fit in it.")
        }
    }
}

struct BoardFiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board-files",
        abstract: "Write a board's linker script and startup code, to link your own programs against.")

    @Argument(help: "Board name in Boards/ or path to a board file.") var board: String
    @Option(help: "Directory to write link.ld and startup.c into.") var out: String

    func run() throws {
        try reportingErrors {
            let written = try Board.resolve(board).writeBuildFiles(to: out)
            print(written.joined(separator: "\n"))
        }
    }
}
