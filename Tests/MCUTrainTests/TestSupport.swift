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

/// Compiles C for a board against its shipped linker script and startup code; returns the ELF's path.
func compileProgram(_ test: XCTestCase, _ source: String, board: Board, optimization: String = "-O1", flags: [String] = ["-nostdlib"],
                    startup: Bool = true) throws -> String {
    let dir = temporaryDirectory(test)
    let files = try board.writeBuildFiles(to: dir)
    let src = writeFile(dir, "app.c", source)
    let elf = dir + "/app.elf"
    try FirmwareBuilder.run(FirmwareBuilder.compiler, board.core.gccFlags + [optimization, "-T", files[0], "-o", elf]
                            + (startup ? [files[1]] : []) + [src] + flags + ["-lgcc"], what: "compiling the test program")
    return elf
}

/// A tool's result: the test toolchain is required, so a missing tool fails the test.
struct ToolRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

func runTool(_ tool: String, _ arguments: [String], in directory: String? = nil) throws -> ToolRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return ToolRun(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// Runs a tool that must succeed; returns what it printed.
@discardableResult
func tool(_ name: String, _ arguments: [String], in directory: String? = nil) throws -> String {
    let run = try runTool(name, arguments, in: directory)
    guard run.status == 0 else { throw ConfigError("\(name) exited \(run.status): \(run.stderr)") }
    return run.stdout
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

/// conv2d (3×2, stride 2, same, ReLU6) → depthwise (ReLU) → max_pool → dense (ReLU) → dense on a
/// 7×5×3 input: odd shapes, padding on one side, channels not a multiple of 4.
func stridedStackJSON(learningRateShift: Int) -> String {
    """
    {"name": "stack", "input": {"shape": [7, 5, 3]}, "layers": [
      {"op": "conv2d", "name": "c", "filters": 5, "kernel": [3, 2], "stride": 2, "padding": "same", "activation": "relu6"},
      {"op": "depthwise_conv2d", "name": "d", "kernel": 3, "padding": "same", "activation": "relu"},
      {"op": "max_pool", "name": "m", "kernel": 2},
      {"op": "flatten", "name": "f"},
      {"op": "dense", "name": "h", "units": 7, "activation": "relu"},
      {"op": "dense", "name": "out", "units": 3}],
     "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": \(learningRateShift)}}
    """
}

/// A model file of dense layers `sizes[0]` → ... → `sizes.last`, ReLU between.
func mlpJSON(_ sizes: [Int], name: String = "test-mlp") -> String {
    let layers = sizes.dropFirst().enumerated().map { i, units -> String in
        let last = i == sizes.count - 2
        return last ? #"{"op": "dense", "units": \#(units)}"# : #"{"op": "dense", "units": \#(units), "activation": "relu"}"#
    }
    return #"{"name": "\#(name)", "input": {"shape": [\#(sizes[0])]}, "layers": [\#(layers.joined(separator: ", "))], "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 6}}"#
}

/// A model file calibrated on synthetic data (or `data`), as `simulate` would build it.
func quantizedModel(_ path: String, update: Graph.UpdateScheme = .full, data: Dataset? = nil, seed: UInt64 = 1) throws -> QuantizedModel {
    let spec = try ModelSpec.load(path: path)
    let graph = try Graph(spec, update: update)
    let calibration = data ?? Dataset.synthetic(featureCount: graph.inputShape.count, classCount: graph.classCount, count: 16, seed: seed)
    return QuantizedModel.calibrated(spec, graph: graph, on: calibration, seed: seed)
}

/// Firmware for a model file, built into a scratch directory and loaded into an emulated board.
func trainingDevice(_ test: XCTestCase, _ path: String, board: String = "nrf52840", update: Graph.UpdateScheme = .full,
                    data: Dataset? = nil, algorithm: TrainingAlgorithm = .full, query: LabelQuery? = nil,
                    kernels: KernelVariant = .portable) throws -> TrainingDevice {
    let model = try quantizedModel(path, update: update, data: data)
    return try TrainingDevice(board: try Board.resolve(board), source: ModelSource(model, algorithm: algorithm, query: query, kernels: kernels), modelFile: path,
                              buildDirectory: temporaryDirectory(test))
}
