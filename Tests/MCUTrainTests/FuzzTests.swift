import Foundation
import XCTest
@testable import MCUTrain

/// The fuzzing harness in brief (`make fuzz` runs 100,000 inputs per loader): a few hundred
/// mutated inputs per loader, none of which may trap, hang or be refused without naming its
/// file; the harness itself catches a planted trap and hang; and the CSV loader's memory grows
/// with the values a file holds, not with its text.
final class FuzzTests: XCTestCase {
    private static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcutrain-fuzz").path

    func testLoadersSurviveMutatedInputs() throws {
        let dir = temporaryDirectory(self)
        for (target, count) in [("model", 300), ("board", 400), ("csv", 1000), ("elf", 80)] {
            let r = try runTool(Self.binary, ["--count", "\(count)", "--seed", "2026", "--findings", dir, target])
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            let summary = try XCTUnwrap(r.stdout.split(separator: "\n").last.map(String.init))
            XCTAssertTrue(summary.hasPrefix(target), summary)
            XCTAssertTrue(summary.contains(" \(count) inputs: "), summary)
            XCTAssertTrue(summary.contains("0 traps, 0 hangs, 0 wrong rejections"), summary)
            let accepted = try XCTUnwrap(Int(summary.components(separatedBy: " rejected, ")[1].prefix { $0.isNumber }))
            XCTAssertGreaterThan(accepted, 0, "every input rejected: the mutations never reach past the first check")
            XCTAssertLessThan(accepted, count, summary)
        }
    }

    func testHarnessSavesTheInputsThatTrapOrHang() throws {
        let dir = temporaryDirectory(self)
        let r = try runTool(Self.binary, ["--count", "12", "--seed", "3", "--timeout", "1", "--findings", dir,
                                          "--plant", "trap:4", "--plant", "hang:7", "csv"])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("FINDING trap: csv input 4 of seed 3, saved as \(dir)/csv-seed3-4.csv: killed by signal 4; "), r.stdout)
        XCTAssertTrue(r.stdout.contains("Fatal error: planted trap at input 4"), r.stdout)
        XCTAssertTrue(r.stdout.contains("FINDING hang: csv input 7 of seed 3, saved as \(dir)/csv-seed3-7.csv: no result within 1.0 s"), r.stdout)
        XCTAssertTrue(r.stdout.contains("csv   12 inputs: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("1 traps, 1 hangs, 0 wrong rejections"), r.stdout)
        let replayed = try runTool(Self.binary, ["replay", "csv", dir + "/csv-seed3-4.csv"])
        XCTAssertTrue([0, 2].contains(replayed.status), "the saved input replays without the planted trap: \(replayed.stderr)")
    }

    /// A saved input is made again in the supervisor's process, so generation must not depend
    /// on anything that varies between processes (it once did: dictionary order in JSON edits).
    func testInputsAreTheSameInEveryProcess() throws {
        let dirs = [temporaryDirectory(self), temporaryDirectory(self)]
        for dir in dirs {
            let plants = (0..<10).flatMap { ["--plant", "trap:\($0)"] }
            let r = try runTool(Self.binary, ["--count", "10", "--seed", "4", "--findings", dir] + plants + ["model", "board"])
            XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dirs[0]).sorted()
        XCTAssertEqual(names.count, 20)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dirs[1]).sorted(), names)
        for name in names {
            XCTAssertEqual(FileManager.default.contents(atPath: dirs[0] + "/" + name), FileManager.default.contents(atPath: dirs[1] + "/" + name), name)
        }
    }

    /// Peak RSS of a process that loads and splits a pandas-style CSV of 2 MB and of 10 MB: the
    /// extra 8 MB of text may cost at most 4 MB (it holds 4-byte floats for ~17-character
    /// values, then a byte each); holding the text itself would cost 8 MB or more.
    func testCSVMemoryGrowsWithTheValuesNotTheText() throws {
        let dir = temporaryDirectory(self)
        var growth: [Int] = [], sizes: [Int] = []
        for bytes in [2_000_000, 10_000_000] {
            let path = dir + "/\(bytes).csv"
            XCTAssertEqual(try runTool(Self.binary, ["make-csv", path, "\(bytes)"]).status, 0)
            let r = try runTool(Self.binary, ["load-csv", path])
            XCTAssertEqual(r.status, 0, r.stderr)
            let figures = Dictionary(uniqueKeysWithValues: r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
                .compactMap { pair -> (String, Int)? in
                    let parts = pair.split(separator: "=")
                    return parts.count == 2 ? (String(parts[0]), Int(parts[1]) ?? 0) : nil
                })
            sizes.append(try XCTUnwrap(figures["file_bytes"]))
            growth.append(try XCTUnwrap(figures["peak_rss_kb_after"]) - XCTUnwrap(figures["peak_rss_kb_before"]))
        }
        let slope = Double(growth[1] - growth[0]) * 1024 / Double(sizes[1] - sizes[0])
        XCTAssertLessThan(slope, 0.5, "peak RSS grew \(growth) KB for files of \(sizes) bytes")
    }
}
