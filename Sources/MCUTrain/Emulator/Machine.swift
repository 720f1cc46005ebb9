internal import CUnicorn
import Foundation

/// One emulated board: Unicorn with the board's memory map, a loaded ELF, and the per-block
/// cycle meter. Firmware functions are called by symbol, like a debugger would.
public final class Machine {
    public let board: Board
    public private(set) var elf: ELFFile?
    private let uc: OpaquePointer
    private let meter: UnsafeMutablePointer<mct_meter>
    private let timing: CoreTimingModel
    private var regions: [(region: Board.Region, memory: UnsafeMutableRawPointer)] = []
    /// A page outside the board's map holding BKPT: functions return into it and the run stops there.
    private let returnAddress: UInt32
    private var classifyError: Error?
    /// Whether any code ran, so translated blocks may exist.
    private var hasTranslated = false
    public let metering: Metering
    /// DWT, SysTick, ITM and SCB registers, mapped as MMIO pages.
    let debug: DebugBlocks
    private var mmioPages: [MMIOPage] = []
    /// Answers `BKPT 0xAB` when set; otherwise a semihosting call is an exception like any BKPT.
    public var semihosting: Semihosting?
    /// Cycles spent waiting on flash, part of `cycles`.
    public var flashStallCycles: UInt64 { meter.pointee.flash_stall_cycles }

    /// Counts since the machine was created.
    public var cycles: UInt64 { mct_meter_cycles(meter) }
    public var instructions: UInt64 { mct_meter_instructions(meter) }

    /// `metering` defaults to the cheapest exact meter for the board and core; asking for
    /// inline counters where they would not be exact is an error.
    public init(board: Board, timing: CoreTimingModel, metering: Metering? = nil) throws {
        self.board = board
        self.timing = timing
        let exact = Metering.exact(for: board, timing: timing)
        self.metering = metering ?? exact
        if self.metering == .inlineCounters, exact != .inlineCounters {
            throw EmulatorError("\(board.name): inline counters cannot model flash wait states or branch prediction")
        }
        let meter = UnsafeMutablePointer<mct_meter>.allocate(capacity: 1)
        meter.initialize(to: mct_meter())
        self.meter = meter
        debug = DebugBlocks(clockHz: board.clockHz) { mct_meter_cycles(meter) }
        var engine: OpaquePointer?
        try Self.check(mct_open_cortex_m(board.core.unicornModel, &engine), "opening Unicorn")
        uc = engine!
        guard let page = Self.freePage(avoiding: board.regions) else {
            throw EmulatorError("\(board.name): no free 4 KB page outside the memory map for the return trap")
        }
        returnAddress = page
        guard mct_cpu_model(uc) == board.core.unicornModel else {
            throw EmulatorError("Unicorn did not accept CPU model \(board.core.rawValue)")
        }
        for region in board.regions {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: Int(region.size), alignment: 4096)
            memory.initializeMemory(as: UInt8.self, repeating: 0, count: Int(region.size))
            regions.append((region, memory))
            let perms = region.kind == .flash ? UC_PROT_READ.rawValue | UC_PROT_EXEC.rawValue : UC_PROT_ALL.rawValue
            try Self.check(uc_mem_map_ptr(uc, UInt64(region.origin), Int(region.size), perms, memory), "mapping \(region.name)")
        }
        try Self.check(uc_mem_map(uc, UInt64(page), 4096, UC_PROT_READ.rawValue | UC_PROT_EXEC.rawValue), "mapping the return trap")
        try Self.check(uc_mem_write(uc, UInt64(page), [0x00, 0xBE] as [UInt8], 2), "writing the return trap") // BKPT #0
        try mapDebugBlocks()
        guard self.metering != .off else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        try Self.check(mct_meter_attach(uc, meter, { context, address, size, out in
            let machine = Unmanaged<Machine>.fromOpaque(context!).takeUnretainedValue()
            return machine.classify(address: address, size: size, into: out!)
        }, context, self.metering == .inlineCounters), "installing the cycle meter")
        let flash = board.flash, access = board.flashAccess
        guard mct_meter_set_flash(meter, flash.origin, flash.size, access.waitStates, access.lineBytes,
                                  access.cacheBytes / access.lineBytes, access.prefetch) else {
            throw EmulatorError("out of memory for the flash cache model")
        }
        mct_meter_set_divide_cost(meter, { context, dividend, divisor, isSigned in
            Unmanaged<Machine>.fromOpaque(context!).takeUnretainedValue().timing
                .divideCycles(dividend: dividend, divisor: divisor, isSigned: isSigned)
        }, context)
        debug.onCCR = { ccr in
            mct_meter_set_traps(meter, ccr & DebugBlocks.unalignTrap != 0, ccr & DebugBlocks.divideByZeroTrap != 0)
        }
    }

    /// Each 4 KB page of the debug blocks goes through `DebugBlocks`, word by word.
    private func mapDebugBlocks() throws {
        for base in DebugBlocks.pages {
            let page = MMIOPage(base: base, blocks: debug)
            mmioPages.append(page)
            let context = Unmanaged.passUnretained(page).toOpaque()
            try Self.check(uc_mmio_map(uc, UInt64(base), 4096, { _, offset, _, context in
                let page = Unmanaged<MMIOPage>.fromOpaque(context!).takeUnretainedValue()
                return UInt64(page.blocks.read(page.base + UInt32(offset)))
            }, context, { _, offset, size, value, context in
                let page = Unmanaged<MMIOPage>.fromOpaque(context!).takeUnretainedValue()
                page.blocks.write(page.base + UInt32(offset), UInt32(truncatingIfNeeded: value), size: Int(size))
            }, context), "mapping the debug registers at \(locate(base, in: nil))")
        }
    }

    deinit {
        uc_close(uc)
        mct_meter_release(meter)
        meter.deallocate()
        for (_, memory) in regions { memory.deallocate() }
    }

    private func classify(address: UInt32, size: UInt32, into out: UnsafeMutablePointer<mct_block_cost>) -> Bool {
        do {
            let code = try read(Int(size), at: address)
            let t = try timing.time(block: code, at: address)
            out.pointee.instructions = t.instructions
            out.pointee.cycles = t.cycles
            out.pointee.fall_cycles = t.fallCycles
            out.pointee.jump_cycles = t.jumpCycles
            out.pointee.mispredict_cycles = t.mispredictCycles
            out.pointee.prediction = t.prediction.rawValue
            for site in t.divides { try watch(site) }
            for site in t.wordAccesses { try watch(site) }
            return true
        } catch {
            classifyError = error
            return false
        }
    }

    /// Charges a divide's data-dependent cycles through a code hook on its address.
    private func watch(_ site: DivideSite) throws {
        try Self.check(mct_meter_watch_divide(uc, meter, site.address, Int32(site.dividendRegister), Int32(site.divisorRegister),
                                              site.isSigned, timing.minimumDivideCycles), "watching the divide at \(locate(site.address, in: elf))")
    }

    /// Faults an LDRD/STRD/LDM/STM whose address is not word aligned, through a code hook on it.
    private func watch(_ site: WordAccessSite) throws {
        try Self.check(mct_meter_watch_word_access(uc, meter, site.address, Int32(site.baseRegister), site.offset),
                       "watching the load/store at \(locate(site.address, in: elf))")
    }

    // MARK: memory

    /// Host view of the bytes at [address, address+count) if they lie in one board region.
    private func hostPointer(_ address: UInt32, _ count: Int) -> UnsafeMutableRawPointer? {
        for (region, memory) in regions where address >= region.origin && UInt64(address) + UInt64(count) <= region.end {
            return memory + Int(address - region.origin)
        }
        return nil
    }

    /// Writing nothing succeeds anywhere: an ELF segment with no file bytes (all `.bss`) may
    /// carry any load address.
    public func write(_ bytes: [UInt8], at address: UInt32) throws {
        guard !bytes.isEmpty else { return }
        guard let p = hostPointer(address, bytes.count) else {
            throw EmulatorError("write of \(bytes.count) bytes at \(locate(address, in: nil)) is outside \(board.name)'s memory map")
        }
        p.copyMemory(from: bytes, byteCount: bytes.count)
    }

    public func read(_ count: Int, at address: UInt32) throws -> [UInt8] {
        guard let p = hostPointer(address, count) else {
            throw EmulatorError("read of \(count) bytes at \(locate(address, in: nil)) is outside \(board.name)'s memory map")
        }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }

    public func fill(_ address: UInt32, _ count: Int, word: UInt32) throws {
        guard let p = hostPointer(address, count) else { throw EmulatorError("fill at \(locate(address, in: nil)) is outside the memory map") }
        p.bindMemory(to: UInt32.self, capacity: count / 4).update(repeating: word, count: count / 4)
    }

    /// Bytes from `address` up to the first word that is not `word`, for the stack scan.
    func countLeading(_ address: UInt32, _ count: Int, word: UInt32) throws -> Int {
        guard let p = hostPointer(address, count) else { throw EmulatorError("scan at \(locate(address, in: nil)) is outside the memory map") }
        let words = UnsafeBufferPointer(start: p.bindMemory(to: UInt32.self, capacity: count / 4), count: count / 4)
        return (words.firstIndex { $0 != word } ?? words.count) * 4
    }

    // MARK: firmware

    /// Loads the image the way the board would hold it once its reset code has run, which
    /// serves both start-up paths:
    /// - each PT_LOAD segment's bytes go to its load (physical) address, as a flash programmer
    ///   writes them, so reset code that copies `.data` from flash (Firmware/startup.c) finds
    ///   the initialisers there;
    /// - a segment whose run (virtual) address differs is also placed there, the copy that reset
    ///   code would make, because newlib's rdimon crt0 does not copy `.data` and calls into
    ///   firmware functions skip reset altogether. Copying again at reset writes the same bytes.
    /// The rest of a segment's memory size (`.bss`) stays zero: board RAM starts zeroed.
    public func load(_ elf: ELFFile) throws {
        guard !elf.loadSegments.isEmpty else { throw EmulatorError("\(elf.path): no loadable (PT_LOAD) segment to load") }
        for (i, segment) in elf.loadSegments.enumerated() {
            let places = [(segment.physicalAddress, segment.data.count, "load"), (segment.virtualAddress, Int(segment.memorySize), "run")]
            for (address, size, what) in places where size > 0 && hostPointer(address, size) == nil {
                throw EmulatorError("\(elf.path): segment \(i) (\(size) bytes) at \(what) address \(locate(address, in: nil)) lies outside \(board.name)'s memory map")
            }
            try write(segment.data, at: segment.physicalAddress)
            if segment.virtualAddress != segment.physicalAddress { try write(segment.data, at: segment.virtualAddress) }
        }
        self.elf = elf
        // Unicorn 2.0.1's flush clears its whole 1 GiB code buffer, touching every page: only
        // code translated before this load can be stale, so a fresh machine skips it.
        if hasTranslated { try Self.check(mct_flush_blocks(uc), "flushing translated code") }
        if metering != .off {
            for section in elf.allocatedSections where section.isExecutable && !section.isNoBits {
                let sites = try CodeSweep.sites(in: section.data, at: section.address)
                for site in sites.divides { try watch(site) }
                for site in sites.wordAccesses { try watch(site) }
            }
        }
    }

    public func address(of symbol: String) throws -> UInt32 {
        guard let elf else { throw EmulatorError("no firmware loaded") }
        guard let s = elf.symbol(named: symbol) else { throw EmulatorError("\(elf.path): no symbol '\(symbol)'") }
        return s.address
    }

    public struct CallResult: Sendable {
        public let value: UInt32
        public let cycles: UInt64
        public let instructions: UInt64
    }

    /// Calls a firmware function with up to four integer arguments and the stack at `stackTop`.
    /// `maxCycles` stops a function that never returns.
    public func call(_ function: String, _ args: [UInt32] = [], stackTop: UInt32, maxCycles: UInt64) throws -> CallResult {
        precondition(args.count <= 4, "only register arguments are supported")
        let entry = try address(of: function)
        let startCycles = cycles, startInstructions = instructions
        for (i, value) in args.enumerated() { try setArgument(i, value) }
        let end = try execute(from: entry, stackTop: stackTop, what: function, maxCycles: maxCycles)
        let value: UInt32
        switch end {
        case .returned(let r0): value = r0
        case .exited(let code): throw EmulatorError("\(function): the program exited (status \(code)) instead of returning")
        }
        return CallResult(value: value, cycles: cycles - startCycles, instructions: instructions - startInstructions)
    }

    public enum End: Equatable, Sendable {
        /// Returned to the caller with this R0.
        case returned(UInt32)
        /// Ended through semihosting SYS_EXIT / SYS_EXIT_EXTENDED.
        case exited(Int32)
    }

    /// Runs from `entry` until the code returns to the trap or exits through semihosting.
    public func execute(from entry: UInt32, stackTop: UInt32, what: String, maxCycles: UInt64) throws -> End {
        try setRegister(UC_ARM_REG_SP, stackTop)
        try setRegister(UC_ARM_REG_LR, returnAddress | 1)
        guard maxCycles > 0 else { throw EmulatorError("\(what): the cycle limit must be at least 1") }
        let startCycles = cycles
        let (limit, overflow) = startCycles.addingReportingOverflow(maxCycles)
        meter.pointee.cycle_limit = overflow ? .max : limit
        var pc = entry
        while true {
            mct_meter_begin(meter)
            hasTranslated = true
            let err = uc_emu_start(uc, UInt64(pc | 1), UInt64(returnAddress), 0, 0)
            mct_meter_settle(meter)
            if mct_meter_stopped_to_resume(meter) {
                // The firmware just set CCR.UNALIGN_TRP, or a block was translated before its code
                // hook existed: add the check or drop the block, and carry on where it stopped.
                try Self.check(mct_meter_resume(uc, meter), "adding a hook")
                let resume = try register(UC_ARM_REG_PC)
                if err == UC_ERR_OK, meter.pointee.stop_reason == MCT_STOP_NONE, resume != returnAddress {
                    pc = resume
                    continue
                }
            }
            if let host = semihosting, isSemihostingCall() {
                let m = meter.pointee
                let outcome = try host.handle(operation: try register(UC_ARM_REG_R0), parameter: try register(UC_ARM_REG_R1),
                                              memory: self, elapsedCycles: cycles - startCycles, clockHz: board.clockHz)
                switch outcome {
                case .result(let r0):
                    try setRegister(UC_ARM_REG_R0, r0)
                    pc = m.fault_pc + 2
                    continue
                case .exit(let code):
                    return .exited(code)
                }
            }
            try checkStop(err, function: what, maxCycles: maxCycles)
            return .returned(try register(UC_ARM_REG_R0))
        }
    }

    /// The run stopped on `BKPT 0xAB` (Thumb encoding 0xBEAB).
    private func isSemihostingCall() -> Bool {
        let m = meter.pointee
        guard m.stop_reason == MCT_STOP_INTERRUPT, m.interrupt_number == 7, let code = try? read(2, at: m.fault_pc) else { return false }
        return code == [0xAB, 0xBE]
    }

    private func checkStop(_ err: uc_err, function: String, maxCycles: UInt64) throws {
        let m = meter.pointee
        let pc = locate(m.fault_pc, in: elf)
        switch m.stop_reason {
        case MCT_STOP_INVALID_MEMORY:
            let kind = [UC_MEM_READ_UNMAPPED, UC_MEM_READ_PROT].map(\.rawValue).contains(m.fault_type) ? "read"
                : [UC_MEM_FETCH_UNMAPPED, UC_MEM_FETCH_PROT].map(\.rawValue).contains(m.fault_type) ? "instruction fetch" : "write"
            throw EmulatorError("\(function): invalid \(kind) at \(locate(m.fault_address, in: nil)), outside \(board.name)'s memory map or protected, PC \(pc)")
        case MCT_STOP_CYCLE_LIMIT:
            throw EmulatorError("\(function): still running after \(maxCycles) cycles (runaway loop?), PC \(pc)")
        case MCT_STOP_INTERRUPT:
            let what = [2: "SVC", 7: "BKPT"][Int(m.interrupt_number)] ?? "exception \(m.interrupt_number)"
            throw EmulatorError("\(function): \(what) at PC \(pc)\(isSemihostingCall() ? " (a semihosting call, and semihosting is off)" : "")")
        case MCT_STOP_USAGE_FAULT:
            throw EmulatorError("\(function): \(usageFault(m))")
        case MCT_STOP_CLASSIFY_FAILED:
            throw EmulatorError("\(function): cycle model cannot time the block at \(pc): \(classifyError.map { "\($0)" } ?? "unknown")")
        default:
            break
        }
        if err != UC_ERR_OK {
            let at = (try? register(UC_ARM_REG_PC)).map { locate($0, in: elf) } ?? "?"
            throw EmulatorError("\(function): \(String(cString: uc_strerror(err))) at PC \(at)")
        }
        let pc2 = try register(UC_ARM_REG_PC)
        guard pc2 == returnAddress else {
            throw EmulatorError("\(function): stopped at \(locate(pc2, in: elf)) without returning (WFI or halt?)")
        }
    }

    /// "UsageFault (UNALIGNED): 4-byte access at 0x20000102 ..." in the terms of the core's fault
    /// status register; ARMv6-M has no UsageFault and escalates to HardFault.
    private func usageFault(_ m: mct_meter) -> String {
        let name = [.cortexM0, .cortexM0Plus].contains(board.core) ? "HardFault" : "UsageFault"
        let pc = locate(m.fault_pc, in: elf)
        switch m.fault_kind {
        case MCT_FAULT_DIVIDE_BY_ZERO:
            return "\(name) (DIVBYZERO): divide by zero with CCR.DIV_0_TRP set, PC \(pc)"
        case MCT_FAULT_UNALIGNED_TRAPPED:
            // Unicorn's memory hooks only know the block, not the instruction.
            return "\(name) (UNALIGNED): \(m.fault_size)-byte access at \(locate(m.fault_address, in: nil)) with CCR.UNALIGN_TRP set, in the block starting at PC \(pc)"
        default:
            return "\(name) (UNALIGNED): LDRD/STRD/LDM/STM address \(locate(m.fault_address, in: nil)) is not word aligned, PC \(pc)"
        }
    }

    /// Sets argument register r0...r3 for the next `execute`.
    public func setArgument(_ index: Int, _ value: UInt32) throws {
        try setRegister([UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3][index], value)
    }

    private func setRegister(_ reg: uc_arm_reg, _ value: UInt32) throws {
        var v = UInt64(value)
        try Self.check(uc_reg_write(uc, Int32(reg.rawValue), &v), "writing a register")
    }

    private func register(_ reg: uc_arm_reg) throws -> UInt32 {
        var v: UInt64 = 0
        try Self.check(uc_reg_read(uc, Int32(reg.rawValue), &v), "reading a register")
        return UInt32(truncatingIfNeeded: v)
    }

    private static func check(_ err: uc_err, _ what: String) throws {
        guard err == UC_ERR_OK else { throw EmulatorError("\(what): \(String(cString: uc_strerror(err)))") }
    }

    private static func freePage(avoiding regions: [Board.Region]) -> UInt32? {
        [0x0FFF_F000, 0x3FFF_F000, 0x5FFF_F000, 0x7FFF_F000].first { (page: UInt32) in
            regions.allSatisfy { UInt64(page) + 4096 <= UInt64($0.origin) || UInt64(page) >= $0.end }
        }
    }
}

extension Machine: GuestMemory {}

/// One MMIO page's base address, handed to Unicorn's C callbacks as their context.
private final class MMIOPage {
    let base: UInt32
    let blocks: DebugBlocks
    init(base: UInt32, blocks: DebugBlocks) { self.base = base; self.blocks = blocks }
}
