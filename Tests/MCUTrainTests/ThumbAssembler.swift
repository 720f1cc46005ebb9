import Foundation
import MCUTrain
import XCTest

/// Block-timing helpers shared by the core-model tests.
extension XCTestCase {
    func timing(_ body: String, before: String = "", after: String = "", on model: CoreTimingModel? = nil,
                fetchHalfword: ((UInt32) -> UInt16?)? = nil) throws -> BlockTiming {
        let block = try ThumbAssembler.block(body, before: before, after: after)
        let core = try model ?? CortexM4Timing(fetchHalfword: fetchHalfword)
        return try core.time(block: block.code, at: block.address)
    }

    func expect(_ timing: BlockTiming, _ instructions: UInt32, _ cycles: UInt32,
                fall: UInt32, jump: UInt32, divides: [DivideSite] = [], wordAccesses: [WordAccessSite] = [],
                prediction: BranchPrediction = .none, mispredict: UInt32 = 0,
                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(timing, BlockTiming(instructions: instructions, cycles: cycles, fallCycles: fall,
                                           jumpCycles: jump, divides: divides, wordAccesses: wordAccesses,
                                           prediction: prediction, mispredictCycles: mispredict), file: file, line: line)
    }
}

/// Assembles Thumb snippets with arm-none-eabi-as into the bytes of one block.
enum ThumbAssembler {
    /// Assembles `before`, then `body` between the labels `block_start` and `block_end`, then
    /// `after`, in one section starting at 0, and returns the bytes of `body` with their
    /// address, so branches may reach code around the block.
    static func block(_ body: String, before: String = "", after: String = "") throws
        -> (code: [UInt8], address: UInt32) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("CycleModelTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let source = """
            .syntax unified
            .thumb
            .text
            \(before)
            block_start:
            \(body)
            block_end:
            \(after)

            """
        try source.write(to: directory.appendingPathComponent("block.s"), atomically: true, encoding: .utf8)
        try tool("arm-none-eabi-as", ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-o", "block.o", "block.s"], in: directory.path)
        try tool("arm-none-eabi-objcopy", ["-O", "binary", "block.o", "block.bin"], in: directory.path)
        let symbols = try tool("arm-none-eabi-nm", ["block.o"], in: directory.path)
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("block.bin")))
        let start = try address(of: "block_start", in: symbols)
        let end = try address(of: "block_end", in: symbols)
        return (Array(bytes[Int(start)..<Int(end)]), start)
    }

    private static func address(of label: String, in nmOutput: String) throws -> UInt32 {
        for line in nmOutput.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[2] == label, let value = UInt32(fields[0], radix: 16) {
                return value
            }
        }
        throw ConfigError("no symbol \(label) in: \(nmOutput)")
    }
}
