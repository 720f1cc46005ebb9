/// What conv2d and depthwise_conv2d share: everything but their C kernels, the order their
/// taps are visited in and their weight layout. The emitted calls name `mct_<op>_<verb>_s8`;
/// the twins walk `eachTap` (output, input, weight index) and agree with the C kernels
/// whatever the summation order, since int32 wrapping addition is associative.
protocol Convolution: LayerKind {
    var g: Geometry { get }
    func eachTap(_ body: (Int, Int, Int) -> Void)
    /// The weights of output channel c, in the order the C update visits them.
    func weightIndices(of c: Int) -> StrideTo<Int>
}

extension Convolution {
    var output: Shape { g.output }
    private var outChannels: Int { g.output.c }
    func inputErrorScratch(input k: Int) -> Int { g.input.count }

    // MARK: C

    func cDeclarations(_ n: NodeC) -> [String] { [g.cDims(n.prefix), n.shiftTable(channels: outChannels)] }

    func cForward(_ n: NodeC) -> [String] {
        let r = n.numerics.outputRange
        return ["mct_\(Self.op)_forward_s8(\(n.dims), \(n.inputs[0]), \(n.weights), \(n.bias), \(n.shifts), \(r.lo), \(r.hi), \(n.output));"]
    }

    func cInputError(_ n: NodeC, input k: Int, dest: String, exponent: String) -> [String] {
        ["\(NodeC.macs) += mct_\(Self.op)_input_error_s8(\(n.dims), \(n.outputError), \(n.weights), \(n.scratch));",
         "\(exponent) = \(n.outputExponent) - \(n.numerics.weightFrac[0]) + mct_requantize_error_s8(\(n.scratch), \(g.input.count), \(dest));"]
    }

    func cUpdate(_ n: NodeC) -> [String] {
        ["\(NodeC.macs) += mct_\(Self.op)_update_s8(\(n.dims), \(n.weightsOrNull), \(n.bias), \(n.inputs[0]), \(n.outputError), \(n.weightChannels), \(n.weightShift), \(n.biasShift), &mct_rng);"]
    }

    // MARK: Swift integer twin

    func forward(_ n: NodeTwin, inputs x: [[Int8]], params: IntegerParameters?) -> [Int8] {
        let p = params!, r = n.numerics.outputRange
        var acc = (0..<g.output.count).map { p.bias[$0 % outChannels] }
        eachTap { o, i, w in acc[o] &+= Int32(p.weights[w]) * Int32(x[0][i]) }
        return acc.enumerated().map { o, a in
            IntegerKernels.saturate8(IntegerKernels.roundShift(a, n.numerics.requantShift(o % outChannels)), r.lo, r.hi)
        }
    }

    func inputError(_ n: NodeTwin, input k: Int, inputs x: [[Int8]], error: [Int8], exponent: Int, params: IntegerParameters?) -> (error: [Int8], exponent: Int) {
        let p = params!
        var acc = [Int32](repeating: 0, count: g.input.count)
        eachTap { o, i, w in acc[i] &+= Int32(p.weights[w]) * Int32(error[o]) }
        let (q, shift) = IntegerKernels.requantizeError(acc)
        return (q, exponent - n.numerics.weightFrac[0] + shift)
    }

    func inputErrorMACs(error: [Int8]) -> Int {
        var macs = 0
        eachTap { o, _, _ in if error[o] != 0 { macs += 1 } }
        return macs
    }

    /// A channel's weight gradient visits every tap inside the input at every position.
    func updateMACs(error: [Int8], weightChannels: Int) -> Int {
        (0..<min(weightChannels, outChannels)).filter { c in stride(from: c, to: error.count, by: outChannels).contains { error[$0] != 0 } }.count
            * forwardMACs / outChannels
    }

    /// Mirrors the C update channel by channel with the same random draws: skip a channel whose
    /// error is zero everywhere, else its weights (first `weightChannels` outChannels only), then its bias.
    func update(_ n: NodeTwin, params p: inout IntegerParameters, inputs x: [[Int8]], error: [Int8], exponent: Int, rng: inout XorShift32) {
        var grad = [Int32](repeating: 0, count: p.weights.count)
        eachTap { o, i, w in grad[w] &+= Int32(error[o]) * Int32(x[0][i]) }
        let trained = n.node.update.weightChannels(of: outChannels)
        let ws = n.numerics.weightUpdateBase - exponent, bs = n.numerics.biasUpdateBase - exponent
        for c in 0..<outChannels {
            let column = stride(from: c, to: error.count, by: outChannels).map { Int32(error[$0]) }
            guard column.contains(where: { $0 != 0 }) else { continue }
            if c < trained {
                for w in weightIndices(of: c) {
                    p.weights[w] = IntegerKernels.saturate8(Int32(p.weights[w]) - IntegerKernels.stochasticShift(grad[w], ws, &rng))
                }
            }
            p.bias[c] &-= IntegerKernels.stochasticShift(column.reduce(0, &+), bs, &rng)
        }
    }

    // MARK: float twin

    func floatForward(inputs x: [[Float]], params: FloatParameters?) -> [Float] {
        let p = params!
        var acc = (0..<g.output.count).map { p.bias[$0 % outChannels] }
        eachTap { o, i, w in acc[o] += p.weights[w] * x[0][i] }
        return acc
    }

    func floatBackward(inputs x: [[Float]], gradient: [Float], params: FloatParameters?) -> (inputs: [[Float]], weights: [Float], bias: [Float]) {
        let p = params!
        var dx = [Float](repeating: 0, count: g.input.count), dw = [Float](repeating: 0, count: p.weights.count)
        var db = [Float](repeating: 0, count: outChannels)
        for (o, e) in gradient.enumerated() { db[o % outChannels] += e }
        eachTap { o, i, w in
            dx[i] += p.weights[w] * gradient[o]
            dw[w] += gradient[o] * x[0][i]
        }
        return ([dx], dw, db)
    }
}
