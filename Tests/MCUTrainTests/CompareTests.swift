import Foundation
import XCTest
@testable import MCUTrain

/// `compare`: shards merge into exactly the unsharded results, reruns come from the cache, the
/// report holds its charts; and the summary's Pareto front and recommendation.
final class CompareTests: XCTestCase {
    private static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcutrain").path
    private static let axes = ["--board", "nrf52840", "--board", "stm32f411", "--kernels", "portable", "--kernels", "dsp",
                               "--algorithm", "full", "--algorithm", "meprop:ratio=0.5",
                               "--epochs", "1", "--data", "synthetic:60"]

    private func compare(_ args: [String], in dir: String) throws -> ToolRun {
        let run = try runTool(Self.binary, ["compare", "--build-dir", dir + "/build", "--cache-dir", dir + "/cache"] + args, in: ProjectPaths.root)
        XCTAssertEqual(run.status, 0, run.stderr)
        return run
    }

    func testShardsMergeIntoTheUnshardedResultsAndTheReportHoldsItsCharts() throws {
        let dir = temporaryDirectory(self)
        _ = try compare(Self.axes + ["--no-cache", "--out", dir + "/all"], in: dir)
        for i in 1...3 { _ = try compare(Self.axes + ["--no-cache", "--shard", "\(i)/3", "--out", dir + "/s\(i)"], in: dir) }
        let shard = try JSONDecoder().decode(Comparison.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/s2/results.json")))
        XCTAssertEqual(shard.cells.map(\.index), [1, 4, 7], "shard 2 of 3 takes every third cell from cell 1")
        _ = try compare(["--merge"] + (1...3).map { dir + "/s\($0)/results.json" } + ["--out", dir + "/merged"], in: dir)
        for file in ["results.json", "results.csv", "report.md", "report.html"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/all/" + file)),
                           try Data(contentsOf: URL(fileURLWithPath: dir + "/merged/" + file)), file)
        }
        let html = try String(contentsOfFile: dir + "/all/report.html", encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 2 + 1 + 2 * 2, "a Pareto chart per board, one learning chart, RAM and flash per board")
        XCTAssertTrue(html.contains("class=\"front\""), "the Pareto front is drawn")
        XCTAssertFalse(html.contains("src=") || html.contains("href="), "self-contained: nothing fetched")
        let csv = try String(contentsOfFile: dir + "/all/results.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 9)
        let all = try JSONDecoder().decode(Comparison.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/all/results.json")))
        for (p, d) in zip(all.cells.filter { $0.kernels == .portable }, all.cells.filter { $0.kernels == .dsp }) {
            XCTAssertEqual(p.testAccuracyByEpoch, d.testAccuracyByEpoch, "the variants train bit-identically")
            XCTAssertLessThan(d.cyclesPerStepMean, p.cyclesPerStepMean, "dsp kernels are cheaper on \(p.board)")
        }
        XCTAssertTrue(csv[2].contains("\"meprop:ratio=0.5\"") == false && csv[2].contains("meprop:ratio=0.5"), String(csv[2]))

        let missing = try runTool(Self.binary, ["compare", "--merge", dir + "/s1/results.json", dir + "/s2/results.json", "--out", dir + "/m2"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cell 2 (") && missing.stderr.contains("a shard is missing"), missing.stderr)
        let m0 = try runTool(Self.binary, ["compare", "--board", "stm32f072", "--kernels", "dsp", "--epochs", "1", "--data", "synthetic:40",
                                           "--no-cache", "--build-dir", dir + "/build", "--out", dir + "/m0"])
        XCTAssertEqual(m0.status, 1)
        XCTAssertTrue(m0.stderr.contains("cell 0 (") && m0.stderr.contains("DSP extension"), m0.stderr)
        let twice = try runTool(Self.binary, ["compare", "--merge", dir + "/s1/results.json", dir + "/s1/results.json", "--out", dir + "/m3"])
        XCTAssertTrue(twice.stderr.contains("cell 0 is also in"), twice.stderr)
    }

    func testAnUnchangedRerunComesFromTheCacheAndAChangedBoardDoesNot() throws {
        let dir = temporaryDirectory(self)
        let args = ["--algorithm", "full", "--epochs", "1", "--data", "synthetic:40"]
        let first = try compare(args + ["--out", dir + "/a"], in: dir)
        XCTAssertFalse(first.stderr.contains("(cached)"), first.stderr)
        let second = try compare(args + ["--out", dir + "/b"], in: dir)
        XCTAssertTrue(second.stderr.contains("(cached)"), second.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/results.json")), try Data(contentsOf: URL(fileURLWithPath: dir + "/b/results.json")))
        let forced = try compare(args + ["--no-cache", "--out", dir + "/c"], in: dir)
        XCTAssertFalse(forced.stderr.contains("(cached)"), forced.stderr)

        let board = try String(contentsOfFile: ProjectPaths.boards + "/nrf52840.json", encoding: .utf8)
        let slower = writeFile(dir, "slow.json", board.replacingOccurrences(of: "\"clock_hz\": 64000000", with: "\"clock_hz\": 32000000"))
        let changed = try compare(args + ["--board", slower, "--out", dir + "/d"], in: dir)
        XCTAssertFalse(changed.stderr.contains("(cached)"), changed.stderr)
    }

    /// A cell whose figures are given: accuracy, cycles per step and peak RAM.
    private func cell(_ index: Int, _ algorithm: String, accuracy: Double, cycles: Double, peak: Int, board: String = "b") throws -> ComparisonCell {
        let json = """
        {"index": \(index), "model": "m", "board": "\(board)", "kernels": "portable", "algorithm": "\(algorithm)", "seed": 1, "core": "cortex-m4", "clock_hz": 64000000,
         "test_accuracy": \(accuracy), "float_reference_accuracy": 0.9, "cycles_per_step_mean": \(cycles), "cycles_per_step_max": 1, "ms_per_step": 1,
         "cycles_per_inference_mean": 1, "backward_macs_total": 1, "backward_macs_full_total": 2,
         "ram": {"parameters": 1, "arena": 1, "state": 1, "other": 0, "static_bytes": 3, "predicted_static_bytes": 3, "stack_peak_bytes": 0, "peak_bytes": \(peak)},
         "ram_budget_bytes": 1000, "flash_bytes": 10, "flash_budget_bytes": 100, "test_accuracy_by_epoch": [\(accuracy)], "float_accuracy_by_epoch": [0.9]}
        """
        return try JSONDecoder().decode(ComparisonCell.self, from: Data(json.utf8))
    }

    func testParetoFrontAndTheVariantToShip() throws {
        let matrix = try ComparisonMatrix(models: ["m"], boards: ["b"], algorithms: ["full"], seeds: [1], epochs: 1, data: nil)
        let cells = [try cell(0, "a", accuracy: 0.95, cycles: 100, peak: 500),   // front
                     try cell(1, "b", accuracy: 0.945, cycles: 60, peak: 500),   // front, within a point of the best: ship
                     try cell(2, "c", accuracy: 0.90, cycles: 80, peak: 500),    // beaten by b on both
                     try cell(3, "d", accuracy: 0.99, cycles: 40, peak: 2000),   // best on both, but over the RAM budget
                     try cell(4, "e", accuracy: 0.80, cycles: 30, peak: 500)]    // front: the cheapest that fits
        let group = ComparisonSummary(Comparison(matrix: matrix, shard: nil, cells: cells)).groups[0]
        XCTAssertEqual(group.paretoFront.map { group.variants[$0].algorithm }, ["e", "b", "a"], "d does not fit; c is beaten by b")
        XCTAssertEqual(group.recommended?.algorithm, "b", "within 1 point of a and cheaper")
        let tooBig = try cell(0, "a", accuracy: 0.95, cycles: 100, peak: 5000)
        let none = ComparisonSummary(Comparison(matrix: matrix, shard: nil, cells: [tooBig])).groups[0]
        XCTAssertEqual(none.paretoFront, [])
        XCTAssertNil(none.recommended)
    }

    func testMatrixShardsCoverEveryCellOnce() throws {
        let matrix = try ComparisonMatrix(models: ["m1", "m2"], boards: ["b1", "b2", "b3"], algorithms: ["full", "meprop"], seeds: [1, 2], epochs: 1, data: nil)
        XCTAssertEqual(matrix.cells.count, 24)
        XCTAssertEqual(try ComparisonMatrix(models: ["m"], boards: ["b"], kernels: [.portable, .dsp], algorithms: ["full", "meprop"], seeds: [1],
                                            epochs: 1, data: nil).cells.map { "\($0.kernels.rawValue) \($0.algorithm)" },
                       ["portable full", "portable meprop", "dsp full", "dsp meprop"])
        let shards = try (1...5).map { matrix.cells(in: try Shard(parsing: "\($0)/5")).map(\.index) }
        XCTAssertEqual(shards.flatMap { $0 }.sorted(), Array(0..<24))
        XCTAssertEqual(shards[0], [0, 5, 10, 15, 20])
        let shipped = try ComparisonMatrix.load(path: ProjectPaths.examples + "/compare-digits-matrix.json")
        XCTAssertEqual(shipped.cells.count, 16)
        for model in shipped.models { XCTAssertNoThrow(try ModelSpec.load(path: model), model) }
        for bad in ["0/3", "4/3", "1/0", "x/2", "1/2/3", "2"] { assertError(try Shard(parsing: bad), mentions: ["--shard '\(bad)'"]) }
        assertError(try ComparisonMatrix(models: ["m"], boards: ["b"], algorithms: ["fool"], seeds: [1], epochs: 1, data: nil), mentions: ["fool"])
    }
}
