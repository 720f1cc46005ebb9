/// The question users bring: does a training step fit the board's RAM? Answered from the plan
/// alone, before anything is compiled.
public enum MemoryBudget {
    /// Static RAM plus the stack reserve must fit the RAM region the linker places data in.
    public static func check(_ plan: MemoryPlan, board: Board, model: String) throws {
        let need = plan.staticRAMBytes + Int(board.stackBytes)
        let have = board.ramBudgetBytes
        guard need > have else { return }
        let peak = plan.peak
        let live = peak.buffers.prefix(4).map { "\($0.label) \(grouped($0.bytes)) B" }.joined(separator: ", ")
        throw ConfigError("\(model): the training step needs \(grouped(need)) B of RAM (parameters \(grouped(plan.ramParameterBytes)) + arena \(grouped(plan.arenaBytes)) + state \(plan.stateBytes) + stack reserve \(board.stackBytes)), \(grouped(need - have)) B over the \(grouped(have)) B of \(board.file); live at the peak (\(plan.stepNames[peak.step])): \(live)\(peak.buffers.count > 4 ? ", ..." : "")")
    }
}
