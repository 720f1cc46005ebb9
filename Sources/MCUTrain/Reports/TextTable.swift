/// A right-aligned plain-text table: the first column left-aligned, the rest right-aligned.
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    func render() -> String {
        let widths = headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// The same table in Markdown, the first `textColumns` left-aligned, the rest right-aligned.
    func markdown(textColumns: Int = 1) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        let rule = "| " + headers.indices.map { $0 < textColumns ? "---" : "---:" }.joined(separator: " | ") + " |"
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// part / whole, 0 for an empty whole (a run with no steps of that kind).
func fraction(_ part: Int, of whole: Int) -> Double { whole > 0 ? Double(part) / Double(whole) : 0 }

func percent(_ x: Double, digits: Int = 1) -> String { format(x * 100, digits) + "%" }

func format(_ x: Double, _ digits: Int) -> String {
    let scale = pow10(digits)
    let r = (x * scale).rounded() / scale
    var text = String(r)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        text += String(repeating: "0", count: max(0, digits - decimals))
        if digits == 0 { text = String(text[..<dot]) }
    } else if digits > 0 {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }

/// 1234567 → "1,234,567": byte and cycle counts are easier to read grouped.
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}
