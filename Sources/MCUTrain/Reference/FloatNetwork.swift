import Foundation

/// The same model in float32, started from the device's initial weights and fed the same
/// samples in the same order: the accuracy the int8 step would reach without quantisation.
public struct FloatNetwork: Sendable {
    public private(set) var weights: [[Float]]
    public private(set) var biases: [[Float]]
    private let shapes: [(inputs: Int, units: Int, relu: Bool)]
    private let learningRate: Float

    public init(from network: IntegerNetwork, learningRate: Double) {
        shapes = network.plan.layers.map { ($0.inputs, $0.units, $0.relu) }
        weights = zip(network.weights, network.plan.layers).map { w, layer in
            w.map { Float($0) / Float(1 << layer.weightFracBits) }
        }
        biases = shapes.map { [Float](repeating: 0, count: $0.units) }
        self.learningRate = Float(learningRate)
    }

    /// Each layer's input, and the logits last.
    private func forward(_ input: [Float]) -> [[Float]] {
        var activations = [input]
        for (l, shape) in shapes.enumerated() {
            let x = activations[l]
            activations.append((0..<shape.units).map { j in
                var sum = biases[l][j]
                for i in 0..<shape.inputs { sum += weights[l][j * shape.inputs + i] * x[i] }
                return shape.relu ? max(0, sum) : sum
            })
        }
        return activations
    }

    public func predict(_ input: [Float]) -> Int {
        let logits = forward(input).last!
        return logits.indices.max { logits[$0] < logits[$1] }!
    }

    /// One SGD step of softmax cross-entropy; returns the loss.
    @discardableResult
    public mutating func trainStep(_ input: [Float], label: Int) -> Float {
        let activations = forward(input)
        let logits = activations.last!
        let top = logits.max()!
        let e = logits.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        var delta = e.map { $0 / sum }
        let loss = -log(max(delta[label], 1e-30))
        delta[label] -= 1
        for l in stride(from: shapes.count - 1, through: 0, by: -1) {
            let shape = shapes[l], x = activations[l]
            var below = [Float](repeating: 0, count: shape.inputs)
            if l > 0 {
                for i in 0..<shape.inputs where x[i] > 0 {
                    for j in 0..<shape.units { below[i] += weights[l][j * shape.inputs + i] * delta[j] }
                }
            }
            for j in 0..<shape.units {
                for i in 0..<shape.inputs { weights[l][j * shape.inputs + i] -= learningRate * delta[j] * x[i] }
                biases[l][j] -= learningRate * delta[j]
            }
            delta = below
        }
        return loss
    }
}
