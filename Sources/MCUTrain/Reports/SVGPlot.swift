import Foundation

/// A chart's frame in SVG: linear axes with round ticks, grid lines, titles. The charts of
/// `compare`'s HTML report draw their marks inside it; nothing here knows what is plotted.
struct SVGPlot {
    struct Axis {
        let lo: Double, hi: Double, ticks: [Double], label: String
        let format: (Double) -> String

        /// Round ticks covering `lo...hi`, about `count` of them.
        init(covering lo: Double, _ hi: Double, label: String, count: Int = 5, integer: Bool = false, format: @escaping (Double) -> String) {
            let span = max(hi - lo, abs(hi) * 1e-3, 1e-9)
            let raw = span / Double(count)
            let magnitude = pow(10, floor(log10(raw)))
            let round = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
            let step = integer ? max(1, round.rounded(.up)) : round
            let first = floor(lo / step) * step, last = ceil(hi / step) * step
            self.lo = first; self.hi = max(last, first + step)
            ticks = stride(from: first, through: self.hi + step / 2, by: step).map { $0 }
            self.label = label; self.format = format
        }
    }

    let width: Double, height: Double
    var left = 70.0, right = 34.0, top = 34.0, bottom = 46.0
    let x: Axis, y: Axis

    init(width: Double, height: Double, x: Axis, y: Axis, left: Double = 70) {
        self.width = width; self.height = height; self.x = x; self.y = y; self.left = left
    }

    func px(_ v: Double) -> Double { left + (v - x.lo) / (x.hi - x.lo) * (width - left - right) }
    func py(_ v: Double) -> Double { top + (1 - (v - y.lo) / (y.hi - y.lo)) * (height - top - bottom) }

    /// An `<svg>` with the title, grid, ticks and axis labels around `marks`.
    /// `xLabelAt`: the x axis title's baseline, when a legend takes the bottom of the chart.
    func svg(title: String, marks: [String], yTicks: Bool = true, xLabelAt: Double? = nil) -> String {
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\">",
                     "<title>\(escapeXML(title))</title>",
                     text(n(left), "18", title, "title")]
        for t in x.ticks {
            parts.append(line(px(t), top, px(t), height - bottom, "grid"))
            parts.append(text(n(px(t)), n(height - bottom + 16), x.format(t), "tick", anchor: "middle"))
        }
        if yTicks {
            for t in y.ticks {
                parts.append(line(left, py(t), width - right, py(t), "grid"))
                parts.append(text(n(left - 6), n(py(t) + 4), y.format(t), "tick", anchor: "end"))
            }
        }
        parts.append("<rect class=\"frame\" x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(width - left - right))\" height=\"\(n(height - top - bottom))\"/>")
        parts.append(text(n((left + width - right) / 2), n(xLabelAt ?? height - 8), x.label, "axis", anchor: "middle"))
        if !y.label.isEmpty {
            parts.append("<text class=\"axis\" text-anchor=\"middle\" transform=\"translate(14 \(n((top + height - bottom) / 2))) rotate(-90)\">\(escapeXML(y.label))</text>")
        }
        return (parts + marks + ["</svg>"]).joined(separator: "\n")
    }
}

func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ cls: String, style: String = "") -> String {
    "<line class=\"\(cls)\" x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"\(style.isEmpty ? "" : " style=\"\(style)\"")/>"
}

func text(_ x: String, _ y: String, _ content: String, _ cls: String, anchor: String = "start") -> String {
    "<text class=\"\(cls)\" x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor)\">\(escapeXML(content))</text>"
}

/// A coordinate with at most one decimal: short files, the same bytes on every machine.
func n(_ v: Double) -> String { format(v, 1) }

/// At most `limit` characters, the cut marked: chart labels must not run over their neighbours.
func clipped(_ s: String, _ limit: Int) -> String { s.count <= limit ? s : String(s.prefix(limit - 1)) + "…" }

/// Distinguishable on white and in greyscale print, one per variant.
let chartColors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
