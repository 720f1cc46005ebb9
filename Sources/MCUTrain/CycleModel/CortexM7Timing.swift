import CCapstone

/// Cortex-M7 timing: an in-order, dual-issue schedule of each block, at zero wait states
/// (TCM, or caches that always hit). Arm publishes no instruction timing table for the M7,
/// so the rules come from public cycle measurements (see docs/cycle-model.md) and are checked
/// against a published CoreMark figure rather than instruction by instruction.
///
/// - Two instructions issue per cycle when `CortexM7Issue.pair` allows it, the younger does
///   not need the older's result (except a plain ALU op or store data behind MOV/ADD/SUB),
///   and the 64-bit fetch has delivered both.
/// - An instruction waits for its sources: `CortexM7Issue.latency` (load-use, MAC-use and
///   early-ALU interlocks).
/// - A register list of N words costs ⌈N/2⌉ and issues alone, as do LDRD/STRD (1), divides,
///   barriers and FPU ops (the M4's prices).
/// - Branches are predicted by the meter (`BranchPrediction`): a right guess costs the
///   branch's issue slot, a wrong one `mispredict` more (6 when the flags were set three
///   cycles before the branch).
/// - Nothing carries across blocks: each block starts with every register ready.
///
/// Not thread-safe: it owns a Capstone handle. Give each emulator its own instance.
public final class CortexM7Timing: CoreTimingModel {
    /// Cycles an ISB spends refilling the 6-stage pipeline, taken as the low end of the
    /// mispredict cost (inferred, not from Arm).
    public static let pipelineFlush: UInt32 = 6
    /// A mispredicted branch: 8 cycles, 6 when its flags were set at least 3 cycles earlier.
    public static let mispredict: UInt32 = 8
    public static let earlyFlagsMispredict: UInt32 = 6
    /// Bytes the core fetches per cycle.
    static let fetchBytes: UInt32 = 8

    public let minimumDivideCycles = EarlyTerminationDivider.minimumCycles
    public let predictsBranches = true

    private let decoder: ThumbDecoder

    public init() throws {
        decoder = try ThumbDecoder()
    }

    /// The M4's rule (`EarlyTerminationDivider`): the M7 divider is documented no better.
    public func divideCycles(dividend: UInt32, divisor: UInt32, isSigned: Bool) -> UInt32 {
        EarlyTerminationDivider.cycles(dividend: dividend, divisor: divisor, isSigned: isSigned)
    }

    public func time(block code: [UInt8], at address: UInt32) throws -> BlockTiming {
        let instructions = try decoder.decode(code, at: address)
        guard let last = instructions.last else { throw CycleModelError.emptyBlock(address: address) }
        var schedule = Schedule(start: address)
        for instruction in instructions.dropLast() { schedule.issue(CortexM7Issue(instruction, aloneCycles: Self.aloneCycles)) }
        let before = schedule.end
        let lastIssue = schedule.issue(CortexM7Issue(last, aloneCycles: Self.aloneCycles))
        let lastCycles = schedule.end - before
        var timing = BlockTiming(instructions: UInt32(instructions.count), cycles: before,
                                 fallCycles: lastCycles, jumpCycles: lastCycles,
                                 divides: try instructions.compactMap { try DivideSite($0) },
                                 wordAccesses: instructions.compactMap { WordAccessSite($0) })
        if last.writes_pc {
            if schedule.used == 1, lastCycles == 1, CortexM7Issue(last, aloneCycles: Self.aloneCycles).kind == .branch {
                // Alone in its cycle, the branch pairs with the next block's first instruction
                // when not taken; when taken, only behind two 16-bit instructions (fetch).
                let behind = instructions.dropLast().suffix(2)
                timing.jumpCycles = behind.count == 2 && behind.allSatisfy { $0.size == 2 } ? 0 : 1
                timing.fallCycles = last.conditional ? 0 : timing.jumpCycles
            }
            if last.conditional {
                timing.prediction = .direction
                timing.mispredictCycles = lastIssue >= schedule.flagsReady + 2 ? Self.earlyFlagsMispredict : Self.mispredict
            } else if !last.has_target {
                timing.prediction = .target
                timing.mispredictCycles = Self.mispredict
            }
        }
        return timing
    }

    /// Instructions that issue alone, and for how long; nil for those that may pair.
    private static func aloneCycles(_ instruction: mcc_insn) -> UInt32? {
        switch CortexM4InstructionClass(instruction.id) {
        case .singleLoadStore:
            return nil
        case .multiple:
            return isRegisterList(instruction.id) ? max(1, (instruction.words + 1) / 2) : 1
        case .instructionBarrier:
            return 1 + pipelineFlush
        case .fixed(let cycles):
            let m4Alone: Set<UInt32> = Set([ARM_INS_SDIV, ARM_INS_UDIV, ARM_INS_TBB, ARM_INS_TBH, ARM_INS_DMB, ARM_INS_DSB,
                                            ARM_INS_MRS, ARM_INS_MSR].map(\.rawValue))
            return m4Alone.contains(instruction.id.rawValue) || isFloatingPoint(instruction) ? cycles : nil
        }
    }

    private static func isFloatingPoint(_ instruction: mcc_insn) -> Bool {
        // Every VFP instruction's mnemonic starts with V; Capstone numbers them in one run.
        let id = instruction.id.rawValue
        return (ARM_INS_VABA.rawValue...ARM_INS_VZIP.rawValue).contains(id) || instruction.id == ARM_INS_VPUSH
            || instruction.id == ARM_INS_VPOP
    }

    private static func isRegisterList(_ id: arm_insn) -> Bool {
        switch id {
        case ARM_INS_LDM, ARM_INS_LDMDB, ARM_INS_STM, ARM_INS_STMDB, ARM_INS_PUSH, ARM_INS_POP,
             ARM_INS_VLDMIA, ARM_INS_VLDMDB, ARM_INS_VSTMIA, ARM_INS_VSTMDB, ARM_INS_VPUSH, ARM_INS_VPOP:
            return true
        default:
            return false
        }
    }
}

/// The in-order dual-issue state while one block is scheduled.
private struct Schedule {
    let start: UInt32
    /// The cycle being filled, how many of its two slots are taken, and the instruction in
    /// the first.
    var cycle: UInt32 = 0
    var used = 0
    var older: CortexM7Issue?
    /// Cycles the block occupies so far.
    var end: UInt32 = 0
    /// Per register (bit 16: flags): the first cycle each kind of consumer may use it.
    var late = [UInt32](repeating: 0, count: 17)
    var early = [UInt32](repeating: 0, count: 17)
    var multiplier = [UInt32](repeating: 0, count: 17)
    var flagsReady: UInt32 { late[16] }

    init(start: UInt32) { self.start = start }

    /// Issues one instruction; returns its cycle.
    @discardableResult
    mutating func issue(_ next: CortexM7Issue) -> UInt32 {
        let insn = next.instruction
        var sources = insn.reads
        // A predicted branch does not wait for its condition or target; a store's data may
        // be a result of the same cycle, its address may not.
        if next.kind == .branch { sources = 0 }
        if next.kind == .store { sources &= next.earlyReads }
        // The 64-bit fetch: by cycle c the core holds the block's code up to
        // (8 - start % 8) + 8c bytes.
        let endOffset = insn.address &+ insn.size &- start
        let head = Self.fetch - start % Self.fetch
        let fetched = { (c: UInt32) in head + Self.fetch * c }
        var at: UInt32
        if used == 1, let older, CortexM7Issue.pair(older, next), !dependsOnSameCycle(next, on: older),
           cycle >= ready(next, sources & ~older.instruction.writes), fetched(cycle) >= endOffset {
            at = cycle
            used = 2
        } else {
            at = max(used == 0 ? cycle : cycle + 1, ready(next, sources))
            while fetched(at) < endOffset { at += 1 }
            older = next
            cycle = at
            used = 1
        }
        let latency = next.latency
        for r in 0..<17 where insn.writes & (1 << r) != 0 {
            late[r] = at + latency.late
            self.early[r] = at + latency.early
            multiplier[r] = at + latency.multiplier
        }
        if case .alone(let cycles) = next.kind {
            used = 0
            cycle = at + cycles
            end = max(end, at + cycles)
        } else {
            end = max(end, at + 1)
        }
        return at
    }

    private static let fetch = CortexM7Timing.fetchBytes

    /// The first cycle all of `sources` are ready for this consumer.
    private func ready(_ consumer: CortexM7Issue, _ sources: UInt32) -> UInt32 {
        var ready: UInt32 = 0
        let early = consumer.earlyReads
        for r in 0..<17 where sources & (1 << r) != 0 {
            if consumer.kind == .multiply { ready = max(ready, multiplier[r]) }
            else if early & (1 << r) != 0 { ready = max(ready, self.early[r]) }
            else { ready = max(ready, late[r]) }
        }
        return ready
    }

    /// A younger op reading the older op's result in the same cycle: allowed only from the
    /// early ALU (MOV/ADD/SUB) into a plain ALU op, or as a store's data.
    private func dependsOnSameCycle(_ younger: CortexM7Issue, on older: CortexM7Issue) -> Bool {
        let shared = younger.instruction.reads & older.instruction.writes & 0xFFFF
        guard shared != 0 else { return false }
        if older.kind == .simpleALU, case .alu(shifted: false) = younger.kind { return false }
        if older.kind == .simpleALU, younger.kind == .simpleALU { return false }
        if younger.kind == .store, shared & younger.earlyReads == 0 { return false }
        return true
    }
}
