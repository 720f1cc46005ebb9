/// The comparison as one self-contained HTML file (inline CSS and SVG, no script, nothing
/// fetched): what to ship on each board first, then the charts, then every figure.
public enum ComparisonHTML {
    public static func render(_ s: ComparisonSummary) -> String {
        let m = s.comparison.matrix
        let labels = unique(s.groups.flatMap { $0.variants.map(\.label) })
        let colors = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, chartColors[$0.offset % chartColors.count]) })
        var body = ["<h1>MCUTrain comparison</h1>",
                    "<p>\(s.comparison.cells.count) runs\(s.comparison.shard.map { " (shard \($0) of \(m.cells.count))" } ?? ""), \(m.epochs) epochs each, seeds \(m.seeds.map(String.init).joined(separator: ", ")), data \(escapeXML(m.data ?? "default")). Every training step ran in the emulated board; cycles come from the cycle model, peak RAM from the run. Energy is an estimate from the board file's datasheet current.</p>",
                    "<h2>What to ship</h2>", "<p class=\"rule\">Rule: \(escapeXML(ComparisonSummary.rule)).</p>", "<ul class=\"ship\">"]
        for g in s.groups {
            body.append("<li><b>\(escapeXML(g.model)) on \(escapeXML(g.board))</b>: " + (g.recommended.map { v in
                "<code>\(escapeXML(v.label))</code>: \(escapeXML(ComparisonTables.shipDetails(v, in: g)))"
            } ?? "no variant fits this board") + "</li>")
        }
        body.append("</ul>")
        for model in unique(s.groups.map(\.model)) {
            let groups = s.groups.filter { $0.model == model }
            body.append("<h2>\(escapeXML(model))</h2><p class=\"rule\">Each dot is a variant (mean over seeds; bars: the seeds' range). Dashed: the Pareto front of the variants that fit, where none is both more accurate and cheaper; ringed twice: the one to ship; faint: does not fit the board.</p><div class=\"charts\">")
            body += groups.map { ComparisonCharts.pareto($0, colors: colors) }
            body.append(ComparisonCharts.learning(model: model, groups: groups))
            body.append("</div>")
        }
        body.append("<h2>Memory</h2><p class=\"rule\">Peak RAM as measured in the run (static data from the ELF plus the stack's high-water mark), largest over seeds; red dashes: the board's budget.</p><div class=\"charts\">")
        for board in unique(s.groups.map(\.board)) {
            let variants = s.groups.filter { $0.board == board }.flatMap(\.variants)
            body.append(ComparisonCharts.ram(board: board, variants: variants))
            body.append(ComparisonCharts.flash(board: board, variants: variants))
        }
        body.append("</div>")
        body.append("<h2>Every variant</h2>" + table(s))
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>MCUTrain comparison</title>
        <style>
        body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1120px; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; } svg { background: #fff; border: 1px solid #e4e4e4; }
        svg text { font: 11px system-ui, sans-serif; fill: #333; } svg .title { font-size: 13px; font-weight: 600; }
        svg .axis { font-size: 12px; } .grid { stroke: #eee; } .frame { fill: none; stroke: #999; }
        .front { fill: none; stroke: #555; stroke-dasharray: 5 4; } .onfront { fill: none; stroke: #555; }
        .ship { fill: none; stroke: #111; stroke-width: 2.5; } .range { stroke-width: 2; } .curve { fill: none; stroke-width: 2; }
        .limit { stroke: #c00; stroke-width: 2; stroke-dasharray: 6 3; } .rule { color: #555; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 7px; text-align: right; }
        td:nth-child(-n+3), th:nth-child(-n+3) { text-align: left; } tr.front td { background: #f3f8ff; }
        </style></head><body>
        \(body.joined(separator: "\n"))
        </body></html>

        """
    }

    /// The Markdown report's table, its Pareto rows shaded.
    private static func table(_ s: ComparisonSummary) -> String {
        let table = ComparisonTables.variantTable(s)
        let rows = ["<table><tr>" + table.headers.map { "<th>\(escapeXML($0))</th>" }.joined() + "</tr>"] + table.rows.map { cells in
            "<tr\(cells.last == "yes" ? " class=\"front\"" : "")>" + cells.map { "<td>\(escapeXML($0))</td>" }.joined() + "</tr>"
        }
        return rows.joined(separator: "\n") + "</table><p class=\"rule\">Shaded: on the Pareto front of its model and board. Accuracy: mean over seeds [range].</p>"
    }
}
