import XCTest
@testable import MCUTrain

/// The sparse backward passes: the selection kernels against a plain reference, each
/// algorithm's firmware bit-exact with its twin (counts included), and the edge cases where an
/// algorithm must reduce to full training.
final class AlgorithmTests: XCTestCase {
    /// The k largest scores' channels, ties to the first channels from `start` on (cyclically):
    /// a stable sort of the rotated channels.
    private func referenceTopK(_ scores: [UInt32], k: Int, start: Int) -> Set<Int> {
        let order = Array(start..<scores.count) + Array(0..<start)
        return Set(order.enumerated().sorted { (scores[$0.element], -$0.offset) > (scores[$1.element], -$1.offset) }.prefix(k).map(\.element))
    }

    func testTopKMatchesAStableSortOnTiesAndAtBothEnds() {
        var rng = SplitMix64(seed: 5)
        let cases: [[UInt32]] = [[3, 3, 3, 3], [0, 0, 0], [7], [1, 2, 2, 2, 1], [UInt32.max, 0, UInt32.max - 1, 5]]
            + (0..<200).map { _ in (0..<Int(rng.next() % 12 + 1)).map { _ in UInt32(rng.next() % 6) * (rng.next() % 2 == 0 ? 1 : 1000) } }
        for scores in cases {
            for k in 1...scores.count {
                var error = scores.indices.map { Int8($0 % 2 == 0 ? 1 : -1) }
                var draw = XorShift32(seed: UInt32(k)), same = draw
                Selector.keepTopK(&error, positions: 1, channels: scores.count, k: k, scores: scores, rng: &draw)
                let start = k < scores.count ? Int(same.next() % UInt32(scores.count)) : 0
                let kept = Set(error.indices.filter { error[$0] != 0 })
                XCTAssertEqual(kept, referenceTopK(scores, k: k, start: start), "scores \(scores), k \(k), ties from \(start)")
            }
        }
    }

    func testScoresSumEveryPositionOfAChannel() {
        // 2 positions × 3 channels, NHWC.
        let (scores, sum) = Selector.scores([1, -2, 0, -4, 5, -128], positions: 2, channels: 3)
        XCTAssertEqual(scores, [5, 7, 128])
        XCTAssertEqual(sum, 140)
        var error: [Int8] = [1, -2, 0, -4, 5, -128]
        var rng = XorShift32(seed: 1)
        Selector.keepTopK(&error, positions: 2, channels: 3, k: 1, scores: scores, rng: &rng)
        XCTAssertEqual(error, [0, 0, 0, 0, 0, -128])
    }

    func testRatioToRunningMaximumAcrossExponents() {
        var m = Selector.Magnitude()
        XCTAssertEqual(Selector.ratioToMax(0, exponent: 0, max: &m), 0)
        XCTAssertEqual(Selector.ratioToMax(100, exponent: -7, max: &m), 32768, "the first value is the maximum")
        XCTAssertEqual(Selector.ratioToMax(50, exponent: -7, max: &m), 16384)
        XCTAssertEqual(Selector.ratioToMax(100, exponent: -8, max: &m), 16384, "the same value at half the scale")
        XCTAssertEqual(Selector.ratioToMax(3, exponent: -4, max: &m), 7864, "3 · 2^-4 = 24 · 2^-7: 0.24 of the maximum")
        XCTAssertEqual(Selector.ratioToMax(1, exponent: -60, max: &m), 0, "far below the maximum")
        XCTAssertEqual(Selector.ratioToMax(1, exponent: 0, max: &m), 32768, "a new maximum")
    }

    func testTinyPropKFollowsTheFormula() {
        // S = (0.1 + 1.0 · 0.8) · 0.5 = 0.45 of 32 outputs → 14.
        XCTAssertEqual(Selector.tinypropK(ratio: 32768, sMin: 3277, sRange: 26214, zeta: 16384, n: 32), 14)
        XCTAssertEqual(Selector.tinypropK(ratio: 0, sMin: 0, sRange: 0, zeta: 32768, n: 10), 1, "never fewer than one")
        XCTAssertEqual(Selector.tinypropK(ratio: 32768, sMin: 32768, sRange: 0, zeta: 32768, n: 65536), 65536, "all of the largest layer")
    }

    func testModelFileNamesItsAlgorithm() throws {
        let dir = temporaryDirectory(self)
        func model(_ section: String) -> String {
            writeFile(dir, "m.json", mlpJSON([4, 3, 2]).replacingOccurrences(of: #""loss""#, with: #""algorithm": \#(section), "loss""#))
        }
        let spec = try ModelSpec.load(path: model(#"{"name": "tinyprop", "params": {"zeta": 0.7}}"#))
        XCTAssertEqual(try TrainingAlgorithm.resolve(name: nil, params: [], file: spec.algorithm).values["zeta"], 0.7)
        assertError(try ModelSpec.load(path: model(#"{"name": "tinyprop", "params": {"zeta": 7}}"#)), mentions: ["m.json", "field 'algorithm'", "'zeta' = 7.0 is out of range"])
        assertError(try ModelSpec.load(path: model(#"{"name": "tinyprop", "k": 3}"#)), mentions: ["m.json", "k"])
    }

    func testParametersAreCheckedAndNamed() {
        assertError(try TrainingAlgorithm.resolve(name: "tinyprop", params: ["zeta=0"], file: nil), mentions: ["'zeta' = 0.0 is out of range"])
        assertError(try TrainingAlgorithm.resolve(name: "meprop", params: ["zeta=0.5"], file: nil), mentions: ["meprop has no such parameter (it has: ratio, sparse_output)"])
        assertError(try TrainingAlgorithm.resolve(name: "meprop", params: ["sparse_output=0.5"], file: nil), mentions: ["must be 0 or 1"])
        assertError(try TrainingAlgorithm.resolve(name: "tinyprop", params: ["s_min=0.9", "s_max=0.2"], file: nil), mentions: ["'s_min' (0.9) exceeds 's_max' (0.2)"])
        assertError(try TrainingAlgorithm.resolve(name: "topk", params: [], file: nil), mentions: ["must be one of full, meprop, tinyprop, tinypropv2"])
        assertError(try TrainingAlgorithm.resolve(name: nil, params: ["ratio"], file: nil), mentions: ["must be NAME=NUMBER"])
        let fromFile = ModelSpec.AlgorithmSpec(name: "tinypropv2", params: ["threshold": 0.25])
        XCTAssertEqual(try TrainingAlgorithm.resolve(name: nil, params: ["beta=1.5"], file: fromFile).values["threshold"], 0.25)
        XCTAssertEqual(try TrainingAlgorithm.resolve(name: nil, params: ["beta=1.5"], file: fromFile).values["beta"], 1.5)
        XCTAssertEqual(try TrainingAlgorithm.resolve(name: "tinyprop", params: [], file: fromFile).values["threshold"], nil,
                       "the file's parameters belong to the algorithm it names")
    }
}

/// Each algorithm's firmware (emulated and host-built) against its Swift twin, counts included.
extension BitExactTests {
    private func algorithm(_ kind: TrainingAlgorithm.Kind, _ overrides: [String: Double] = [:]) throws -> TrainingAlgorithm {
        try TrainingAlgorithm(kind, overrides: overrides)
    }

    func testDigitsMLPUnderEveryAlgorithm() throws {
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        let json = try String(contentsOfFile: ProjectPaths.examples + "/mlp-digits.json", encoding: .utf8)
        var macs: [TrainingAlgorithm.Kind: Int] = [:]
        for kind in TrainingAlgorithm.Kind.allCases {
            let efforts = try assertBitExact(json, algorithm: try algorithm(kind), data: data, steps: 300)
            macs[kind] = efforts.reduce(0) { $0 + $1.backwardMACs }
            if kind == .tinypropv2 { XCTAssertGreaterThan(efforts.filter { !$0.trained }.count, 0, "TinyPropv2 skipped no sample in 300 steps") }
        }
        XCTAssertLessThan(macs[.meprop]!, macs[.full]!)
        XCTAssertLessThan(macs[.tinyprop]!, macs[.full]!)
        XCTAssertLessThan(macs[.tinypropv2]!, macs[.tinyprop]!)
    }

    func testConvolutionsSelectChannelsUnderTinyPropAndMeProp() throws {
        let json = stridedStackJSON(learningRateShift: 5)
        let efforts = try assertBitExact(json, algorithm: try algorithm(.tinyprop, ["s_min": 0.3]), steps: 60)
        XCTAssertTrue(efforts.contains { $0.kept[0] < 5 }, "the first convolution never dropped a channel")
        try assertBitExact(json, algorithm: try algorithm(.meprop, ["ratio": 0.5]), steps: 60)
    }

    /// A lone logits layer left dense: TinyPropv2 with nothing to select still gates samples.
    func testNoSelectingLayerAndOneChannelKept() throws {
        let efforts = try assertBitExact(mlpJSON([6, 3]), algorithm: try algorithm(.tinypropv2, ["sparse_output": 0]), steps: 30)
        XCTAssertTrue(efforts.allSatisfy { $0.kept.isEmpty })
        let kept = try assertBitExact(mlpJSON([6, 9, 3]), algorithm: try algorithm(.meprop, ["ratio": 0.01, "sparse_output": 1]), steps: 30)
        XCTAssertTrue(kept.allSatisfy { $0.kept == [1, 1] })
    }

    func testResidualGraphUnderTinyPropv2() throws {
        try assertBitExact(Self.residualJSON(sparse: ""), algorithm: try algorithm(.tinypropv2, ["threshold": 0.3]), steps: 80)
    }

    /// With every share at 1 and no damping, TinyProp keeps every output: it is full training.
    func testTinyPropKeepingEverythingIsFullTraining() throws {
        let model = try quantizedModel(writeFile(temporaryDirectory(self), "m.json", mlpJSON([12, 9, 7, 4])))
        var full = IntegerNetwork(model, seed: 3)
        var tiny = IntegerNetwork(model, seed: 3, algorithm: try algorithm(.tinyprop, ["s_min": 1, "s_max": 1, "zeta": 1]))
        let data = Dataset.synthetic(featureCount: 12, classCount: 4, count: 200, seed: 9)
        for n in 0..<data.count {
            let input = model.quantizeInput(data.features(of: n), maxValue: data.maxValue)
            let a = full.trainStep(input, label: Int(data.labels[n])), b = tiny.trainStep(input, label: Int(data.labels[n]))
            XCTAssertEqual(a.effort.backwardMACs, b.effort.backwardMACs)
            XCTAssertEqual(b.effort.kept, [9, 7, 4])
        }
        XCTAssertEqual(full.params, tiny.params)
    }
}

/// Active learning: the device's uncertainty, label requests and training on what it asked for,
/// against the Swift twin, for every uncertainty score.
final class LabelQueryTests: XCTestCase {
    func testQueriesAndTrainingMatchTheTwin() throws {
        let data = Dataset.synthetic(featureCount: 12, classCount: 5, count: 150, seed: 4)
        let path = writeFile(temporaryDirectory(self), "m.json", mlpJSON([12, 10, 5]))
        for method in LabelQuery.Method.allCases {
            let query = try LabelQuery(method: method, budget: 40, streamLength: data.count)
            let device = try trainingDevice(self, path, data: data, query: query)
            let model = device.source.model
            var twin = IntegerNetwork(model, seed: 5)
            var gate = query.initialGate
            try device.initialize(seed: 5)
            var asked = 0
            for n in 0..<data.count {
                let input = model.quantizeInput(data.features(of: n), maxValue: data.maxValue)
                let got = try device.query(input)
                _ = twin.predict(input)
                let score = LabelQuery.uncertainty(logits: twin.logits, logitShift: model.logitShift, method: method)
                XCTAssertEqual(got.uncertainty, score, "\(method) uncertainty of sample \(n)")
                XCTAssertTrue((0...32768).contains(score), "\(method) score \(score) outside [0, 1]")
                XCTAssertEqual(got.wants, LabelQuery.wantsLabel(score, gate: &gate), "\(method) request for sample \(n)")
                guard got.wants else { continue }
                asked += 1
                let step = try device.trainQueried(label: Int(data.labels[n]))
                XCTAssertEqual(step.pTrue, twin.trainStep(input, label: Int(data.labels[n])).pTrue, "\(method) training on sample \(n)")
            }
            XCTAssertEqual(asked, 40, "\(method): the budget is spent over the stream, never exceeded")
        }
    }

    func testScoresOfKnownDistributions() {
        // Equal logits: every score says "most uncertain".
        for method in LabelQuery.Method.allCases {
            XCTAssertGreaterThanOrEqual(LabelQuery.uncertainty(logits: [0, 0, 0, 0], logitShift: 0, method: method), 32700, "\(method)")
        }
        // One logit far above the rest: p1 ≈ 1, every score ≈ 0.
        for method in LabelQuery.Method.allCases {
            XCTAssertLessThan(LabelQuery.uncertainty(logits: [4000, 0, 0, 0], logitShift: 0, method: method), 40, "\(method)")
        }
    }
}

/// The algorithms from the command line: the JSON's effort figures and parameter errors.
final class AlgorithmCommandLineTests: XCTestCase {
    private func mcutrain(_ args: [String]) throws -> ToolRun {
        try runTool(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcutrain").path,
                    args, in: ProjectPaths.root)
    }

    func testSimulateReportsTheFirmwaresBackwardEffort() throws {
        let dir = temporaryDirectory(self)
        let r = try mcutrain(["simulate", "--epochs", "2", "--fast", "--algorithm", "tinypropv2", "--param", "threshold=0.4",
                              "--build-dir", dir, "--json", dir + "/r.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("tinypropv2 (s_min 0.1, s_max 0.9, zeta 0.5, sparse_output 1, d_min 0, d_max 1, beta 1, threshold 0.4)"), r.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as! [String: Any]
        let executed = json["backward_macs_total"] as! Int, full = json["backward_macs_full_total"] as! Int
        let epochs = json["epochs"] as! [[String: Any]]
        XCTAssertEqual(full, 2 * 1438 * (32 * 64 + 10 * 32 + 10 * 32), "full backprop: hidden update, output input error and update, per sample")
        XCTAssertGreaterThan(executed, 0)
        XCTAssertLessThan(executed, full / 4)
        XCTAssertEqual(executed, epochs.reduce(0) { $0 + ($1["backward_macs"] as! Int) })
        XCTAssertGreaterThan(epochs[1]["skipped_samples"] as! Int, 0)
        XCTAssertEqual(Set((epochs[1]["kept_mean"] as! [String: Double]).keys), ["hidden", "logits"])
    }

    func testLabelBudgetRunSetsActiveLearningBesideRandom() throws {
        let dir = temporaryDirectory(self)
        let r = try mcutrain(["simulate", "--epochs", "1", "--label-budget", "50", "--uncertainty", "entropy", "--build-dir", dir, "--json", dir + "/r.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as! [String: Any]
        let last = (json["checkpoints"] as! [[String: Any]]).last!
        XCTAssertEqual(last["seen"] as? Int, 1438)
        XCTAssertEqual(last["random_labels"] as? Int, 50)
        XCTAssertLessThanOrEqual(last["active_labels"] as! Int, 50)
        XCTAssertGreaterThan(json["cycles_per_query_mean"] as! Double, 0)
    }

    func testBadAlgorithmsAndParametersAreOneLine() throws {
        for (args, fragment) in [(["--algorithm", "sgd"], "algorithm 'sgd' must be one of"),
                                 (["--algorithm", "tinyprop", "--param", "zeta=2"], "'zeta' = 2.0 is out of range (0.001...1.0)"),
                                 (["--param", "ratio=0.5"], "full has no such parameter"),
                                 (["--label-budget", "0"], "--label-budget 0 must be 1...")] {
            let r = try mcutrain(["simulate", "--epochs", "1"] + args)
            XCTAssertEqual(r.status, 1, "\(args)")
            XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(fragment), "'\(r.stderr)' should mention '\(fragment)'")
        }
    }
}
