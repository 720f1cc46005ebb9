/// A budget check as JUnit XML, the format CI systems (GitHub, GitLab, Jenkins) display as
/// test results: one suite per model and board, one test case per limit.
public enum JUnitReport {
    public static func xml(_ outcomes: [BudgetCheck.Outcome], budgetFile: String) -> String {
        func count(_ os: [BudgetCheck.Outcome], _ kind: (BudgetCheck.Outcome.Verdict) -> Bool) -> Int { os.filter { kind($0.verdict) }.count }
        let failed = { (v: BudgetCheck.Outcome.Verdict) in v == .breached }, skipped = { (v: BudgetCheck.Outcome.Verdict) in v.skipped }
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<testsuites name=\"\(escapeXML("mcutrain check " + budgetFile))\" tests=\"\(outcomes.count)\" failures=\"\(count(outcomes, failed))\" skipped=\"\(count(outcomes, skipped))\">"]
        for pair in unique(outcomes.map { [$0.model, $0.board] }) {
            let mine = outcomes.filter { [$0.model, $0.board] == pair }
            let suite = "\(pair[0]) on \(pair[1])"
            lines.append("  <testsuite name=\"\(escapeXML(suite))\" tests=\"\(mine.count)\" failures=\"\(count(mine, failed))\" skipped=\"\(count(mine, skipped))\">")
            for o in mine {
                lines.append("    <testcase classname=\"\(escapeXML("budget." + pair.joined(separator: ".")))\" name=\"\(escapeXML(o.limit))\">")
                switch o.verdict {
                case .passed: lines.append("      <system-out>\(escapeXML(o.message + "; " + o.basis))</system-out>")
                case .breached: lines.append("      <failure type=\"budget breached\" message=\"\(escapeXML(o.message))\">\(escapeXML(o.basis))</failure>")
                case .notMeasured(let why): lines.append("      <skipped message=\"\(escapeXML(why))\"/>")
                }
                lines.append("    </testcase>")
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }
}
