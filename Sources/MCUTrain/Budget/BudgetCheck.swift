import Foundation

/// Measures every model of a budget file on every board it names and holds each figure
/// against that board's limits. RAM and flash alone come from the planner and the linked ELF;
/// any other limit trains (as `compare` does, through the same cache).
public struct BudgetCheck {
    /// One limit held against one measured figure.
    public struct Outcome: Sendable {
        public enum Verdict: Sendable, Equatable {
            case passed, breached, notMeasured(String)
            public var skipped: Bool { if case .notMeasured = self { true } else { false } }
        }
        public let model: String, board: String
        /// The budget file's field name, e.g. `peak_ram_bytes`.
        public let limit: String
        public let limitValue: Double
        public let measured: Double?
        public let unit: String
        /// How the figure was obtained (planned static RAM + stack reserve, or measured in a run).
        public let basis: String
        public let verdict: Verdict

        /// "peak_ram_bytes 9,032 B > limit 8,192 B: over by 840 B (10.3%)".
        public var message: String {
            let v = { (x: Double) in Self.show(x, self.unit) }
            switch verdict {
            case .notMeasured(let why): return "\(limit): not measured (\(why))"
            case .passed, .breached:
                let m = measured!, lowerIsBetter = limit != "min_accuracy_percent"
                // A gap in percent is in points, and a share of a percentage would only confuse.
                let gap = Self.show(abs(m - limitValue), unit == "%" ? "points" : unit)
                let share = limitValue > 0 && unit != "%" && unit != "points" ? " (\(format(abs(m - limitValue) / limitValue * 100, 1))%)" : ""
                if case .passed = verdict {
                    return "\(limit) \(v(m)) \(lowerIsBetter ? "<=" : ">=") limit \(v(limitValue)): \(gap) to spare"
                }
                return "\(limit) \(v(m)) \(lowerIsBetter ? ">" : "<") limit \(v(limitValue)): \(lowerIsBetter ? "over" : "short") by \(gap)\(share)"
            }
        }

        static func show(_ x: Double, _ unit: String) -> String {
            switch unit {
            case "B", "cycles": return grouped(Int(x.rounded())) + (unit == "B" ? " B" : " cycles")
            case "%": return format(x, 2) + "%"
            case "points": return format(x, 2) + " points"
            default: return format(x, 3) + " " + unit
            }
        }
    }

    public let budget: BudgetFile
    public let cache: RunCache?
    public let buildRoot: String
    public let jobs: Int

    public init(budget: BudgetFile, cache: RunCache?, buildRoot: String, jobs: Int) {
        self.budget = budget; self.cache = cache; self.buildRoot = buildRoot; self.jobs = jobs
    }

    public func run(progress: @escaping (String) -> Void = { _ in }) throws -> [Outcome] {
        let trained = budget.boards.filter(\.needsTraining)
        var cells: [String: ComparisonCell] = [:]
        if !trained.isEmpty {
            let matrix = try ComparisonMatrix(models: budget.models, boards: trained.map(\.board), kernels: [budget.kernels], algorithms: [budget.algorithm],
                                              seeds: [budget.seed], epochs: budget.epochs, data: budget.data)
            progress("training \(matrix.cells.count) runs of \(budget.epochs) epochs for the limits that need one")
            let runner = ComparisonRunner(matrix: matrix, cache: cache, buildRoot: buildRoot, jobs: jobs)
            let results = try runner.run(matrix.cells) { event in
                if case .cell(let c, let r, let cached) = event {
                    progress("  \(r.model) on \(c.board): \(percent(r.testAccuracy)), \(grouped(Int(r.cyclesPerStepMean.rounded()))) cycles/step\(cached ? " (cached)" : "")")
                }
            }
            for (cell, result) in zip(matrix.cells, results) { cells[cell.model + "\n" + cell.board] = result }
        }
        var outcomes: [Outcome] = []
        for model in budget.models {
            for limits in budget.boards {
                if let cell = cells[model + "\n" + limits.board] {
                    outcomes += try hold(limits, trained: cell)
                } else {
                    outcomes += try hold(limits, planned: model)
                }
            }
        }
        return outcomes
    }

    /// Every limit against a training run's measured figures.
    private func hold(_ l: BudgetFile.Limits, trained c: ComparisonCell) throws -> [Outcome] {
        let run = "measured in a \(budget.epochs)-epoch run"
        var figures: [(String, Double?, Double?, String, String)] = [
            ("peak_ram_bytes", l.peakRAMBytes.map(Double.init), Double(c.ram.peakBytes), "B", "static \(grouped(c.ram.staticBytes)) B + stack peak \(grouped(c.ram.stackPeakBytes)) B, \(run)"),
            ("flash_bytes", l.flashBytes.map(Double.init), Double(c.flashBytes), "B", "linked ELF"),
            ("cycles_per_step", l.cyclesPerStep, c.cyclesPerStepMean, "cycles", "mean, \(run)"),
            ("ms_per_step", l.msPerStep, c.msPerStep, "ms", "mean at \(c.clockHz / 1_000_000) MHz, \(run)"),
            ("min_accuracy_percent", l.minAccuracyPercent, c.testAccuracy * 100, "%", "device test accuracy after \(budget.epochs) epochs"),
            ("max_accuracy_drop_points", l.maxAccuracyDropPoints, (c.floatReferenceAccuracy - c.testAccuracy) * 100, "points", "float32 twin \(percent(c.floatReferenceAccuracy)) minus device \(percent(c.testAccuracy))"),
        ]
        if let limit = l.energyPerStepMicrojoules {
            guard let e = c.energyPerStepMicrojoules else {
                throw ConfigError("\(budget.path): 'energy_per_step_uj' for \(l.board) needs an active_current in the board file")
            }
            figures.append(("energy_per_step_uj", limit, e, "µJ", "datasheet-based estimate, \(run)"))
        }
        return figures.compactMap { name, limit, measured, unit, basis in
            limit.map { outcome(c.model, l.board, name, $0, measured!, unit, basis) }
        }
    }

    /// RAM and flash without training: the plan's static RAM as linked, plus the board's stack
    /// reserve (the most the stack may take), and the ELF's flash.
    private func hold(_ l: BudgetFile.Limits, planned modelPath: String) throws -> [Outcome] {
        let board = try Board.resolve(l.board)
        let prepared = try PreparedRun(modelFile: modelPath, data: budget.data, seed: budget.seed)
        let spec = prepared.model.spec
        let source = Simulation.source(prepared, options: .init(epochs: budget.epochs, seed: budget.seed, update: prepared.update,
                                                                algorithm: try TrainingAlgorithm.variant(budget.algorithm), kernels: budget.kernels))
        let planned = source.memory.staticRAMBytes + Int(board.stackBytes)
        var outcomes: [Outcome] = []
        guard (try? MemoryBudget.check(source.memory, board: board, model: modelPath)) != nil else {
            if let limit = l.peakRAMBytes {
                outcomes.append(outcome(spec.name, l.board, "peak_ram_bytes", Double(limit), Double(planned), "B", "planned static + stack reserve; over the board's RAM"))
            }
            if let limit = l.flashBytes {
                outcomes.append(Outcome(model: spec.name, board: l.board, limit: "flash_bytes", limitValue: Double(limit), measured: nil, unit: "B",
                                        basis: "", verdict: .notMeasured("nothing linked: the step does not fit the board's RAM")))
            }
            return outcomes
        }
        let directory = "\(buildRoot)/\(spec.name)-\(board.name)-plan-\(ProcessInfo.processInfo.processIdentifier)"
        let elf = try ELFFile(path: FirmwareBuilder(board: board, directory: directory).build(model: source))
        let linked = elf.staticRAMBytes(on: board)
        if let limit = l.peakRAMBytes {
            outcomes.append(outcome(spec.name, l.board, "peak_ram_bytes", Double(limit), Double(linked + Int(board.stackBytes)), "B",
                                    "static \(grouped(linked)) B (ELF) + stack reserve \(grouped(Int(board.stackBytes))) B, no training run"))
        }
        if let limit = l.flashBytes {
            outcomes.append(outcome(spec.name, l.board, "flash_bytes", Double(limit), Double(elf.flashBytes), "B", "linked ELF, no training run"))
        }
        return outcomes
    }

    private func outcome(_ model: String, _ board: String, _ name: String, _ limit: Double, _ measured: Double, _ unit: String, _ basis: String) -> Outcome {
        let holds = name == "min_accuracy_percent" ? measured >= limit : measured <= limit
        return Outcome(model: model, board: board, limit: name, limitValue: limit, measured: measured, unit: unit, basis: basis,
                       verdict: holds ? .passed : .breached)
    }
}
