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
        let good = Self.nrf52840
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

    private static let nrf52840 = try! String(contentsOfFile: ProjectPaths.boards + "/nrf52840.json", encoding: .utf8)

    /// Each case edits the shipped nRF52840 file once and must be refused with these fragments.
    private func assertBoardRefused(_ edits: [(String, String, [String])], file: StaticString = #filePath, line: UInt = #line) {
        let dir = temporaryDirectory(self)
        for (i, (old, new, fragments)) in edits.enumerated() {
            XCTAssertTrue(Self.nrf52840.contains(old), "edit \(i) must apply", file: file, line: line)
            let path = writeFile(dir, "board\(i).json", Self.nrf52840.replacingOccurrences(of: old, with: new))
            assertError(try Board.load(path: path), mentions: ["board\(i).json"] + fragments, file: file, line: line)
        }
    }

    func testBoardKeysMustBeKnownAndUnique() {
        assertBoardRefused([
            ("\"stack_bytes\"", "\"stack_bytez\"", ["field 'stack_bytez': unknown field", "stack_bytes"]),
            ("\"size\": 262144", "\"size\": 262144, \"sizee\": 1", ["field 'memory[1].sizee': unknown field"]),
            ("\"prefetch\": false", "\"prefetch\": false, \"prefetsh\": true", ["field 'flash_access.prefetsh': unknown field"]),
            ("\"clock_hz\": 64000000,", "\"clock_hz\": 64000000, \"clock_hz\": 1,", ["field 'clock_hz' appears twice"]),
            ("\"size\": 262144", "\"size\": 262144, \"s\\u0069ze\": 1", ["field 'memory[1].size' appears twice"]),
            ("\"core\": \"cortex-m4\",", "\"core\": \"cortex-m4\",,", ["not valid JSON at line 4, column 23"]),
        ])
    }

    func testBoardNumbersOutOfRangeAreNamed() {
        assertBoardRefused([
            ("64000000", "9223372036854775808", ["field 'clock_hz': out of range (0...4294967295)"]),
            ("64000000", "1e308", ["field 'clock_hz': out of range"]),
            ("64000000", "1e400", ["field 'clock_hz': out of range"]),
            ("\"stack_bytes\": 8192", "\"stack_bytes\": 0.5", ["field 'stack_bytes': must be an integer"]),
            ("\"size\": 262144", "\"size\": -1024", ["field 'memory[1].size': out of range"]),
            ("\"wait_states\": 0", "\"wait_states\": 1.5", ["field 'flash_access.wait_states': must be an integer"]),
        ])
    }

    /// ARMv7-M's system address map: code in 0x00000000-0x1FFFFFFF, nothing at or above 0xE0000000,
    /// no RAM in Device regions, no region over 512 MiB, no overlaps.
    func testBoardMemoryMapFollowsTheArchitecture() {
        assertBoardRefused([
            ("\"0x20000000\"", "\"0xE0000000\"", ["memory[1]", "system space at 0xE0000000"]),
            ("\"0x20000000\"", "\"0xFFFFF000\"", ["memory[1]", "system space"]),
            ("\"size\": 262144", "\"size\": 3221225472", ["memory[1].size", "out of range, at most 536870912"]),
            ("\"0x00000000\"", "\"0x60000000\"", ["memory[0]", "flash must lie in the Code region"]),
            ("\"0x20000000\"", "\"0x40000000\"", ["memory[1]", "Peripheral region"]),
            ("\"0x20000000\"", "\"0xA0000000\"", ["memory[1]", "External device region"]),
            ("\"0x20000000\"", "\"0x000FFC00\"", ["memory[1]", "overlaps memory[0]"]),
        ])
    }

    func testBoardNamesAreConservativeIdentifiers() throws {
        let huge = String(repeating: "a", count: 10_000_000)
        assertBoardRefused([
            ("\"name\": \"nrf52840\"", "\"name\": \"../../x\"", ["field 'name' '../../x' is not a valid name"]),
            ("\"name\": \"nrf52840\"", "\"name\": \"*/ ASSERT(0, \\\"x\\\") /*\"", ["field 'name'", "not a valid name"]),
            ("\"name\": \"nrf52840\"", "\"name\": \"\"", ["field 'name' '' is not a valid name"]),
            ("\"name\": \"nrf52840\"", "\"name\": \"a\\nb\"", ["field 'name' 'a\\nb'"]),
            ("\"name\": \"ram\"", "\"name\": \"r a m\"", ["field 'memory[1].name'", "not a valid name"]),
            ("\"name\": \"nrf52840\"", "\"name\": \"\(huge)\"", ["'\(String(repeating: "a", count: 60))'... (9999940 more bytes)"]),
        ])
        for name in ["nrf52840", "stm32f407", "a", "A.b_c-9", String(repeating: "x", count: 64)] {
            XCTAssertNoThrow(try Identifier.validate(name, field: "name"), name)
        }
        for name in ["-a", ".a", "a..b", "a/b", "é", String(repeating: "x", count: 65)] {
            assertError(try Identifier.validate(name, field: "name"), mentions: ["field 'name'", "not a valid name"])
        }
        assertError(try Board.resolve("../Boards/nrf52840"), mentions: ["unknown board '../Boards/nrf52840'"])
        assertError(try Board.resolve(huge), mentions: ["unknown board", "(9999940 more bytes)"])
    }

    /// One budget: the RAM region the linker uses, not RAM plus a CCM it never places data in.
    func testRAMBudgetIsTheLinkersRAMRegion() throws {
        let f407 = try Board.resolve("stm32f407")
        XCTAssertEqual(f407.ramBudgetBytes, 131_072)
        XCTAssertEqual(f407.ram.name, "sram")
        XCTAssertTrue(LinkerScript.make(for: f407).contains("LENGTH = 131072"))
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
            (mlp.replacingOccurrences(of: "\"learning_rate_shift\"", with: "\"learning_rate_shfit\""), ["training.learning_rate_shfit", "unknown field"]),
            (mlp.replacingOccurrences(of: "\"units\": 32,", with: "\"units\": 32, \"input\": \"nowhere\","), ["layers[0].input", "no tensor 'nowhere'"]),
            (mlp.replacingOccurrences(of: "\"name\": \"test-mlp\"", with: "\"name\": \"*/ #error x /*\""), ["field 'name'", "is not a valid name"]),
            (mlpJSON([64, 10]).replacingOccurrences(of: "\"units\": 10", with: "\"units\": 1"), ["softmax needs at least 2"]),
            (mlp.replacingOccurrences(of: "\"units\": 32,", with: "\"units\": 32, \"output_frac_bits\": -9223372036854775808,"), ["layers[0].output_frac_bits", "-8...15"]),
            (mlp.replacingOccurrences(of: "\"units\": 32,", with: "\"units\": 32, \"weight_frac_bits\": 9,"), ["layers[0].weight_frac_bits", "0...7"]),
            (mlp.replacingOccurrences(of: "\"training\"", with: "\"sparse_update\": {\"layers\": {\"ghost\": \"bias\"}}, \"training\""), ["sparse_update.layers", "ghost"]),
        ]
        for (i, (text, fragments)) in cases.enumerated() {
            let path = writeFile(dir, "model\(i).json", text)
            assertError(try ModelSpec.load(path: path), mentions: ["model\(i).json"] + fragments)
        }
        assertError(try ModelSpec.load(path: dir + "/missing.json"), mentions: ["cannot read \(dir)/missing.json: No such file or directory"])
        assertError(try ModelSpec.load(path: dir), mentions: ["cannot read \(dir): Is a directory"])
    }

    /// Found by `make fuzz`: keys, escapes and values echoed from the file once broke the
    /// one-line error (a key holding "\n", a backslash before a line break, an unknown padding).
    func testMessagesEchoingTheFileStayOneLine() {
        let dir = temporaryDirectory(self)
        let mlp = mlpJSON([64, 32, 10])
        let cases: [(String, String)] = [
            (mlp.replacingOccurrences(of: "learning_rate_shift", with: "learn\\ning_rate_shift"),
             "field 'training.learn\\ning_rate_shift': unknown field (known: learning_rate_shift)"),
            (mlp.replacingOccurrences(of: "\"test-mlp\"", with: "\"test\\\n-mlp\""), "invalid escape '\\\\n'"),
            (mlp.replacingOccurrences(of: "\"units\": 32,", with: "\"units\": 32, \"padding\": \"sa\\nme\","),
             "field 'layers[0].padding': Cannot initialize Padding from invalid String value sa\\nme"),
            (mlp.replacingOccurrences(of: "learning_rate_shift", with: String(repeating: "k", count: 5000)),
             "field 'training.\(String(repeating: "k", count: 60))…': unknown field"),
        ]
        for (i, (text, fragment)) in cases.enumerated() {
            let path = writeFile(dir, "echo\(i).json", text)
            assertError(try ModelSpec.load(path: path), mentions: [path + ": ", fragment])
        }
    }

    /// Found by the fuzzer's first probe: `plan` spent minutes and gigabytes drawing 4 billion
    /// weights for a mistyped model before its memory plan could refuse it.
    func testModelsBeyondAnyMicrocontrollerAreRefusedBeforeCalibration() {
        let dir = temporaryDirectory(self)
        func model(_ shape: String, _ layers: String) -> String {
            #"{"name": "big", "input": {"shape": \#(shape)}, "layers": [\#(layers), {"op": "dense", "units": 2}], "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 6}}"#
        }
        let cases = [
            (model("[256, 4096, 1]", #"{"op": "flatten"}, {"op": "dense", "units": 4096}"#),
             "field 'layers[1]': the layers up to here hold 4,294,971,392 parameters; at most 4,194,304"),
            (model("[1024, 1024, 1]", #"{"op": "conv2d", "filters": 8, "kernel": 3, "padding": "same"}"#),
             "field 'layers[0]': its 1024x1024x8 output holds 8,388,608 values; at most 4,194,304"),
            (model("[512, 512, 4]", #"{"op": "conv2d", "filters": 8, "kernel": 15, "stride": 2, "padding": "same"}"#),
             "field 'layers[0]': the forward pass up to here takes 465,003,008 MACs; at most 134,217,728"),
        ]
        for (i, (text, message)) in cases.enumerated() {
            let path = writeFile(dir, "big\(i).json", text)
            assertError(try ModelSpec.load(path: path), mentions: [path + ": " + message])
        }
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
