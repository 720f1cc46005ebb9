/// The comparison as Markdown (for a pull request or a wiki) and CSV (one row per cell).
public enum ComparisonTables {
    public static func markdown(_ s: ComparisonSummary) -> String {
        let m = s.comparison.matrix
        var lines = ["# MCUTrain comparison", "",
                     "\(s.comparison.cells.count) runs\(s.comparison.shard.map { " (shard \($0) of the matrix's \(m.cells.count))" } ?? ""): \(m.epochs) epochs each, seeds \(m.seeds.map(String.init).joined(separator: ", ")), data \(m.data ?? "default"). Every step ran in the emulator; energy is a datasheet-based estimate.",
                     "", "## What to ship", "", "Rule: \(ComparisonSummary.rule).", ""]
        for g in s.groups {
            lines.append("- **\(g.model) on \(g.board)**: " + (g.recommended.map { "`\($0.label)`: " + shipDetails($0, in: g) } ?? "no variant fits this board"))
        }
        lines += ["", "## Every variant", "", "Accuracy is the mean over seeds (range in brackets); peak RAM is the largest over seeds; backward MACs are the share of full backprop's.", "",
                  variantTable(s).markdown(textColumns: 3)]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The figures behind a board's pick, as both reports print them.
    static func shipDetails(_ v: ComparisonSummary.Variant, in g: ComparisonSummary.Group) -> String {
        "\(percent(v.accuracy)) test accuracy (best \(percent(g.bestAccuracy))), \(grouped(Int(v.cyclesPerStep.rounded()))) cycles = \(format(v.msPerStep, 3)) ms per step, peak RAM \(grouped(v.worstRAM.ram.peakBytes)) B of \(grouped(v.worstRAM.ramBudgetBytes)) B"
            + (v.energyPerStep.map { ", \(format($0, 2)) µJ per step" } ?? "")
    }

    /// Every variant, a row each; the last column says whether it is on its Pareto front.
    static func variantTable(_ s: ComparisonSummary) -> TextTable {
        var table = TextTable(headers: ["model", "board", "variant", "test acc", "float acc", "cycles/step", "ms/step", "µJ/step", "mJ/epoch",
                                        "backward MACs", "peak RAM B", "RAM budget", "flash B", "Pareto"])
        for g in s.groups {
            let front = Set(g.paretoFront)
            for (i, v) in g.variants.enumerated() {
                table.rows.append([v.model, v.board, v.label, accuracy(v), percent(v.floatAccuracy), grouped(Int(v.cyclesPerStep.rounded())),
                                   format(v.msPerStep, 3), v.energyPerStep.map { format($0, 2) } ?? "-", v.energyPerEpoch.map { format($0 / 1000, 1) } ?? "-",
                                   percent(v.backwardShare), grouped(v.worstRAM.ram.peakBytes), grouped(v.worstRAM.ramBudgetBytes), grouped(v.flashBytes),
                                   front.contains(i) ? "yes" : ""])
            }
        }
        return table
    }

    static func accuracy(_ v: ComparisonSummary.Variant) -> String {
        v.cells.count == 1 ? percent(v.accuracy) : "\(percent(v.accuracy)) [\(percent(v.accuracyRange.lowerBound))–\(percent(v.accuracyRange.upperBound))]"
    }

    public static func csv(_ c: Comparison) -> String {
        let header = ["cell", "model", "board", "core", "clock_hz", "kernels", "algorithm", "seed", "test_accuracy", "float_reference_accuracy",
                      "cycles_per_step_mean", "cycles_per_step_max", "ms_per_step", "cycles_per_inference_mean", "energy_per_step_uj", "energy_per_epoch_uj",
                      "backward_macs_total", "backward_macs_full_total", "peak_ram_bytes", "parameters_bytes", "arena_bytes", "state_bytes",
                      "other_static_bytes", "stack_peak_bytes", "ram_budget_bytes", "flash_bytes", "flash_budget_bytes"]
        let rows = c.cells.map { x -> [String] in
            [String(x.index), x.model, x.board, x.core, String(x.clockHz), x.kernels.rawValue, x.algorithm, String(x.seed), String(x.testAccuracy), String(x.floatReferenceAccuracy),
             String(x.cyclesPerStepMean), String(x.cyclesPerStepMax), String(x.msPerStep), String(x.cyclesPerInferenceMean),
             x.energyPerStepMicrojoules.map { String($0) } ?? "", x.energyPerEpochMicrojoules.map { String($0) } ?? "",
             String(x.backwardMACsTotal), String(x.backwardMACsFullTotal), String(x.ram.peakBytes), String(x.ram.parameters), String(x.ram.arena),
             String(x.ram.state), String(x.ram.other), String(x.ram.stackPeakBytes), String(x.ramBudgetBytes), String(x.flashBytes), String(x.flashBudgetBytes)]
        }
        return ([header] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Quoted when it holds a comma, quote or line break (algorithm variants hold commas).
    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
