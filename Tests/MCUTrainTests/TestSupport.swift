import Foundation
import XCTest
@testable import MCUTrain

/// A scratch directory removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mct-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func writeFile(_ dir: String, _ name: String, _ text: String) -> String {
    let path = dir + "/" + name
    try! text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Asserts `body` throws an error whose one-line description contains every fragment.
func assertError<T>(_ body: @autoclosure () throws -> T, mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
    } catch {
        let text = "\(error)"
        XCTAssertFalse(text.contains("\n"), "error should be one line: \(text)", file: file, line: line)
        for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' should mention '\(f)'", file: file, line: line) }
    }
}

/// A model file of dense layers `sizes[0]` → ... → `sizes.last`, ReLU between.
func mlpJSON(_ sizes: [Int], name: String = "test-mlp") -> String {
    let layers = sizes.dropFirst().enumerated().map { i, units -> String in
        let last = i == sizes.count - 2
        return last
            ? #"{"type": "dense", "units": \#(units), "activation": "none", "weight_frac_bits": 6}"#
            : #"{"type": "dense", "units": \#(units), "activation": "relu", "weight_frac_bits": 6, "output_frac_bits": 4}"#
    }
    return #"{"name": "\#(name)", "input": {"size": \#(sizes[0]), "frac_bits": 7}, "layers": [\#(layers.joined(separator: ", "))], "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 6}}"#
}
