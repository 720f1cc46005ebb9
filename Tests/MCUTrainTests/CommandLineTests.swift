import Foundation
import XCTest
@testable import MCUTrain

/// The executable: bad input is one line on stderr and a non-zero exit; a run writes its JSON.
final class CommandLineTests: XCTestCase {
    private static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcutrain").path

    private func mcutrain(_ args: [String]) throws -> ToolRun {
        try runTool(Self.binary, args, in: ProjectPaths.root)
    }

    /// `make install`'s layout (the built tool in bin, the resources in share/mcutrain) works from
    /// any directory, and MCUTRAIN_HOME overrides it. A board only the installed copy has shows
    /// which resources were found.
    func testInstalledToolFindsItsResourcesFromAnyDirectory() throws {
        let prefix = temporaryDirectory(self), elsewhere = temporaryDirectory(self)
        try tool("make", ["-s", "install-files", "PREFIX=\(prefix)", "MCUTRAIN=\(Self.binary)"], in: ProjectPaths.root)
        let installed = prefix + "/bin/mcutrain", share = prefix + "/share/mcutrain"
        for folder in ["Boards", "Firmware", "Examples", "Data"] { XCTAssertTrue(FileManager.default.fileExists(atPath: share + "/" + folder), folder) }
        let board = try String(contentsOfFile: share + "/Boards/nrf52840.json", encoding: .utf8)
        _ = writeFile(share + "/Boards", "installed-only.json", board.replacingOccurrences(of: "\"nrf52840\"", with: "\"installed-only\""))

        let boards = try runTool(installed, ["boards"], in: elsewhere)
        XCTAssertEqual(boards.status, 0, boards.stderr)
        XCTAssertTrue(boards.stdout.contains("installed-only"), boards.stdout)
        let files = try runTool(installed, ["board-files", "installed-only", "--out", "b"], in: elsewhere)
        XCTAssertEqual(files.status, 0, files.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere + "/b/startup.c"))
        let bench = try runTool(installed, ["bench", "--steps", "1"], in: elsewhere)
        XCTAssertEqual(bench.status, 0, bench.stderr)
        XCTAssertTrue(bench.stdout.contains("1 training steps of mlp-digits"), bench.stdout)

        let home = temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: home + "/Boards", withIntermediateDirectories: true)
        _ = writeFile(home + "/Boards", "home-only.json", board.replacingOccurrences(of: "\"nrf52840\"", with: "\"home-only\""))
        let fromHome = try runTool("MCUTRAIN_HOME=\(home)", [installed, "boards"], in: elsewhere)
        XCTAssertEqual(fromHome.status, 0, fromHome.stderr)
        XCTAssertEqual(fromHome.stdout.split(separator: "\n").filter { $0.contains(" MHz ") }.map { $0.split(separator: " ")[0] }, ["home-only"])
    }

    func testBadInputsExitNonZeroWithOneLine() throws {
        let dir = temporaryDirectory(self)
        let badModel = writeFile(dir, "bad.json", "{\"name\": 3}")
        let huge = writeFile(dir, "huge.json", mlpJSON([2048, 128, 10], name: "huge"))
        let csv = writeFile(dir, "short.csv", "1,2,3\n4,5\n")
        let plainFile = writeFile(dir, "plain", "")
        let twoFeatures = writeFile(dir, "two.csv", "1.5,2,0\n3,4,1\n")
        let elevenClasses = writeFile(dir, "eleven.csv", (0...10).map { label in Array(repeating: "1", count: 64).joined(separator: ",") + ",\(label)" }.joined(separator: "\n"))
        let cases: [([String], [String])] = [
            (["simulate", "--model", badModel], ["bad.json", "name"]),
            (["simulate", "--board", "atari2600"], ["unknown board 'atari2600'"]),
            (["simulate", "--data", dir + "/none.bin"], ["none.bin", "No such file"]),
            (["simulate", "--data", csv], ["short.csv:2", "expected 3 columns"]),
            (["plan", "--data", twoFeatures, "--build-dir", dir], ["two.csv: samples have 2 features, the model's input 1x1x64 has 64"]),
            (["bench", "--steps", "1", "--data", twoFeatures, "--build-dir", dir], ["two.csv: samples have 2 features"]),
            (["simulate", "--data", elevenClasses, "--build-dir", dir], ["eleven.csv: labels reach class 10, the model has 10 outputs"]),
            (["simulate", "--model", huge, "--build-dir", dir], ["huge.json", "over the 262,144 B of"]),
            (["run", dir + "/none.elf", "--max-cycles", "0"], ["--max-cycles 0 is out of range: use 1...1000000000000"]),
            (["run", dir + "/none.elf", "--max-cycles", "1000000000001"], ["--max-cycles 1000000000001 is out of range"]),
            (["run", dir + "/none.elf"], ["cannot read", "none.elf", "No such file"]),
            (["run", dir + "/none.elf", "--function", "f", "x"], ["argument 'x' is not a 32-bit integer"]),
            (["bench", "--steps=-5"], ["--steps -5 is out of range: use 1...1000000"]),
            (["bench", "--steps", "0"], ["--steps 0 is out of range"]),
            (["board-files", "nrf52840", "--out", plainFile + "/sub"], ["cannot write the board files", plainFile + "/sub: Not a directory"]),
        ]
        for (args, fragments) in cases {
            let r = try mcutrain(args)
            XCTAssertEqual(r.status, 1, "\(args)")
            let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(lines.count, 1, r.stderr)
            for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(r.stderr)' should mention '\(f)'") }
            XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain"), r.stderr)
        }
        let noBoards = try runTool("MCUTRAIN_HOME=\(dir)/nowhere", [Self.binary, "boards"])
        XCTAssertEqual(noBoards.status, 1)
        XCTAssertEqual(noBoards.stderr, "error: cannot list the boards in \(dir)/nowhere/Boards: No such file or directory\n")
    }

    func testSimulateWritesJSONReport() throws {
        let dir = temporaryDirectory(self)
        let r = try mcutrain(["simulate", "--epochs", "1", "--seed", "2", "--build-dir", dir, "--json", dir + "/r.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("peak RAM"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as! [String: Any]
        for key in ["test_accuracy", "float_reference_accuracy", "cycles_per_step_mean", "peak_ram_bytes", "ram_budget_bytes", "flash_bytes"] {
            XCTAssertNotNil(json[key], key)
        }
        XCTAssertEqual(json["ram_budget_bytes"] as? Int, 262_144)
        XCTAssertGreaterThan(json["test_accuracy"] as! Double, 0.8)
    }

    /// pandas exports of float features train as written, well above chance (0.40 and 0.63 for
    /// always guessing the largest class), and the report says how features and labels were read.
    func testPandasShapedFloatCSVsTrainAsWritten() throws {
        let dir = temporaryDirectory(self)
        let sets = [("wine", PandasShapedCSV.wine(), [13, 16, 3], 0.75), ("cancer", PandasShapedCSV.breastCancer(stringLabels: true), [30, 16, 2], 0.9)]
        for (name, csv, sizes, floor) in sets {
            let data = writeFile(dir, name + ".csv", csv.text), model = writeFile(dir, name + ".json", mlpJSON(sizes, name: name))
            let r = try mcutrain(["simulate", "--model", model, "--data", data, "--epochs", "10", "--build-dir", dir, "--json", dir + "/\(name).r.json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("input: float features scaled per column by the training split's min...max"), r.stdout)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/\(name).r.json"))) as! [String: Any]
            let preparation = json["data_preparation"] as! [String: Any]
            XCTAssertEqual(preparation["class_names"] as? [String], name == "cancer" ? ["benign", "malignant"] : nil)
            let accuracy = json["test_accuracy"] as! Double
            XCTAssertGreaterThan(accuracy, floor, name)
        }
    }

    /// Two runs at once whose models share a name once shared a build directory, and one
    /// reported the other's firmware. Each must report its own plan.
    func testConcurrentRunsOfSameNamedModelsAreIndependent() throws {
        let dir = temporaryDirectory(self)
        let models = [32, 8].map { hidden in writeFile(dir, "m\(hidden).json", mlpJSON([64, hidden, 10], name: "same")) }
        let runs = try models.enumerated().map { i, model -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcutrain")
            p.arguments = ["simulate", "--model", model, "--epochs", "1", "--build-dir", dir, "--json", dir + "/r\(i).json"]
            p.currentDirectoryURL = URL(fileURLWithPath: ProjectPaths.root)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in runs { p.waitUntilExit(); XCTAssertEqual(p.terminationStatus, 0) }
        for (i, model) in models.enumerated() {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r\(i).json"))) as! [String: Any]
            let ram = json["ram"] as! [String: Any]
            XCTAssertEqual(ram["static_bytes"] as? Int, MemoryPlan(try quantizedModel(model)).staticRAMBytes, model)
        }
    }

    /// `plan` answers "does it fit?" from the planner and the linked ELF, without training.
    func testPlanWritesJSONAndRefusesWhatDoesNotFit() throws {
        let dir = temporaryDirectory(self)
        let fits = try mcutrain(["plan", "--model", "Examples/cnn-digits.json", "--build-dir", dir, "--json", dir + "/p.json"])
        XCTAssertEqual(fits.status, 0, fits.stderr)
        XCTAssertTrue(fits.stdout.contains("conv1 output"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/p.json"))) as! [String: Any]
        XCTAssertEqual(json["predicted_peak_bytes"] as? Int, 7624)
        XCTAssertEqual(json["arena_bytes"] as? Int, 3688)
        XCTAssertEqual(json["forward_macs"] as? Int, 21_920)
        XCTAssertGreaterThan(json["flash_bytes"] as? Int ?? 0, 6000)
        let over = try mcutrain(["plan", "--model", "Examples/ds-cnn-kws.json", "--board", "stm32f411", "--update", "full", "--data", "synthetic:20", "--build-dir", dir])
        XCTAssertEqual(over.status, 1)
        XCTAssertEqual(over.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count, 1, over.stderr)
        XCTAssertTrue(over.stderr.contains("22,048 B over the 131,072 B"), over.stderr)
    }

    /// The README's three lines: board files, compile with rdimon.specs, run.
    func testRunPrintsProgramOutputAndPassesItsExitCode() throws {
        let dir = temporaryDirectory(self)
        XCTAssertEqual(try mcutrain(["board-files", "stm32f411", "--out", dir + "/board"]).status, 0)
        let src = writeFile(dir, "hello.c", "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"hello, %s\\n\", argc > 1 ? argv[1] : \"board\"); return 3; }\n")
        try tool(FirmwareBuilder.compiler, ["-mcpu=cortex-m4", "-mthumb", "-O2", "--specs=rdimon.specs",
                                            "-T", dir + "/board/link.ld", src, "-o", dir + "/hello.elf"])
        let r = try mcutrain(["run", dir + "/hello.elf", "--board", "stm32f411", "--json", dir + "/run.json"])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(r.stdout, "hello, board\n")
        XCTAssertTrue(r.stderr.contains("exit code 3 on stm32f411"), r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run.json"))) as! [String: Any]
        for key in ["exit_code", "cycles", "instructions", "stdout", "peak_stack_bytes", "static_ram_bytes"] { XCTAssertNotNil(json[key], key) }
        XCTAssertGreaterThan(json["flash_stall_cycles"] as! Int, 0, "3 wait states on the STM32F411")

        let named = try mcutrain(["run", dir + "/hello.elf", "--board", "stm32f411", "--", "-my board"])
        XCTAssertEqual(named.stdout, "hello, -my board\n", named.stderr)

        let intoDirectory = try mcutrain(["run", dir + "/hello.elf", "--board", "stm32f411", "--json", dir])
        XCTAssertEqual(intoDirectory.status, 1)
        XCTAssertTrue(intoDirectory.stderr.hasSuffix("error: cannot write \(dir): Is a directory\n"), intoDirectory.stderr)

        let runaway = try mcutrain(["run", dir + "/hello.elf", "--board", "stm32f411", "--max-cycles", "500"])
        XCTAssertEqual(runaway.status, 1)
        XCTAssertTrue(runaway.stderr.contains("still running after 500 cycles"), runaway.stderr)
    }

    func testBoardsListsEveryBoard() throws {
        let r = try mcutrain(["boards"])
        XCTAssertEqual(r.status, 0)
        for name in ["nrf52840", "stm32f411", "stm32f407", "stm32f746", "stm32f072"] { XCTAssertTrue(r.stdout.contains(name), name) }
        XCTAssertTrue(r.stdout.contains("cortex-m7"))
        XCTAssertTrue(r.stdout.contains("cortex-m0"))
    }
}
