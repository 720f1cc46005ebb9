/// Where a window of a convolution or pooling layer sits: NHWC shapes, kernel, stride and the
/// top/left padding ("same" pads like TensorFlow: the odd pixel goes bottom/right).
struct Geometry: Sendable, Equatable {
    let input: Shape
    let output: Shape
    let kh: Int, kw: Int, stride: Int
    let padTop: Int, padLeft: Int

    init(input: Shape, outChannels: Int, kernel: [Int]?, stride: Int?, padding: ModelSpec.LayerSpec.Padding?, field: String) throws {
        guard let k = kernel, k.count == 2, k.allSatisfy({ (1...15).contains($0) }) else {
            throw ConfigError("field '\(field).kernel' must be [height, width] (or one number), each 1...15")
        }
        let s = stride ?? 1
        guard (1...4).contains(s) else { throw ConfigError("field '\(field).stride' must be 1...4") }
        let (oh, ow, pt, pl): (Int, Int, Int, Int)
        if (padding ?? .valid) == .same {
            oh = (input.h + s - 1) / s; ow = (input.w + s - 1) / s
            pt = max(0, (oh - 1) * s + k[0] - input.h) / 2
            pl = max(0, (ow - 1) * s + k[1] - input.w) / 2
        } else {
            guard input.h >= k[0], input.w >= k[1] else {
                throw ConfigError("field '\(field).kernel': \(k[0])x\(k[1]) is larger than the \(input) input with valid padding")
            }
            oh = (input.h - k[0]) / s + 1; ow = (input.w - k[1]) / s + 1; pt = 0; pl = 0
        }
        self.input = input
        self.output = Shape(oh, ow, outChannels)
        kh = k[0]; kw = k[1]; self.stride = s; padTop = pt; padLeft = pl
    }

    /// `static const mct_dims_t <prefix>_dims = {...};`
    func cDims(_ prefix: String) -> String {
        let v = [input.h, input.w, input.c, output.h, output.w, output.c, kh, kw, stride, padTop, padLeft]
        return "static const mct_dims_t \(prefix)_dims = {\(v.map(String.init).joined(separator: ", "))};"
    }

    /// Kernel taps that land inside the input, over all output positions: MACs per channel pair.
    var tapsInside: Int {
        var n = 0
        for oy in 0..<output.h { for ky in 0..<kh where inY(oy, ky) != nil { n += 1 } }
        var m = 0
        for ox in 0..<output.w { for kx in 0..<kw where inX(ox, kx) != nil { m += 1 } }
        return n * m
    }

    /// Input row (or column) under kernel tap k of output row o, nil where it falls in the padding.
    @inline(__always) func inY(_ o: Int, _ k: Int) -> Int? { let y = o * stride + k - padTop; return y >= 0 && y < input.h ? y : nil }
    @inline(__always) func inX(_ o: Int, _ k: Int) -> Int? { let x = o * stride + k - padLeft; return x >= 0 && x < input.w ? x : nil }
}
