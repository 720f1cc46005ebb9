/// The SVG charts of the HTML report. Each answers one question of "which variant do I ship?":
/// what accuracy each cycle buys, whether the RAM and flash fit, how fast each one learns.
enum ComparisonCharts {
    /// Accuracy against cycles per step on one board; the Pareto front dashed, the
    /// recommended variant ringed, seed ranges as bars, a legend of the variants below.
    static func pareto(_ g: ComparisonSummary.Group, colors: [String: String]) -> String {
        let vs = g.variants
        let cycles = vs.map(\.cyclesPerStep), accs = vs.flatMap { [$0.accuracyRange.lowerBound, $0.accuracyRange.upperBound] }.map { $0 * 100 }
        var plot = SVGPlot(width: 520, height: 340 + 16 * Double(vs.count),
                           x: .init(covering: 0, cycles.max()! * 1.1, label: "cycles per training step (mean)", format: { grouped(Int($0)) }),
                           y: .init(covering: max(0, accs.min()! - 2), min(100, accs.max()! + 1), label: "test accuracy %", format: { format($0, 1) }))
        plot.bottom += 16 * Double(vs.count)
        var marks: [String] = []
        let front = g.paretoFront
        if front.count > 1 {
            let points = front.map { "\(n(plot.px(vs[$0].cyclesPerStep))),\(n(plot.py(vs[$0].accuracy * 100)))" }.joined(separator: " ")
            marks.append("<polyline class=\"front\" points=\"\(points)\"/>")
        }
        let recommended = g.recommended
        for (i, v) in vs.enumerated() {
            let x = plot.px(v.cyclesPerStep), y = plot.py(v.accuracy * 100), color = colors[v.label] ?? chartColors[0]
            if v.cells.count > 1 {
                marks.append(line(x, plot.py(v.accuracyRange.lowerBound * 100), x, plot.py(v.accuracyRange.upperBound * 100), "range", style: "stroke:\(color)"))
            }
            if front.contains(i) { marks.append("<circle class=\"onfront\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"9\"/>") }
            if recommended?.label == v.label { marks.append("<circle class=\"ship\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"13\"/>") }
            marks.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"5\" fill=\"\(color)\"\(v.fits ? "" : " fill-opacity=\"0.25\"")><title>\(escapeXML(tooltip(v)))</title></circle>")
            let row = plot.height - 16 * Double(vs.count - i) + 2
            marks.append("<circle cx=\"\(n(plot.left + 5))\" cy=\"\(n(row - 4))\" r=\"5\" fill=\"\(color)\"/>")
            marks.append(text(n(plot.left + 16), n(row), clipped(v.label, 70) + (v.fits ? "" : " (does not fit)") + (recommended?.label == v.label ? ": ship" : ""), "label"))
        }
        return plot.svg(title: "\(clipped(g.model, 30)) on \(clipped(g.board, 20)): accuracy vs cycles", marks: marks, xLabelAt: 340 - 8)
    }

    static func tooltip(_ v: ComparisonSummary.Variant) -> String {
        "\(v.label): \(percent(v.accuracy)), \(grouped(Int(v.cyclesPerStep.rounded()))) cycles/step, \(format(v.msPerStep, 3)) ms"
    }

    static let ramParts: [(name: String, color: String, bytes: (ComparisonCell) -> Int)] = [
        ("parameters", "#4e79a7", { $0.ram.parameters }), ("arena", "#f28e2b", { $0.ram.arena }), ("state", "#59a14f", { $0.ram.state }),
        ("other static", "#bab0ac", { $0.ram.other }), ("stack (peak)", "#e15759", { $0.ram.stackPeakBytes }),
    ]

    /// Peak RAM of every variant on one board as stacked bars, against the board's budget.
    static func ram(board: String, variants: [ComparisonSummary.Variant]) -> String {
        let budget = variants[0].worstRAM.ramBudgetBytes
        let bars = variants.map { v in (label: "\(v.model) · \(v.label)", parts: ramParts.map { p in (p.name, p.color, p.bytes(v.worstRAM)) }) }
        return stackedBars(title: "\(clipped(board, 20)): peak RAM vs the \(grouped(budget)) B budget", axis: "bytes", bars: bars, limit: budget,
                           legend: ramParts.map { ($0.name, $0.color) })
    }

    /// Flash use of every variant on one board against the board's flash.
    static func flash(board: String, variants: [ComparisonSummary.Variant]) -> String {
        let budget = variants[0].cells[0].flashBudgetBytes
        let bars = variants.map { (label: "\($0.model) · \($0.label)", parts: [("flash", "#76b7b2", $0.flashBytes)]) }
        return stackedBars(title: "\(clipped(board, 20)): flash vs its \(grouped(budget)) B", axis: "bytes", bars: bars, limit: budget, legend: [])
    }

    private static func stackedBars(title: String, axis: String, bars: [(label: String, parts: [(String, String, Int)])], limit: Int,
                                    legend: [(String, String)]) -> String {
        let row = 26.0, labelWidth = 190.0
        let totals = bars.map { $0.parts.reduce(0) { $0 + $1.2 } }
        var plot = SVGPlot(width: 550, height: 34 + 46 + 22 + row * Double(bars.count),
                           x: .init(covering: 0, Double(max(limit, totals.max()!)) * 1.02, label: axis, format: { grouped(Int($0)) }),
                           y: .init(covering: 0, Double(bars.count), label: "", format: { _ in "" }), left: labelWidth)
        plot.top = 56
        var marks: [String] = []
        for (i, (name, color)) in legend.enumerated() {
            let x = 20 + Double(i) * 100
            marks.append("<rect x=\"\(n(x))\" y=\"30\" width=\"12\" height=\"12\" fill=\"\(color)\"/>")
            marks.append(text(n(x + 16), "40", name, "tick"))
        }
        for (i, bar) in bars.enumerated() {
            let y = plot.top + 4 + row * Double(i)
            var x = 0
            marks.append("<text class=\"tick\" x=\"\(n(labelWidth - 8))\" y=\"\(n(y + 15))\" text-anchor=\"end\">\(escapeXML(clipped(bar.label, 30)))<title>\(escapeXML(bar.label))</title></text>")
            for (name, color, bytes) in bar.parts where bytes > 0 {
                marks.append("<rect x=\"\(n(plot.px(Double(x))))\" y=\"\(n(y))\" width=\"\(n(max(plot.px(Double(x + bytes)) - plot.px(Double(x)), 0.5)))\" height=\"18\" fill=\"\(color)\"><title>\(escapeXML("\(name): \(grouped(bytes)) B"))</title></rect>")
                x += bytes
            }
            marks.append(text(n(plot.px(Double(x)) + 6), n(y + 14), "\(grouped(x)) B (\(percent(fraction(x, of: limit))))", "label"))
        }
        marks.append(line(plot.px(Double(limit)), plot.top - 4, plot.px(Double(limit)), plot.height - plot.bottom, "limit"))
        return plot.svg(title: title, marks: marks, yTicks: false)
    }

    /// Test accuracy by epoch, one line per algorithm: the int8 arithmetic is the same on every
    /// board and in every kernel variant, so they share a line unless their curves differ.
    static func learning(model: String, groups: [ComparisonSummary.Group]) -> String {
        var curves: [(label: String, color: String, values: [Double])] = []
        for (i, algorithm) in unique(groups.flatMap { $0.variants.map(\.algorithm) }).enumerated() {
            let color = chartColors[i % chartColors.count]
            let runs = groups.flatMap { g in g.variants.filter { $0.algorithm == algorithm }.map { ("\($0.kernels.rawValue) on \(g.board)", $0.accuracyByEpoch) } }
            if Set(runs.map { $0.1 }).count == 1 {
                curves.append((algorithm + (runs.count > 1 ? " (all \(runs.count) runs alike)" : ""), color, runs[0].1))
            } else {
                curves += runs.map { ("\(algorithm), \($0.0)", color, $0.1) }
            }
        }
        let epochs = curves.map(\.values.count).max()!
        let all = curves.flatMap(\.values).map { $0 * 100 }
        let plot = SVGPlot(width: 520, height: 340,
                           x: .init(covering: 1, Double(max(epochs, 2)), label: "epoch", count: min(epochs, 10), integer: true, format: { String(Int($0)) }),
                           y: .init(covering: max(0, all.min()! - 2), min(100, all.max()! + 1), label: "test accuracy %", format: { format($0, 1) }))
        var marks: [String] = []
        for (i, c) in curves.enumerated() {
            let points = c.values.enumerated().map { "\(n(plot.px(Double($0.offset + 1)))),\(n(plot.py($0.element * 100)))" }.joined(separator: " ")
            marks.append("<polyline class=\"curve\" points=\"\(points)\" style=\"stroke:\(c.color)\"><title>\(escapeXML(c.label))</title></polyline>")
            let y = plot.top + 14 + Double(i) * 16
            marks.append(line(plot.left + 10, y - 4, plot.left + 28, y - 4, "curve", style: "stroke:\(c.color)"))
            marks.append(text(n(plot.left + 34), n(y), clipped(c.label, 62), "label"))
        }
        return plot.svg(title: "\(clipped(model, 30)): test accuracy by epoch", marks: marks)
    }
}
