import Foundation

/// The same graph in float32, started from the device's initial weights (dequantised) and fed
/// the same samples in the same order: the accuracy the int8 step would reach without
/// quantisation. It trains exactly the parameters the update scheme trains.
public struct FloatNetwork: Sendable {
    public let graph: Graph
    public private(set) var params: [FloatParameters?]
    private let learningRate: Float

    public init(_ model: QuantizedModel) {
        graph = model.graph
        params = model.floatInitial
        learningRate = Float(model.spec.training.learningRate)
    }

    /// Every tensor (post-activation) and every layer's pre-activation output.
    static func forward(_ graph: Graph, _ params: [FloatParameters?], _ input: [Float]) -> (outputs: [[Float]], preActivation: [[Float]]) {
        var outputs = [input], pre: [[Float]] = []
        for node in graph.nodes {
            let z = node.kind.floatForward(inputs: node.inputs.map { outputs[$0] }, params: params[node.index])
            pre.append(z)
            switch node.kind.activation {
            case .none: outputs.append(z)
            case .relu: outputs.append(z.map { max(0, $0) })
            case .relu6: outputs.append(z.map { min(6, max(0, $0)) })
            }
        }
        return (outputs, pre)
    }

    public func predict(_ input: [Float]) -> Int {
        let logits = Self.forward(graph, params, input).outputs.last!
        return logits.indices.max { logits[$0] < logits[$1] }!
    }

    /// Softmax cross-entropy loss and the gradient of every trained parameter, by backprop
    /// through the graph (errors of a tensor read twice are summed).
    public func gradients(_ input: [Float], label: Int) -> (loss: Float, weights: [[Float]], bias: [[Float]]) {
        let (outputs, pre) = Self.forward(graph, params, input)
        let logits = outputs.last!
        let top = logits.max()!
        let e = logits.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        var delta = e.map { $0 / sum }
        let loss = -log(max(delta[label], 1e-30))
        delta[label] -= 1
        var grads = [[Float]?](repeating: nil, count: outputs.count)
        grads[outputs.count - 1] = delta
        var dw = [[Float]](repeating: [], count: graph.nodes.count), db = dw
        for node in graph.nodes.reversed() where node.needsOutputError {
            guard var g = grads[node.output] else { continue }
            let z = pre[node.index]
            switch node.kind.activation {
            case .none: break
            case .relu: g = zip(g, z).map { $1 > 0 ? $0 : 0 }
            case .relu6: g = zip(g, z).map { $1 > 0 && $1 < 6 ? $0 : 0 }
            }
            let back = node.kind.floatBackward(inputs: node.inputs.map { outputs[$0] }, gradient: g, params: params[node.index])
            for (k, t) in node.inputs.enumerated() where graph.needsError[t] {
                grads[t] = grads[t].map { zip($0, back.inputs[k]).map(+) } ?? back.inputs[k]
            }
            dw[node.index] = back.weights
            db[node.index] = back.bias
        }
        return (loss, dw, db)
    }

    /// One SGD step; returns the loss.
    @discardableResult
    public mutating func trainStep(_ input: [Float], label: Int) -> Float {
        let g = gradients(input, label: label)
        for node in graph.nodes where node.update.trains {
            guard var p = params[node.index], let shape = node.kind.parameters else { continue }
            let channels = node.update.weightChannels(of: shape.channels)
            for (i, d) in g.weights[node.index].enumerated() where QuantizedModel.channel(of: i, shape, node) < channels {
                p.weights[i] -= learningRate * d
            }
            for c in 0..<shape.channels { p.bias[c] -= learningRate * g.bias[node.index][c] }
            params[node.index] = p
        }
        return g.loss
    }
}
