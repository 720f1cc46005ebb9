import XCTest
@testable import MCUTrain

/// The emulated firmware and the Swift reference must agree bit for bit, step after step.
final class BitExactTests: XCTestCase {
    func testTrainingStepsMatchReferenceBitForBit() throws {
        let board = try Board.resolve("nrf52840")
        let modelFile = ProjectPaths.examples + "/mlp-digits.json"
        let spec = try ModelSpec.load(path: modelFile)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mct-bitexact-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let device = try TrainingDevice(board: board, spec: spec, modelFile: modelFile, buildDirectory: dir)
        var reference = IntegerNetwork(plan: device.source.plan, seed: 7)
        try device.initialize(seed: 7)
        for l in 0..<spec.layers.count {
            XCTAssertEqual(try device.weights(layer: l), reference.weights[l], "initial weights of layer \(l)")
        }
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        for n in 0..<300 {
            let input = data.features(of: n).map { FixedPointPlan.quantizeInput($0, maxValue: data.maxValue) }
            let label = Int(data.labels[n])
            let got = try device.trainStep(input, label: label)
            let want = reference.trainStep(input, label: label)
            XCTAssertEqual(got.prediction, want.prediction, "prediction at step \(n)")
            XCTAssertEqual(got.pTrue, want.pTrue, "p_true at step \(n)")
            XCTAssertEqual(try device.logits(), reference.logits, "logits at step \(n)")
        }
        for l in 0..<spec.layers.count {
            XCTAssertEqual(try device.weights(layer: l), reference.weights[l], "weights of layer \(l) after 300 steps")
            XCTAssertEqual(try device.biases(layer: l), reference.biases[l], "biases of layer \(l) after 300 steps")
        }
    }
}
