/// The parts of the Cortex-M private peripheral bus firmware uses to time and trace itself:
/// DWT_CYCCNT and SysTick count the *modelled* cycles, ITM stimulus port 0 is captured.
/// Other System Control Space registers (SCB, NVIC, CPACR, ...) read back what was written.
/// No exception is ever delivered: there is no NVIC behind them.
final class DebugBlocks {
    static let itmBase: UInt32 = 0xE000_0000
    static let dwtBase: UInt32 = 0xE000_1000
    static let scsBase: UInt32 = 0xE000_E000
    static let pages: [UInt32] = [itmBase, dwtBase, scsBase]

    private let cycles: () -> UInt64
    private let clockHz: UInt32
    /// Receives the bytes the firmware writes to ITM stimulus port 0.
    var onITM: (([UInt8]) -> Void)?
    /// Receives each value the firmware writes to SCB->CCR, whose trap bits the emulator honours.
    var onCCR: ((UInt32) -> Void)?
    /// CCR bits: fault unaligned halfword/word accesses; fault SDIV/UDIV by zero (ARMv7-M ARM B3.2.8).
    static let unalignTrap: UInt32 = 1 << 3
    static let divideByZeroTrap: UInt32 = 1 << 4
    private var registers: [UInt32: UInt32] = [
        itmBase + 0xE80: 1,  // ITM_TCR.ITMENA and ITM_TER port 0: as a debugger that traces leaves them
        itmBase + 0xE00: 1,
    ]
    // DWT_CYCCNT runs while DEMCR.TRCENA and DWT_CTRL.CYCCNTENA are both set.
    private var cyccntBase: UInt32 = 0
    private var cyccntSince: UInt64?
    // SysTick: the current value was `systickStart` at cycle `systickSince`.
    private var systickStart: UInt32 = 0
    private var systickSince: UInt64 = 0
    /// COUNTFLAG is set by a reload since the last read of CSR (cycle of that read).
    private var flagReadAt: UInt64 = 0

    init(clockHz: UInt32, cycles: @escaping () -> UInt64) {
        self.clockHz = clockHz
        self.cycles = cycles
    }

    private enum Register {
        static let demcr: UInt32 = scsBase + 0xDFC
        static let dwtCtrl: UInt32 = dwtBase
        static let cyccnt: UInt32 = dwtBase + 4
        static let systCSR: UInt32 = scsBase + 0x10
        static let systRVR: UInt32 = scsBase + 0x14
        static let systCVR: UInt32 = scsBase + 0x18
        static let systCALIB: UInt32 = scsBase + 0x1C
        static let ccr: UInt32 = scsBase + 0xD14
    }

    private var cyccntEnabled: Bool {
        (registers[Register.demcr] ?? 0) & (1 << 24) != 0 && (registers[Register.dwtCtrl] ?? 0) & 1 != 0
    }

    private var systickEnabled: Bool { (registers[Register.systCSR] ?? 0) & 1 != 0 }
    private var reload: UInt32 { (registers[Register.systRVR] ?? 0) & 0xFF_FFFF }

    func read(_ address: UInt32) -> UInt32 {
        switch address {
        case Register.cyccnt:
            return cyccntBase &+ UInt32(truncatingIfNeeded: cyccntSince.map { cycles() - $0 } ?? 0)
        case Register.systCVR:
            return systickCurrent()
        case Register.systCSR:
            let now = cycles()
            let flag = systickEnabled && zeroCrossings(until: now) > zeroCrossings(until: max(flagReadAt, systickSince))
            flagReadAt = now
            return (registers[address] ?? 0) | (flag ? 1 << 16 : 0)
        case Register.systCALIB:
            return (1 << 31) | ((clockHz / 100 &- 1) & 0xFF_FFFF)  // NOREF; TENMS from the board clock
        case Self.itmBase..<(Self.itmBase + 0x80):
            return 1  // stimulus port FIFO always ready
        default:
            return registers[address] ?? 0
        }
    }

    func write(_ address: UInt32, _ value: UInt32, size: Int) {
        switch address {
        case Self.itmBase:
            onITM?((0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
        case Register.cyccnt:
            cyccntBase = value
            if cyccntSince != nil { cyccntSince = cycles() }
        case Register.systCVR:
            systickStart = 0
            systickSince = cycles()
            flagReadAt = systickSince
        default:
            let wasCounting = cyccntEnabled, wasTicking = systickEnabled
            if wasCounting { cyccntBase = read(Register.cyccnt) }
            if wasTicking { systickStart = systickCurrent(); systickSince = cycles(); flagReadAt = max(flagReadAt, systickSince) }
            registers[address] = value
            if address == Register.ccr { onCCR?(value) }
            if cyccntEnabled != wasCounting || wasCounting { cyccntSince = cyccntEnabled ? cycles() : nil }
            if systickEnabled && !wasTicking { systickSince = cycles() }
        }
    }

    /// SysTick counts down once per cycle; after 0 it reloads from RVR on the next cycle.
    private func systickCurrent() -> UInt32 {
        guard systickEnabled else { return systickStart }
        let elapsed = cycles() - systickSince
        if elapsed <= UInt64(systickStart) { return systickStart - UInt32(elapsed) }
        let after = (elapsed - UInt64(systickStart) - 1) % (UInt64(reload) + 1)
        return reload - UInt32(after)
    }

    /// Times the counter has reached 0 between enabling and cycle `t` (it is 0 at elapsed =
    /// start, start + period, ...; a start of 0 itself does not count).
    private func zeroCrossings(until t: UInt64) -> UInt64 {
        let elapsed = t - systickSince, period = UInt64(reload) + 1, start = UInt64(systickStart)
        if start == 0 { return elapsed / period }
        return elapsed >= start ? 1 + (elapsed - start) / period : 0
    }
}
