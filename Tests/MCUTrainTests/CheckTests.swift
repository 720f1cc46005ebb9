import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import MCUTrain

/// `check --budget`: exit 0, 1 or 2; breaches named with limit, value and gap; JUnit XML;
/// GitHub annotations; RAM and flash limits without training.
final class CheckTests: XCTestCase {
    private static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcutrain").path

    private func check(_ args: [String], environment: [String] = []) throws -> ToolRun {
        try runTool("/usr/bin/env", environment + [Self.binary, "check"] + args, in: ProjectPaths.root)
    }

    func testTightBudgetFailsWithJUnitAndAnnotationsAndRAMOnlyChecksDoNotTrain() throws {
        let dir = temporaryDirectory(self)
        let budget = writeFile(dir, "tight-budget.json", """
        {"models": ["\(ProjectPaths.examples)/mlp-digits.json"], "training": {"epochs": 1, "data": "synthetic:40"},
         "boards": [{"board": "nrf52840", "cycles_per_step": 1000, "min_accuracy_percent": 0},
                    {"board": "stm32f072", "peak_ram_bytes": 1000, "flash_bytes": 1000000}]}
        """)
        let run = try check(["--budget", budget, "--junit", dir + "/junit.xml", "--no-cache", "--build-dir", dir], environment: ["GITHUB_ACTIONS=true"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stdout.contains("FAIL  mlp-digits on stm32f072: peak_ram_bytes 4,912 B > limit 1,000 B: over by 3,912 B (391.2%) [static 2,864 B (ELF) + stack reserve 2,048 B, no training run]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("ok    mlp-digits on stm32f072: flash_bytes"), run.stdout)
        XCTAssertTrue(run.stdout.contains("FAIL  mlp-digits on nrf52840: cycles_per_step"), run.stdout)
        XCTAssertTrue(run.stdout.contains("ok    mlp-digits on nrf52840: min_accuracy_percent"), run.stdout)
        XCTAssertTrue(run.stdout.contains("4 limits checked, 2 breached"), run.stdout)
        let annotations = run.stdout.split(separator: "\n").filter { $0.hasPrefix("::error file=") }
        XCTAssertEqual(annotations.count, 2, run.stdout)
        XCTAssertTrue(annotations[0].contains("title=budget breached%3A mlp-digits on nrf52840::cycles_per_step"), String(annotations[0]))

        let xml = try Data(contentsOf: URL(fileURLWithPath: dir + "/junit.xml"))
        let counter = JUnitCounter()
        let parser = XMLParser(data: xml)
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "JUnit XML parses")
        XCTAssertEqual(counter.testcases, 4)
        XCTAssertEqual(counter.failures, 2)
        XCTAssertEqual(counter.rootAttributes["failures"], "2")

        let ramOnly = writeFile(dir, "ram-budget.json", """
        {"models": ["\(ProjectPaths.examples)/mlp-digits.json"], "boards": [{"board": "nrf52840", "peak_ram_bytes": 65536, "flash_bytes": 65536}]}
        """)
        let quick = try check(["--budget", ramOnly, "--no-cache", "--build-dir", dir])
        XCTAssertEqual(quick.status, 0, quick.stderr)
        XCTAssertFalse(quick.stderr.contains("training"), "RAM and flash limits need no training run: \(quick.stderr)")
        XCTAssertTrue(quick.stdout.contains("2 limits checked, 0 breached"), quick.stdout)
    }

    func testTheSampleBudgetPasses() throws {
        let dir = temporaryDirectory(self)
        let run = try check(["--budget", "Examples/mlp-digits-budget.json", "--no-cache", "--build-dir", dir])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("9 limits checked, 0 breached"), run.stdout)
    }

    func testBadInputExitsTwoWithOneLine() throws {
        let dir = temporaryDirectory(self)
        let mlp = ProjectPaths.examples + "/mlp-digits.json"
        let cases: [(String, [String])] = [
            ("{\"models\": [\"\(mlp)\"], \"boards\": [{\"board\": \"nrf52840\", \"peak_ram\": 1}]}", ["boards[0].peak_ram", "unknown field"]),
            ("{\"models\": [\"\(mlp)\"], \"boards\": [{\"board\": \"nrf52840\"}]}", ["boards[0]' sets no limit"]),
            ("{\"models\": [\"\(mlp)\"], \"boards\": [{\"board\": \"nrf52840\", \"flash_bytes\": -1}]}", ["boards[0].flash_bytes"]),
            ("{\"models\": [\"none.json\"], \"boards\": [{\"board\": \"nrf52840\", \"flash_bytes\": 1}]}", ["none.json"]),
            ("{\"models\": [\"\(mlp)\"], \"training\": {\"epochs\": 1, \"data\": \"synthetic:40\"}, \"boards\": [{\"board\": \"stm32f072\", \"energy_per_step_uj\": 1}]}",
             ["energy_per_step_uj", "stm32f072", "active_current"]),
        ]
        for (i, (text, fragments)) in cases.enumerated() {
            let file = writeFile(dir, "budget\(i).json", text)
            let run = try check(["--budget", file, "--no-cache", "--build-dir", dir])
            XCTAssertEqual(run.status, 2, text)
            XCTAssertEqual(run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count, 1, run.stderr)
            for f in fragments { XCTAssertTrue(run.stderr.contains(f), "\(run.stderr) should mention \(f)") }
        }
        XCTAssertEqual(try check([]).status, 2, "a missing --budget is bad input too")
        XCTAssertEqual(try check(["--budget", dir + "/absent.json"]).status, 2)
    }
}

private final class JUnitCounter: NSObject, XMLParserDelegate {
    var testcases = 0, failures = 0
    var rootAttributes: [String: String] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        if name == "testsuites" { rootAttributes = attributes }
        if name == "testcase" { testcases += 1 }
        if name == "failure" { failures += 1 }
    }
}
