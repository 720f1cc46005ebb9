/// The emulator's memory as semihosting sees it. A protocol so the call logic can be tested
/// without Unicorn; both calls throw for addresses outside the board's map, and that error is
/// what a bad pointer from the guest turns into.
public protocol GuestMemory: AnyObject {
    func read(_ count: Int, at address: UInt32) throws -> [UInt8]
    func write(_ bytes: [UInt8], at address: UInt32) throws
}

/// A semihosting call the host cannot answer. The run stops rather than inventing a result the
/// guest's C library would misread.
public struct SemihostingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Answers ARM semihosting calls (`BKPT 0xAB`, R0 = operation, R1 = parameter) the way a
/// debugger does, so programs linked with newlib's `--specs=rdimon.specs` run unmodified.
/// The caller owns the CPU: it passes R0/R1 in and writes the result back to R0.
///
/// Two deliberate departures from a debugger, both so runs are safe and repeatable: the host
/// file system is off limits unless configured, and SYS_CLOCK/SYS_TIME report modelled time
/// (cycles ÷ clock), not the wall clock — the board is taken to have been switched on at
/// 1970-01-01 00:00:00 UTC, so the same firmware prints the same bytes on every run.
public final class Semihosting {
    public struct Configuration: Sendable {
        /// Off by default because firmware is untrusted input: with it, SYS_OPEN reaches any
        /// host path the user can, in any mode including truncating writes.
        public var allowHostFiles: Bool
        /// newlib's crt0 splits this into argv, so the program name belongs first.
        public var commandLine: String
        /// SYS_HEAPINFO's answer. Zero means "unknown": newlib's crt0 then falls back to its
        /// linker symbols (`end` for the heap base, `__stack` for the initial stack pointer).
        public var heapBase: UInt32, heapLimit: UInt32, stackBase: UInt32, stackLimit: UInt32
        /// Bytes the guest reads from ":tt". Once used up, reads report end of file instead of
        /// blocking, because there is no interactive terminal behind a training run.
        public var stdin: [UInt8]

        public init(allowHostFiles: Bool = false, commandLine: String = "",
                    heapBase: UInt32 = 0, heapLimit: UInt32 = 0, stackBase: UInt32 = 0, stackLimit: UInt32 = 0,
                    stdin: [UInt8] = []) {
            self.allowHostFiles = allowHostFiles
            self.commandLine = commandLine
            self.heapBase = heapBase
            self.heapLimit = heapLimit
            self.stackBase = stackBase
            self.stackLimit = stackLimit
            self.stdin = stdin
        }
    }

    public enum Outcome: Equatable, Sendable {
        /// Write this to R0 and resume after the BKPT.
        case result(UInt32)
        /// The program ended; SYS_EXIT cannot carry a status, so see `handle` for the mapping.
        case exit(code: Int32)
    }

    public let configuration: Configuration
    /// Called with each piece of output as it happens: stdout (":tt" opened for writing,
    /// SYS_WRITEC, SYS_WRITE0) or, with `isError`, ":tt" opened for appending, which newlib
    /// uses as stderr. Nothing is kept here: the receiver decides what to hold.
    public var onOutput: ((_ isError: Bool, _ bytes: [UInt8]) -> Void)?

    var files: [UInt32: OpenFile] = [:]
    var stdinOffset = 0
    /// newlib only asks SYS_ERRNO after a call returned -1, so successes leave it alone.
    var lastErrno: UInt32 = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit { closeAllHostFiles() }

    /// `ADP_Stopped_ApplicationExit`: the one exit reason that means "finished normally".
    static let applicationExit: UInt32 = 0x20026

    /// Runs one call. SYS_EXIT on 32-bit targets carries only a reason, so a normal exit becomes
    /// code 0 and every other reason (abort, exceptions) code 1; SYS_EXIT_EXTENDED, which newlib
    /// uses once ":semihosting-features" offers it, carries `main`'s real return value.
    /// Memory errors from `memory` propagate unchanged.
    public func handle(operation: UInt32, parameter: UInt32, memory: GuestMemory,
                       elapsedCycles: UInt64, clockHz: UInt32) throws -> Outcome {
        switch operation {
        case 0x01: return .result(try sysOpen(block: parameter, memory: memory))
        case 0x02: return .result(try sysClose(block: parameter, memory: memory))
        case 0x03:
            emit(try memory.read(1, at: parameter), isError: false)
            return .result(0)
        case 0x04:
            emit(try memory.cString(at: parameter), isError: false)
            return .result(0)
        case 0x05: return .result(try sysWrite(block: parameter, memory: memory))
        case 0x06: return .result(try sysRead(block: parameter, memory: memory))
        case 0x09: return .result(try sysIsTTY(block: parameter, memory: memory))
        case 0x0A: return .result(try sysSeek(block: parameter, memory: memory))
        case 0x0C: return .result(try sysFlen(block: parameter, memory: memory))
        case 0x10:
            guard clockHz > 0 else { return .result(fail(GuestErrno.invalid)) }
            // Modular arithmetic: only the low 32 bits reach R0, and it cannot trap on overflow.
            let hz = UInt64(clockHz)
            return .result(UInt32(truncatingIfNeeded: (elapsedCycles / hz) &* 100 &+ (elapsedCycles % hz) * 100 / hz))
        case 0x11:
            guard clockHz > 0 else { return .result(fail(GuestErrno.invalid)) }
            return .result(UInt32(truncatingIfNeeded: elapsedCycles / UInt64(clockHz)))
        case 0x13: return .result(lastErrno)
        case 0x15: return .result(try sysGetCmdline(block: parameter, memory: memory))
        case 0x16:
            let c = configuration
            let table = try memory.words(1, at: parameter)[0]
            try memory.write(words: [c.heapBase, c.heapLimit, c.stackBase, c.stackLimit], at: table)
            return .result(0)
        case 0x18:
            return .exit(code: parameter == Self.applicationExit ? 0 : 1)
        case 0x20:
            let block = try memory.words(2, at: parameter)
            return .exit(code: block[0] == Self.applicationExit ? Int32(bitPattern: block[1]) : 1)
        default:
            throw SemihostingError("unsupported semihosting operation 0x\(String(operation, radix: 16, uppercase: true).leftPadded(to: 2))")
        }
    }

    /// Block: buffer address, buffer size. newlib's crt0 offers a fixed 255 bytes (3.3, seen here) and
    /// on failure starts `main` with no arguments at all, so a command line that does not fit
    /// (with its NUL) stops the run rather than being cut or silently dropped.
    private func sysGetCmdline(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        let words = try memory.words(2, at: block)
        let text = Array(configuration.commandLine.utf8)
        guard text.count < words[1] else {
            throw SemihostingError("the program's command line is \(text.count + 1) bytes with its NUL, but its buffer holds \(words[1]): pass shorter arguments")
        }
        try memory.write(text + [0], at: words[0])
        try memory.write(words: [UInt32(text.count)], at: block &+ 4)
        return 0
    }

    /// Output goes out in the order the guest wrote it.
    func emit(_ bytes: [UInt8], isError: Bool) {
        guard !bytes.isEmpty else { return }
        onOutput?(isError, bytes)
    }

    /// The next `count` configured stdin bytes, fewer (or none) once they run out. All ":tt"
    /// read handles share one cursor, as they share one terminal.
    func takeStdin(upTo count: Int) -> [UInt8] {
        let bytes = Array(configuration.stdin.dropFirst(stdinOffset).prefix(count))
        stdinOffset += bytes.count
        return bytes
    }

    /// Records why a call failed, for the guest's next SYS_ERRNO, and returns the -1 it expects.
    func fail(_ errno: UInt32) -> UInt32 {
        lastErrno = errno
        return .max
    }
}

extension GuestMemory {
    /// Little-endian words of a parameter block, read in one go so a bad block pointer faults once.
    func words(_ count: Int, at address: UInt32) throws -> [UInt32] {
        let bytes = try read(4 * count, at: address)
        return (0..<count).map { i in (0..<4).reduce(0) { $0 | UInt32(bytes[4 * i + $1]) << (8 * $1) } }
    }

    func write(words: [UInt32], at address: UInt32) throws {
        try write(words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }, at: address)
    }

    /// Visits `count` guest bytes at most `transferChunk` at a time, so a bogus length from the
    /// guest costs a memory fault rather than gigabytes of host memory. `body` returns false to stop.
    func forEachChunk(at address: UInt32, count: UInt32, _ body: ([UInt8]) throws -> Bool) throws {
        var done: UInt32 = 0
        while done < count {
            let n = min(count - done, transferChunk)
            let start = try offset(address, by: done)
            guard try body(try read(Int(n), at: start)) else { return }
            done += n
        }
    }

    /// A NUL-terminated string, read in aligned pieces that never run past the end of a mapped
    /// region (regions are at least 64-byte aligned) unless the string itself does.
    func cString(at address: UInt32) throws -> [UInt8] {
        var text: [UInt8] = []
        while true {
            let next = try offset(address, by: UInt32(text.count))
            let piece = try read(Int(64 - next % 64), at: next)
            if let end = piece.firstIndex(of: 0) { return text + piece[..<end] }
            text += piece
        }
    }

    /// `address + delta`, refusing to wrap around to address 0 (which is usually mapped flash).
    func offset(_ address: UInt32, by delta: UInt32) throws -> UInt32 {
        let (sum, wrapped) = address.addingReportingOverflow(delta)
        if wrapped {
            throw SemihostingError("semihosting buffer at 0x\(String(address, radix: 16, uppercase: true)) runs past the end of the address space")
        }
        return sum
    }
}

/// Large enough that printf-sized writes take one step, small enough to bound host allocations.
let transferChunk: UInt32 = 4096
