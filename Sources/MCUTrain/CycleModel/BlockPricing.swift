import CCapstone

/// The block arithmetic every core model shares, so the cores differ only in what an
/// instruction costs and what a taken branch adds.
enum BlockPricing {
    /// - Parameters:
    ///   - cost: an instruction's cycles before any refill a write to PC adds; `previous` is
    ///     the instruction before it in the block, for pipelining rules.
    ///   - taken: the full cycles of the block's last instruction when it writes PC and the
    ///     branch is taken, given its `cost`.
    static func price(_ instructions: [mcc_insn], at address: UInt32,
                      cost: (_ instruction: mcc_insn, _ previous: mcc_insn?) -> UInt32,
                      taken: (_ branch: mcc_insn, _ cost: UInt32) -> UInt32) throws -> BlockTiming {
        guard let last = instructions.last else { throw CycleModelError.emptyBlock(address: address) }
        var cycles: UInt32 = 0
        var previous: mcc_insn?
        for instruction in instructions.dropLast() {
            cycles += cost(instruction, previous)
            previous = instruction
        }
        let lastCost = cost(last, previous)
        var timing = BlockTiming(instructions: UInt32(instructions.count), cycles: cycles,
                                 fallCycles: lastCost, jumpCycles: lastCost,
                                 divides: try instructions.compactMap { try DivideSite($0) },
                                 wordAccesses: instructions.compactMap { WordAccessSite($0) })
        if last.writes_pc {
            timing.jumpCycles = taken(last, lastCost)
            // Every M-profile TRM prices a branch that is skipped (condition false) at 1.
            timing.fallCycles = last.conditional ? 1 : timing.jumpCycles
        }
        return timing
    }
}
