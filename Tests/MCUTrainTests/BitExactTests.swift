import XCTest
@testable import MCUTrain

/// The emulated firmware, the same C built for the host with AddressSanitizer and
/// UndefinedBehaviorSanitizer, and the Swift twin must agree bit for bit, step after step, for
/// every layer kind: odd shapes, strides with padding, channels not a multiple of 4, 1×1
/// tensors, residual adds, and sparse update schemes.
final class BitExactTests: XCTestCase {
    /// Runs `steps` training steps on the device and the twin; compares every prediction,
    /// p_true, logits and effort count, then every parameter. Returns the twin's efforts.
    @discardableResult
    func assertBitExact(_ json: String, update: Graph.UpdateScheme = .full, algorithm: TrainingAlgorithm = .full, data: Dataset? = nil,
                        steps: Int = 40, kernels: KernelVariant = .portable, file: StaticString = #filePath, line: UInt = #line) throws -> [Effort] {
        let path = writeFile(temporaryDirectory(self), "model.json", json)
        let device = try trainingDevice(self, path, update: update, data: data, algorithm: algorithm, kernels: kernels)
        let model = device.source.model
        var twin = IntegerNetwork(model, seed: 7, algorithm: algorithm)
        var efforts: [Effort] = []
        let host = try HostDevice(source: device.source, buildDirectory: temporaryDirectory(self), sanitize: true)
        try device.initialize(seed: 7)
        try host.initialize(seed: 7)
        let samples = data ?? Dataset.synthetic(featureCount: model.graph.inputShape.count, classCount: model.graph.classCount, count: steps, seed: 3)
        for n in 0..<steps {
            let input = model.quantizeInput(samples.features(of: n % samples.count), maxValue: samples.maxValue)
            let label = Int(samples.labels[n % samples.count])
            let got = try device.trainStep(input, label: label)
            let want = twin.trainStep(input, label: label)
            XCTAssertEqual(got.prediction, want.prediction, "prediction at step \(n)", file: file, line: line)
            XCTAssertEqual(got.pTrue, want.pTrue, "p_true at step \(n)", file: file, line: line)
            XCTAssertEqual(got.effort, want.effort, "backward MACs, trained, kept at step \(n)", file: file, line: line)
            efforts.append(want.effort)
            XCTAssertEqual(try device.logits(), twin.logits, "logits at step \(n)", file: file, line: line)
            let native = try host.trainStep(input, label: label)
            XCTAssertEqual([native.prediction, Int(native.pTrue)], [got.prediction, Int(got.pTrue)], "host build at step \(n)", file: file, line: line)
            XCTAssertEqual(native.logits, twin.logits, "host build logits at step \(n)", file: file, line: line)
            XCTAssertEqual(native.effort, want.effort, "host build effort at step \(n)", file: file, line: line)
        }
        var trained = 0
        for node in model.graph.nodes where node.kind.parameters != nil {
            let params = try device.parameters(layer: node.index)
            XCTAssertEqual(params, twin.params[node.index], "parameters of \(node.name) after \(steps) steps", file: file, line: line)
            if params != model.initial[node.index] { trained += 1 }
        }
        XCTAssertGreaterThan(trained, 0, "training changed no parameter", file: file, line: line)
        return efforts
    }

    func testDigitsMLPMatchesOverThreeHundredSteps() throws {
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        try assertBitExact(try String(contentsOfFile: ProjectPaths.examples + "/mlp-digits.json", encoding: .utf8), data: data, steps: 300)
    }

    func testConvStrideTwoSamePaddingDepthwiseMaxPoolDense() throws {
        try assertBitExact(stridedStackJSON(learningRateShift: 5))
    }

    func testResidualBlockAveragePoolValidConvGlobalPool() throws {
        try assertBitExact(Self.residualJSON(sparse: ""))
    }

    func testSparseUpdateFrozenBiasAndChannelRatio() throws {
        try assertBitExact(Self.residualJSON(sparse: #", "sparse_update": {"default": "frozen", "layers": {"b": "bias", "c": "weights:1/2", "out": "weights"}}"#),
                           update: .sparse)
    }

    func testOneByOneTensors() throws {
        try assertBitExact("""
        {"name": "tiny", "input": {"shape": [1, 1, 5]}, "layers": [
          {"op": "pointwise", "name": "p", "filters": 3, "activation": "relu"},
          {"op": "global_avg_pool", "name": "g"},
          {"op": "dense", "name": "out", "units": 2}],
         "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 4}}
        """)
    }

    static func residualJSON(sparse: String) -> String {
        """
        {"name": "residual", "input": {"shape": [6, 6, 2]}, "layers": [
          {"op": "pointwise", "name": "a", "filters": 6, "activation": "relu"},
          {"op": "depthwise_conv2d", "name": "b", "kernel": 3, "padding": "same", "activation": "relu6"},
          {"op": "pointwise", "name": "c", "filters": 6},
          {"op": "add", "name": "r", "inputs": ["a", "c"]},
          {"op": "avg_pool", "name": "p", "kernel": 2},
          {"op": "conv2d", "name": "v", "filters": 3, "kernel": 3, "activation": "relu"},
          {"op": "global_avg_pool", "name": "g"},
          {"op": "dense", "name": "out", "units": 4}],
         "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 5}\(sparse)}
        """
    }
}
