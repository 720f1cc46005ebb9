import Foundation
import XCTest
@testable import MCUTrain

/// Gradients of every layer kind (dense, conv2d, pointwise, depthwise_conv2d, avg_pool,
/// max_pool, global_avg_pool, add, ReLU, ReLU6) on two small odd-shaped models.
///
/// 1. Float twin vs central finite differences of the loss (computed in Double from the float
///    logits, h = 2e-3), every weight and bias, 3 samples, after two SGD steps:
///    |g − fd| ≤ 1e-4 + 1e-2·|fd|. A parameter whose one-sided differences disagree by more
///    than that straddles a ReLU/ReLU6/max-pool kink and is skipped (≤ 1 in 5 may be; ≥ 10
///    per layer must have |fd| > 1e-3). Measured: worst |g − fd| is 0.07 of the bound; scaling
///    the analytic gradient by 1.05 fails hundreds of checks.
/// 2. Integer backward vs float backward along the same path: the integer twin's backward is
///    replayed as `IntegerNetwork.trainStep` runs it (checked: it gives the same weights), each
///    error dequantised as e·2^x; the float twin's backward kernels run from the same weights
///    (`model.floatInitial`) at the integer pass's dequantised activations, logits, ReLU masks
///    and max-pool winners. Each trained layer's `update` is run on 128 random streams and its
///    mean step (stochastic rounding is unbiased) / learning rate is the gradient it implies.
///    Int8 errors have one scale per tensor and a mask can leave only a few LSBs of it, so the
///    bound is on each tensor over 8 samples (concatenated): cosine ≥ 0.98 and
///    ‖int − float‖₂ ≤ 0.15·‖float‖₂. Measured: cosine ≥ 0.998, relative ≤ 0.021 for errors
///    and ≤ 0.052 for updates.
/// 3. Integer updates vs the float twin's own gradient (`FloatNetwork.gradients`, float
///    forward), summed over 16 samples: cosine ≥ 0.9, relative ≤ 0.4. Per sample they can
///    differ by 70% or more where a ReLU input lies within half an output LSB of 0 (int8 clamps
///    it, the float pass does not); over a batch measured: cosine ≥ 0.966, relative ≤ 0.26.
///
/// Both bounds fail on a wrong sign (cosine < 0), a factor-2 exponent (relative ≥ 0.46) or a
/// transposed index (cosine ≤ 0.5); each was tried by breaking the replay here.
final class GradientTests: XCTestCase {
    static let stack = stridedStackJSON(learningRateShift: 3)
    /// pointwise (ReLU) → depthwise (ReLU6) → pointwise → add → avg_pool (7×7 drops a row and a
    /// column) → conv2d (valid) → global_avg_pool over 6 positions → dense.
    static let residual = """
    {"name": "residual", "input": {"shape": [7, 7, 2]}, "layers": [
      {"op": "pointwise", "name": "a", "filters": 5, "activation": "relu"},
      {"op": "depthwise_conv2d", "name": "b", "kernel": 3, "padding": "same", "activation": "relu6"},
      {"op": "pointwise", "name": "c", "filters": 5},
      {"op": "add", "name": "r", "inputs": ["a", "c"]},
      {"op": "avg_pool", "name": "p", "kernel": 2},
      {"op": "conv2d", "name": "v", "filters": 3, "kernel": [2, 1], "activation": "relu"},
      {"op": "global_avg_pool", "name": "g"},
      {"op": "dense", "name": "out", "units": 4}],
     "loss": "softmax_cross_entropy", "training": {"learning_rate_shift": 3}}
    """
    static let models = [("stack", stack), ("residual", residual)]

    static let fdStep: Float = 2e-3, fdAbsolute = 1e-4, fdRelative = 1e-2
    static let pathCosine = 0.98, pathRelative = 0.15, batchCosine = 0.9, batchRelative = 0.4

    private func model(_ json: String) throws -> QuantizedModel {
        try quantizedModel(writeFile(temporaryDirectory(self), "model.json", json))
    }

    /// A few samples as the int8 inputs the device sees.
    private func samples(_ model: QuantizedModel, count: Int = 4) -> [(input: [Int8], label: Int)] {
        let data = Dataset.synthetic(featureCount: model.graph.inputShape.count, classCount: model.graph.classCount, count: count, seed: 11)
        return (0..<count).map { (model.quantizeInput(data.features(of: $0), maxValue: data.maxValue), Int(data.labels[$0])) }
    }

    private func dequantised(_ v: [Int8], _ exponent: Int) -> [Float] {
        let scale = Float(sign: .plus, exponent: exponent, significand: 1)
        return v.map { Float($0) * scale }
    }

    // MARK: 1. float twin vs finite differences

    private func loss(_ graph: Graph, _ params: [FloatParameters?], _ input: [Float], _ label: Int) -> Double {
        let logits = FloatNetwork.forward(graph, params, input).outputs.last!.map(Double.init)
        let top = logits.max()!
        return log(logits.reduce(0) { $0 + exp($1 - top) }) - (logits[label] - top)
    }

    func testFloatGradientsMatchFiniteDifferences() throws {
        for (name, json) in Self.models {
            let model = try model(json)
            var net = FloatNetwork(model)
            let data = samples(model, count: 5)
            // Two SGD steps first, so biases are nonzero and weights are off the int8 grid.
            for s in data.prefix(2) { net.trainStep(dequantised(s.input, -model.inputFrac), label: s.label) }
            for node in net.graph.nodes where node.update.trains {
                var checked = 0, skipped = 0, nonzero = 0
                for s in data.suffix(3) {
                    let x = dequantised(s.input, -model.inputFrac), g = net.gradients(x, label: s.label), p = net.params[node.index]!
                    let l0 = loss(net.graph, net.params, x, s.label)
                    XCTAssertEqual(Double(g.loss), l0, accuracy: 1e-5, "\(name): loss")
                    for k in 0..<(p.weights.count + p.bias.count) {
                        let isWeight = k < p.weights.count, analytic = Double(isWeight ? g.weights[node.index][k] : g.bias[node.index][k - p.weights.count])
                        let at = { (d: Float) -> Double in
                            var params = net.params
                            if isWeight { params[node.index]!.weights[k] += d } else { params[node.index]!.bias[k - p.weights.count] += d }
                            return self.loss(net.graph, params, x, s.label)
                        }
                        let h = Double(Self.fdStep), lp = at(Self.fdStep), lm = at(-Self.fdStep)
                        let fd = (lp - lm) / (2 * h), tol = Self.fdAbsolute + Self.fdRelative * abs(fd)
                        if abs((lp - l0) - (l0 - lm)) / h > tol { skipped += 1; continue }
                        checked += 1
                        if abs(fd) > 1e-3 { nonzero += 1 }
                        XCTAssertLessThanOrEqual(abs(analytic - fd), tol, "\(name).\(node.name) parameter \(k): analytic \(analytic), finite difference \(fd)")
                    }
                }
                XCTAssertGreaterThanOrEqual(checked, 4 * skipped, "\(name).\(node.name): \(skipped) parameters at kinks")
                XCTAssertGreaterThanOrEqual(nonzero, 10, "\(name).\(node.name): too few parameters with a gradient")
            }
        }
    }

    // MARK: 2, 3. integer twin vs float twin

    typealias Error8 = (error: [Int8], exponent: Int)

    /// The integer twin's forward and backward as `IntegerNetwork.trainStep` runs them, without
    /// the updates: every tensor, the logits, each tensor's error, each layer's masked error.
    struct IntegerPass { var tensors: [[Int8]] = [], logits: [Int32] = [], errors: [Error8?] = [], masked: [Error8?] = [] }

    private func integerPass(_ model: QuantizedModel, _ input: [Int8], label: Int) -> IntegerPass {
        let graph = model.graph
        var pass = IntegerPass(tensors: [input])
        for node in graph.nodes {
            let x = node.inputs.map { pass.tensors[$0] }
            if node.isLogits {
                pass.logits = (node.kind as! Dense).logits(input: x[0], params: model.initial[node.index]!)
                pass.tensors.append([])
            } else {
                pass.tensors.append(node.kind.forward(model.twin(node.index), inputs: x, params: model.initial[node.index]))
            }
        }
        let out = IntegerKernels.softmaxCrossEntropyBackward(logits: pass.logits, label: label, logitShift: model.logitShift)
        pass.errors = [Error8?](repeating: nil, count: pass.tensors.count)
        pass.masked = [Error8?](repeating: nil, count: graph.nodes.count)
        pass.errors[graph.nodes.count] = (out.error, IntegerKernels.outputErrorExponent)
        for node in graph.nodes.reversed() where node.needsOutputError {
            let twin = model.twin(node.index)
            var (e, x) = pass.errors[node.output]!
            if node.kind.activation != .none {
                let r = twin.numerics.maskRange
                e = IntegerKernels.activationBackward(e, output: pass.tensors[node.output], lo: r.lo, hi: r.hi)
            }
            pass.masked[node.index] = (e, x)
            let inputs = node.inputs.map { pass.tensors[$0] }
            for (k, t) in node.inputs.enumerated() where graph.needsError[t] {
                let part = node.kind.inputError(twin, input: k, inputs: inputs, error: e, exponent: x, params: model.initial[node.index])
                pass.errors[t] = pass.errors[t].map { IntegerKernels.mergeError($0.error, $0.exponent, part.error, part.exponent) } ?? part
            }
        }
        return pass
    }

    /// The float twin's backward from `model.floatInitial`, as `FloatNetwork.gradients`, keeping
    /// every tensor's gradient and every layer's masked one. Along `path` it runs at that
    /// integer pass's (dequantised) activations and logits, with its ReLU masks and max-pool
    /// winners: the same linearisation, so only the backward arithmetic differs.
    private func floatPass(_ model: QuantizedModel, _ input: [Float], label: Int, along path: IntegerPass? = nil)
        -> (tensors: [[Float]?], masked: [[Float]?], weights: [[Float]], bias: [[Float]]) {
        let graph = model.graph, params = model.floatInitial, last = graph.nodes.count
        var (outputs, pre) = FloatNetwork.forward(graph, params, input)
        if let path {
            outputs = path.tensors.enumerated().map { t, v in dequantised(v, -(t == 0 ? model.inputFrac : model.numerics[t - 1].outputFrac)) }
            outputs[last] = path.logits.map { Float($0) * Float(sign: .plus, exponent: -model.numerics[last - 1].outputFrac, significand: 1) }
        }
        let e = outputs[last].map { exp($0 - outputs[last].max()!) }
        var grads = [[Float]?](repeating: nil, count: outputs.count), masked = [[Float]?](repeating: nil, count: last)
        var dw = [[Float]](repeating: [], count: last), db = dw
        grads[last] = e.enumerated().map { j, v in v / e.reduce(0, +) - (j == label ? 1 : 0) }
        for node in graph.nodes.reversed() where node.needsOutputError {
            let r = model.numerics[node.index].maskRange
            let g: [Float] = grads[node.output]!.enumerated().map { i, d in
                if node.kind.activation == .none { return d }
                if let path { let y = Int32(path.tensors[node.output][i]); return y > r.lo && y < r.hi ? d : 0 }
                let z = pre[node.index][i]
                switch node.kind.activation {
                case .none, .relu: return z > 0 ? d : 0
                case .relu6: return z > 0 && z < 6 ? d : 0
                }
            }
            masked[node.index] = g
            let back = node.kind.floatBackward(inputs: node.inputs.map { outputs[$0] }, gradient: g, params: params[node.index])
            for (k, t) in node.inputs.enumerated() where graph.needsError[t] {
                grads[t] = grads[t].map { zip($0, back.inputs[k]).map(+) } ?? back.inputs[k]
            }
            (dw[node.index], db[node.index]) = (back.weights, back.bias)
        }
        return (grads, masked, dw, db)
    }

    /// The gradient a trained layer's integer `update` implies: the mean step over `runs`
    /// random streams (stochastic rounding is unbiased), in real units, over the learning rate.
    private func impliedGradient(_ model: QuantizedModel, _ node: Graph.Node, _ pass: IntegerPass, runs: Int) -> (weights: [Float], bias: [Float]) {
        let twin = model.twin(node.index), start = model.initial[node.index]!, shape = node.kind.parameters!, f = twin.numerics
        let (e, x) = pass.masked[node.index]!
        var dw = [Float](repeating: 0, count: start.weights.count), db = [Float](repeating: 0, count: start.bias.count)
        for r in 0..<runs {
            var p = start, rng = XorShift32(seed: UInt32(r + 1))
            node.kind.update(twin, params: &p, inputs: node.inputs.map { pass.tensors[$0] }, error: e, exponent: x, rng: &rng)
            for i in dw.indices { dw[i] += Float(Int32(start.weights[i]) - Int32(p.weights[i])) }
            for c in db.indices { db[c] += Float(start.bias[c] - p.bias[c]) }
        }
        let scale = Float(runs) * Float(model.spec.training.learningRate)
        let lsb = { (bits: Int) in Float(sign: .plus, exponent: -bits, significand: 1) / scale }
        return (dw.enumerated().map { i, d in d * lsb(f.weightFrac[QuantizedModel.channel(of: i, shape, node)]) },
                db.enumerated().map { c, d in d * lsb(f.inputFrac[0] + f.weightFrac[c]) })
    }

    /// Cosine and ‖a − b‖/‖b‖ of an integer-derived gradient `a` against the float one `b`.
    private func agreement(_ a: [Float], _ b: [Float]) -> (cosine: Double, relative: Double) {
        let a = a.map(Double.init), b = b.map(Double.init)
        let ab = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }, aa = a.reduce(0) { $0 + $1 * $1 }, bb = b.reduce(0) { $0 + $1 * $1 }
        let diff = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return (aa == 0 && bb == 0 ? 1 : ab / max(1e-30, (aa * bb).squareRoot()), bb == 0 ? (aa == 0 ? 0 : .infinity) : (diff / bb).squareRoot())
    }

    private func assertAgrees(_ a: [Float], _ b: [Float], _ what: String, cosine: Double, relative: Double,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let m = agreement(a, b)
        if ProcessInfo.processInfo.environment["MCT_GRADIENT_REPORT"] != nil {
            print(String(format: "REPORT %@: cosine %.4f relative %.4f", what, m.cosine, m.relative))
        }
        XCTAssertGreaterThanOrEqual(m.cosine, cosine, "\(what): cosine", file: file, line: line)
        XCTAssertLessThanOrEqual(m.relative, relative, "\(what): relative error", file: file, line: line)
    }

    func testIntegerBackwardMatchesFloatBackwardAlongTheSamePath() throws {
        for (name, json) in Self.models {
            let model = try model(json)
            var pairs: [String: (int: [Float], float: [Float])] = [:]
            let add = { (key: String, a: [Float], b: [Float]) in pairs[key] = ((pairs[key]?.int ?? []) + a, (pairs[key]?.float ?? []) + b) }
            for s in samples(model, count: 8) {
                let int = integerPass(model, s.input, label: s.label)
                let float = floatPass(model, dequantised(s.input, -model.inputFrac), label: s.label, along: int)
                // The replay's errors, fed to the updates in order, give IntegerNetwork.trainStep's weights.
                var net = IntegerNetwork(model, seed: 5), rng = XorShift32(seed: 5), params = model.initial
                _ = net.trainStep(s.input, label: s.label)
                for node in model.graph.nodes.reversed() where node.update.trains {
                    let (e, x) = int.masked[node.index]!
                    node.kind.update(model.twin(node.index), params: &params[node.index]!, inputs: node.inputs.map { int.tensors[$0] }, error: e, exponent: x, rng: &rng)
                }
                XCTAssertEqual(params, net.params, "\(name): the replay is IntegerNetwork.trainStep")
                for t in 1..<int.errors.count where model.graph.needsError[t] {
                    add("error of tensor \(t)", dequantised(int.errors[t]!.error, int.errors[t]!.exponent), float.tensors[t]!)
                }
                for node in model.graph.nodes where node.needsOutputError && node.kind.activation != .none {
                    add("masked error of \(node.name)", dequantised(int.masked[node.index]!.error, int.masked[node.index]!.exponent), float.masked[node.index]!)
                }
                for node in model.graph.nodes where node.update.trains {
                    let g = impliedGradient(model, node, int, runs: 128)
                    add("weight update of \(node.name)", g.weights, float.weights[node.index])
                    add("bias update of \(node.name)", g.bias, float.bias[node.index])
                }
            }
            for (key, v) in pairs.sorted(by: { $0.key < $1.key }) {
                assertAgrees(v.int, v.float, "\(name): \(key) over 8 samples", cosine: Self.pathCosine, relative: Self.pathRelative)
            }
        }
    }

    func testIntegerUpdatesFollowTheFloatTwinOverABatch() throws {
        let sum = { (a: [Float]?, b: [Float]) in a.map { zip($0, b).map(+) } ?? b }
        for (name, json) in Self.models {
            let model = try model(json)
            let net = FloatNetwork(model), count = model.graph.nodes.count
            var int = [(weights: [Float]?, bias: [Float]?)](repeating: (nil, nil), count: count), float = int
            for s in samples(model, count: 16) {
                let x = dequantised(s.input, -model.inputFrac)
                let pass = integerPass(model, s.input, label: s.label), g = net.gradients(x, label: s.label), mine = floatPass(model, x, label: s.label)
                XCTAssertEqual(mine.weights, g.weights, "\(name): the replay is FloatNetwork.gradients")
                for node in model.graph.nodes where node.update.trains {
                    let i = node.index, implied = impliedGradient(model, node, pass, runs: 64)
                    int[i] = (sum(int[i].weights, implied.weights), sum(int[i].bias, implied.bias))
                    float[i] = (sum(float[i].weights, g.weights[i]), sum(float[i].bias, g.bias[i]))
                }
            }
            for node in model.graph.nodes where node.update.trains {
                let i = node.index
                assertAgrees(int[i].weights!, float[i].weights!, "\(name): weight updates of \(node.name) over 16 samples", cosine: Self.batchCosine, relative: Self.batchRelative)
                assertAgrees(int[i].bias!, float[i].bias!, "\(name): bias updates of \(node.name) over 16 samples", cosine: Self.batchCosine, relative: Self.batchRelative)
            }
        }
    }
}

