/// The human-readable form of a simulation: per-epoch table, an accuracy chart, and the
/// RAM and flash summary.
public enum SimulationText {
    public static func render(_ r: SimulationReport) -> String {
        let skips = r.epochs.contains { $0.skippedSamples > 0 }
        var table = TextTable(headers: ["epoch", "train loss", "train acc", "test acc", "float acc", "cycles/step", "max cycles", "ms/step", "backward"]
                              + (skips ? ["skipped"] : []))
        for e in r.epochs {
            table.rows.append([String(e.epoch), format(e.trainLoss, 4), percent(e.trainAccuracy), percent(e.testAccuracy),
                               percent(e.floatReferenceAccuracy), e.cyclesPerStepMean.map { grouped(Int($0.rounded())) } ?? "-",
                               e.cyclesPerStepMax.map { grouped(Int($0)) } ?? "-", e.msPerStep.map { format($0, 3) } ?? "-",
                               percent(fraction(e.backwardMACs, of: e.backwardMACsFull))] + (skips ? [grouped(e.skippedSamples)] : []))
        }
        let kept = r.epochs.last?.keptSummary
        let gap = (r.floatReferenceAccuracy - r.testAccuracy) * 100
        let ram = r.ram
        let share = Double(r.peakRamBytes) / Double(r.ramBudgetBytes)
        let parts: [(String, Int)] = [("parameters", ram.parameters), ("arena", ram.arena), ("state", ram.state),
                                      ("other static", ram.other), ("stack (peak)", ram.stackPeakBytes)]
        let breakdown = parts.map { "    \($0.0.padding(toLength: 14, withPad: " ", startingAt: 0)) \(grouped($0.1).leftPadded(to: 9, with: " ")) B" }
        return """
        \(r.model) on \(r.board) (\(format(Double(r.clockHz) / 1e6, 0)) MHz, \(r.update) update, \(r.algorithm), \(r.kernels) kernels): \(r.trainSamples) training / \(r.testSamples) test samples of \(r.dataset), seed \(r.seed)
        input: \(r.dataPreparation.featureScaling)\(classes(r.dataPreparation.classNames))

        \(table.render())

        test accuracy (device int8 ● vs float32 ○), by epoch:
        \(AccuracyChart.render(device: r.epochs.map(\.testAccuracy), reference: r.epochs.map(\.floatReferenceAccuracy)))

        summary
          test accuracy       \(percent(r.testAccuracy)) on the device, \(percent(r.floatReferenceAccuracy)) float32 reference (gap \(format(gap, 1)) points)
          cycles per step     \(grouped(Int(r.cyclesPerStepMean.rounded()))) mean, \(grouped(Int(r.cyclesPerStepMax))) max = \(format(r.msPerStep, 3)) ms at \(format(Double(r.clockHz) / 1e6, 0)) MHz (\(grouped(r.forwardMACs)) MACs forward)
          backward MACs       \(grouped(r.backwardMACsTotal)) run by the firmware = \(percent(fraction(r.backwardMACsTotal, of: r.backwardMACsFullTotal))) of full backprop's \(grouped(r.backwardMACsFullTotal))\(kept.map { "; channels kept (last epoch, mean): " + $0 } ?? "")
          measured in         \(r.measuredIn)
          cycles per inference \(grouped(Int(r.cyclesPerInferenceMean.rounded())))
          peak RAM            \(grouped(r.peakRamBytes)) B of \(grouped(r.ramBudgetBytes)) B (\(percent(share))): static \(grouped(ram.staticBytes)) (planned \(grouped(ram.predictedStaticBytes))) + stack \(grouped(ram.stackPeakBytes))
        \(breakdown.joined(separator: "\n"))
          flash               \(grouped(r.flashBytes)) B
          energy              \(energy(r.energy))
          emulation           \(grouped(Int(r.emulatedInstructions))) instructions in \(format(r.wallSeconds, 1)) s = \(format(r.emulatedMIPS, 1)) MIPS
        """
    }
}

/// "12.3 µJ per step, 17.6 mJ per epoch (estimate: ...)", or why there is no figure.
private func energy(_ e: SimulationReport.Energy?) -> String {
    guard let e else { return "no estimate: the board file gives no active_current" }
    let epoch = e.perEpochMicrojoules.map { ", \(format($0 / 1000, 2)) mJ per epoch" } ?? ""
    return "\(format(e.perStepMicrojoules, 2)) µJ per step\(epoch) (\(e.basis): \(format(e.microampsPerMHz, 1)) µA/MHz at \(format(e.supplyVolts, 2)) V, \(e.source))"
}

/// "; classes 0 = benign, 1 = malignant" when the labels were mapped to class numbers.
private func classes(_ names: [String]?) -> String {
    names.map { "; classes " + $0.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ") } ?? ""
}

/// A small text plot: one column per epoch, one row per accuracy band.
enum AccuracyChart {
    static func render(device: [Double], reference: [Double], height: Int = 8) -> String {
        let all = device + reference
        let hi = min(1, all.max()!), lo = min(max(0, (all.min()! * 100).rounded(.down) / 100), hi - 0.01)
        func row(_ v: Double) -> Int { Int(((v - lo) / (hi - lo) * Double(height - 1)).rounded()) }
        var lines: [String] = []
        for level in stride(from: height - 1, through: 0, by: -1) {
            let label = level == height - 1 ? percent(hi, digits: 0) : level == 0 ? percent(lo, digits: 0) : ""
            let cells = device.indices.map { i -> String in
                let d = row(device[i]) == level, f = row(reference[i]) == level
                return d ? "●" : f ? "○" : " "
            }
            lines.append(label.leftPadded(to: 6, with: " ") + " |" + cells.joined(separator: " "))
        }
        lines.append("       +" + String(repeating: "-", count: device.count * 2))
        return lines.joined(separator: "\n")
    }
}
