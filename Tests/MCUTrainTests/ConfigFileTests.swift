import XCTest
@testable import MCUTrain

/// Malformed board and model files get one line naming the file and the field.
final class ConfigFileTests: XCTestCase {
    func testShippedBoardHas256KBOfRAM() throws {
        let board = try Board.resolve("nrf52840")
        XCTAssertEqual(board.ramBudgetBytes, 262_144)
        XCTAssertEqual(board.ram.origin, 0x2000_0000)
        XCTAssertEqual(board.flash.size, 1 << 20)
        XCTAssertEqual(board.clockHz, 64_000_000)
    }

    func testBoardErrorsNameFileAndField() {
        let dir = temporaryDirectory(self)
        let good = try! String(contentsOfFile: ProjectPaths.boards + "/nrf52840.json", encoding: .utf8)
        let cases: [(String, [String])] = [
            (good.replacingOccurrences(of: "\"clock_hz\": 64000000,", with: ""), ["missing field 'clock_hz'"]),
            (good.replacingOccurrences(of: "\"0x20000000\"", with: "\"0xZZ\""), ["memory[1].origin", "not a 32-bit address"]),
            (good.replacingOccurrences(of: "\"kind\": \"ram\"", with: "\"kind\": \"flash\""), ["no ram region"]),
            (good.replacingOccurrences(of: "\"0x20000000\"", with: "\"0x00080000\""), ["memory[1]", "overlaps memory[0]"]),
            (good.replacingOccurrences(of: "\"stack_bytes\": 8192", with: "\"stack_bytes\": 3"), ["stack_bytes"]),
            ("{ not json", ["not valid JSON"]),
        ]
        for (i, (text, fragments)) in cases.enumerated() {
            let path = writeFile(dir, "board\(i).json", text)
            assertError(try Board.load(path: path), mentions: ["board\(i).json"] + fragments)
        }
        assertError(try Board.resolve("no-such-board"), mentions: ["unknown board 'no-such-board'", "nrf52840"])
    }

    func testModelErrorsNameFileAndField() {
        let dir = temporaryDirectory(self)
        let mlp = mlpJSON([64, 32, 10])
        let cases: [(String, [String])] = [
            (mlp.replacingOccurrences(of: "\"units\": 32", with: "\"units\": 0"), ["layers[0].units"]),
            (mlp.replacingOccurrences(of: "\"units\": 10}", with: "\"units\": 10, \"activation\": \"relu\"}"), ["last layer must be dense with no activation"]),
            (mlp.replacingOccurrences(of: "\"op\": \"dense\"", with: "\"op\": \"conv\""), ["layers[0].op", "unknown op 'conv'"]),
            (mlp.replacingOccurrences(of: "\"learning_rate_shift\": 6", with: "\"learning_rate_shift\": 40"), ["training.learning_rate_shift"]),
            (mlp.replacingOccurrences(of: "\"shape\": [64]", with: "\"shape\": \"big\""), ["input.shape"]),
            (mlp.replacingOccurrences(of: "\"learning_rate_shift\"", with: "\"learning_rate_shfit\""), ["unknown field 'training.learning_rate_shfit'"]),
            (mlp.replacingOccurrences(of: "\"units\": 32,", with: "\"units\": 32, \"input\": \"nowhere\","), ["layers[0].input", "no tensor 'nowhere'"]),
            (mlp.replacingOccurrences(of: "\"name\": \"test-mlp\"", with: "\"name\": \"*/ #error x /*\""), ["field 'name'", "letters, digits"]),
            (mlpJSON([64, 10]).replacingOccurrences(of: "\"units\": 10", with: "\"units\": 1"), ["softmax needs at least 2"]),
            (mlp.replacingOccurrences(of: "\"training\"", with: "\"sparse_update\": {\"layers\": {\"ghost\": \"bias\"}}, \"training\""), ["sparse_update.layers", "ghost"]),
        ]
        for (i, (text, fragments)) in cases.enumerated() {
            let path = writeFile(dir, "model\(i).json", text)
            assertError(try ModelSpec.load(path: path), mentions: ["model\(i).json"] + fragments)
        }
        assertError(try ModelSpec.load(path: dir + "/missing.json"), mentions: ["missing.json", "no such file"])
    }

    func testModelTooLargeForRAMIsRefusedBeforeBuilding() throws {
        let dir = temporaryDirectory(self)
        let path = writeFile(dir, "huge.json", mlpJSON([1024, 256, 10], name: "huge"))
        let board = try Board.resolve("nrf52840")
        assertError(try TrainingDevice(board: board, source: ModelSource(try quantizedModel(path)), modelFile: path, buildDirectory: dir + "/build"),
                    mentions: ["huge.json", "B of RAM", "over the 262,144 B of", "Boards/nrf52840.json", "live at the peak"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/build/firmware.elf"))
    }

    func testMemoryPlanMatchesTheLinkedFirmware() throws {
        let device = try trainingDevice(self, ProjectPaths.examples + "/mlp-digits.json")
        for symbol in device.source.memory.symbols {
            XCTAssertEqual(device.elf.symbol(named: symbol.name).map { Int($0.size) }, symbol.bytes, symbol.name)
        }
        // 64·32 + 32·10 weights, (32 + 10)·4 bias bytes.
        XCTAssertEqual(device.source.memory.ramParameterBytes, 2368 + 168)
        XCTAssertEqual(device.elf.staticRAMBytes(on: device.board), device.source.memory.staticRAMBytes)
    }
}
