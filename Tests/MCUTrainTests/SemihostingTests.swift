import Foundation
import XCTest
@testable import MCUTrain

/// Drives semihosting the way newlib's libgloss does, against a fake memory, plus one check that
/// the toolchain really produces a program that makes these calls.
final class SemihostingTests: XCTestCase {
    /// RAM at `base`; every other address faults like an unmapped one on the board.
    final class FakeMemory: GuestMemory {
        struct Fault: Error, Equatable { let address: UInt32 }
        let base: UInt32
        var bytes: [UInt8]

        init(base: UInt32 = 0x2000_0000, size: Int = 0x10000) {
            self.base = base
            bytes = [UInt8](repeating: 0, count: size)
        }

        private func range(_ count: Int, _ address: UInt32) throws -> Range<Int> {
            guard address >= base, Int(address - base) + count <= bytes.count else { throw Fault(address: address) }
            return Int(address - base)..<Int(address - base) + count
        }

        func read(_ count: Int, at address: UInt32) throws -> [UInt8] { Array(bytes[try range(count, address)]) }
        func write(_ data: [UInt8], at address: UInt32) throws { bytes.replaceSubrange(try range(data.count, address), with: data) }
    }

    enum Op {
        static let open: UInt32 = 0x01, close: UInt32 = 0x02, writec: UInt32 = 0x03, write0: UInt32 = 0x04
        static let write: UInt32 = 0x05, read: UInt32 = 0x06, istty: UInt32 = 0x09, seek: UInt32 = 0x0A
        static let flen: UInt32 = 0x0C, clock: UInt32 = 0x10, time: UInt32 = 0x11, errno: UInt32 = 0x13
        static let cmdline: UInt32 = 0x15, heapinfo: UInt32 = 0x16, exit: UInt32 = 0x18, exitExtended: UInt32 = 0x20
    }

    static let block: UInt32 = 0x2000_0000, text: UInt32 = 0x2000_0100, buffer: UInt32 = 0x2000_1000
    static let failed = UInt32.max
    private let memory = FakeMemory()

    private func outcome(_ s: Semihosting, _ op: UInt32, _ parameter: UInt32, cycles: UInt64 = 0, hz: UInt32 = 64_000_000) throws -> Semihosting.Outcome {
        try s.handle(operation: op, parameter: parameter, memory: memory, elapsedCycles: cycles, clockHz: hz)
    }

    /// Writes `words` as the parameter block, runs `op` and returns R0.
    private func call(_ s: Semihosting, _ op: UInt32, _ words: [UInt32], cycles: UInt64 = 0, hz: UInt32 = 64_000_000,
                      file: StaticString = #filePath, line: UInt = #line) throws -> UInt32 {
        try memory.write(words: words, at: Self.block)
        let result = try outcome(s, op, Self.block, cycles: cycles, hz: hz)
        guard case .result(let r0) = result else {
            XCTFail("expected a result, got \(result)", file: file, line: line)
            return 0
        }
        return r0
    }

    private func open(_ s: Semihosting, _ name: String, mode: UInt32) throws -> UInt32 {
        try memory.write(Array(name.utf8) + [0], at: Self.text)
        return try call(s, Op.open, [Self.text, mode, UInt32(name.utf8.count)])
    }

    private func write(_ s: Semihosting, _ handle: UInt32, _ text: String) throws -> UInt32 {
        try memory.write(Array(text.utf8), at: Self.buffer)
        return try call(s, Op.write, [handle, Self.buffer, UInt32(text.utf8.count)])
    }

    /// Returns R0 (bytes *not* read) and the bytes that were.
    private func read(_ s: Semihosting, _ handle: UInt32, _ count: UInt32) throws -> (UInt32, [UInt8]) {
        let notRead = try call(s, Op.read, [handle, Self.buffer, count])
        return (notRead, count >= notRead ? try memory.read(Int(count - notRead), at: Self.buffer) : [])
    }

    // MARK: newlib start-up and the console

    func testNewlibStartupSequence() throws {
        let s = Semihosting()
        var echoed: [(Bool, String)] = []
        s.onOutput = { echoed.append(($0, String(decoding: $1, as: UTF8.self))) }

        let features = try open(s, ":semihosting-features", mode: 0)
        XCTAssertEqual(try call(s, Op.flen, [features]), 5)
        XCTAssertEqual(try read(s, features, 4).1, Array("SHFB".utf8))
        XCTAssertEqual(try call(s, Op.seek, [features, 4]), 0)
        let feature = try read(s, features, 1)
        XCTAssertEqual(feature.0, 0)
        XCTAssertEqual(feature.1, [0x03], "EXIT_EXTENDED | STDOUT_STDERR")
        XCTAssertEqual(try read(s, features, 1).0, 1, "end of file")
        XCTAssertEqual(try call(s, Op.istty, [features]), 0)
        XCTAssertEqual(try call(s, Op.close, [features]), 0)

        let streams = try [0, 4, 8].map { try open(s, ":tt", mode: $0) }
        XCTAssertEqual(Set(streams).count, 3)
        for handle in streams {
            XCTAssertTrue((1..<64).contains(handle), "small non-zero handle, got \(handle)")
            XCTAssertEqual(try call(s, Op.istty, [handle]), 1)
            XCTAssertEqual(try call(s, Op.flen, [handle]), 0)
        }
        XCTAssertEqual(try write(s, streams[1], "hello 42\n"), 0)
        XCTAssertEqual(try write(s, streams[2], "oops\n"), 0)
        XCTAssertEqual(echoed.map(\.0), [false, true])
        XCTAssertEqual(echoed.map(\.1), ["hello 42\n", "oops\n"])
    }

    func testStdinServesConfiguredBytesThenEndOfFile() throws {
        let s = Semihosting(configuration: .init(stdin: Array("ab".utf8)))
        let input = try open(s, ":tt", mode: 1)
        let first = try read(s, input, 4)
        XCTAssertEqual(first.0, 2)
        XCTAssertEqual(first.1, Array("ab".utf8))
        XCTAssertEqual(try read(s, input, 4).0, 4)
    }

    func testWriteCAndWrite0GoToStdout() throws {
        let s = Semihosting()
        var output: [UInt8] = []
        s.onOutput = { isError, bytes in XCTAssertFalse(isError); output += bytes }
        try memory.write([UInt8(ascii: "A")], at: Self.text)
        XCTAssertEqual(try outcome(s, Op.writec, Self.text), .result(0))
        // Longer than one 64-byte piece and starting unaligned, to cross the read boundaries.
        let long = String(repeating: "0123456789", count: 15)
        try memory.write(Array(long.utf8) + [0], at: Self.buffer + 3)
        XCTAssertEqual(try outcome(s, Op.write0, Self.buffer + 3), .result(0))
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "A" + long)
    }

    func testHandlesAreSmallNonZeroAndReused() throws {
        let s = Semihosting()
        XCTAssertEqual(try [0, 4, 8].map { try open(s, ":tt", mode: $0) }, [1, 2, 3])
        XCTAssertEqual(try call(s, Op.close, [2]), 0)
        XCTAssertEqual(try open(s, ":tt", mode: 4), 2)
    }

    func testMisuseFailsWithNewlibErrno() throws {
        let s = Semihosting()
        let input = try open(s, ":tt", mode: 0), output = try open(s, ":tt", mode: 4)
        XCTAssertEqual(try write(s, input, "abc"), 3, "nothing written to stdin")
        XCTAssertEqual(try call(s, Op.errno, [0]), 9)
        XCTAssertEqual(try read(s, output, 5).0, 5, "nothing read from stdout")
        XCTAssertEqual(try write(s, 42, "abc"), Self.failed)
        XCTAssertEqual(try call(s, Op.seek, [output, 0]), Self.failed)
        XCTAssertEqual(try call(s, Op.errno, [0]), 29)
        XCTAssertEqual(try open(s, ":semihosting-features", mode: 4), Self.failed)
        XCTAssertEqual(try call(s, Op.errno, [0]), 13)
        XCTAssertEqual(try open(s, ":tt", mode: 12), Self.failed)
        XCTAssertEqual(try call(s, Op.errno, [0]), 22)
        XCTAssertEqual(try call(s, Op.close, [output]), 0)
        XCTAssertEqual(try call(s, Op.close, [output]), Self.failed)
        XCTAssertEqual(try call(s, Op.errno, [0]), 9)
    }

    // MARK: time, command line, heap, exit

    func testClockAndTimeAreModelledFromCycles() throws {
        let s = Semihosting()
        let cycles: UInt64 = 64_000_000 * 7 / 2   // 3.5 s at 64 MHz
        XCTAssertEqual(try call(s, Op.clock, [0], cycles: cycles), 350)
        XCTAssertEqual(try call(s, Op.time, [0], cycles: cycles), 3)
        XCTAssertEqual(try call(s, Op.clock, [0], cycles: .max, hz: 1), UInt32(truncatingIfNeeded: UInt64.max &* 100))
        XCTAssertEqual(try call(s, Op.clock, [0], cycles: cycles, hz: 0), Self.failed)
    }

    func testCommandLineFillsTheCallersBuffer() throws {
        let s = Semihosting(configuration: .init(commandLine: "prog -v"))
        XCTAssertEqual(try call(s, Op.cmdline, [Self.buffer, 80]), 0)
        XCTAssertEqual(try memory.read(8, at: Self.buffer), Array("prog -v\0".utf8))
        XCTAssertEqual(try memory.words(2, at: Self.block), [Self.buffer, 7])
        try memory.write(words: [Self.text, 7], at: Self.block)
        assertError(try outcome(s, Op.cmdline, Self.block), mentions: ["command line is 8 bytes with its NUL", "buffer holds 7"])
    }

    func testHeapInfoFillsTheTableThePointerNames() throws {
        let s = Semihosting(configuration: .init(heapBase: 0x2000_2000, heapLimit: 0x2003_0000, stackBase: 0x2004_0000, stackLimit: 0x2003_0000))
        XCTAssertEqual(try call(s, Op.heapinfo, [Self.buffer]), 0)
        XCTAssertEqual(try memory.words(4, at: Self.buffer), [0x2000_2000, 0x2003_0000, 0x2004_0000, 0x2003_0000])
    }

    func testExitCodes() throws {
        let s = Semihosting()
        XCTAssertEqual(try outcome(s, Op.exit, 0x20026), .exit(code: 0))
        XCTAssertEqual(try outcome(s, Op.exit, 0x20023), .exit(code: 1), "run-time error, e.g. abort()")
        for (block, code) in [([0x20026, 3], 3), ([0x20026, UInt32.max], -1), ([0x20023, 6], 1)] as [([UInt32], Int32)] {
            try memory.write(words: block, at: Self.block)
            XCTAssertEqual(try outcome(s, Op.exitExtended, Self.block), .exit(code: code))
        }
    }

    // MARK: errors

    func testUnknownOperationIsNamed() {
        assertError(try outcome(Semihosting(), 0x07, 0), mentions: ["semihosting", "0x07"])
        assertError(try outcome(Semihosting(), 0x31, 0), mentions: ["0x31"])
    }

    func testBadGuestPointersSurfaceTheMemoryError() throws {
        let s = Semihosting(configuration: .init(stdin: [1]))
        let bad: UInt32 = 0x3000_0000
        let output = try open(s, ":tt", mode: 4), input = try open(s, ":tt", mode: 0)
        XCTAssertThrowsError(try outcome(s, Op.write0, bad)) { XCTAssertEqual($0 as? FakeMemory.Fault, .init(address: bad)) }
        XCTAssertThrowsError(try outcome(s, Op.open, bad)) { XCTAssertEqual($0 as? FakeMemory.Fault, .init(address: bad)) }
        XCTAssertThrowsError(try call(s, Op.write, [output, bad, 10])) { XCTAssertEqual($0 as? FakeMemory.Fault, .init(address: bad)) }
        XCTAssertThrowsError(try call(s, Op.read, [input, bad, 10])) { XCTAssertEqual($0 as? FakeMemory.Fault, .init(address: bad)) }
        XCTAssertThrowsError(try call(s, Op.heapinfo, [bad])) { XCTAssertEqual($0 as? FakeMemory.Fault, .init(address: bad)) }
    }

    func testBuffersMayNotWrapPastTheTopOfTheAddressSpace() throws {
        let top = FakeMemory(base: 0xFFFF_0000, size: 0x10000)
        top.bytes = [UInt8](repeating: UInt8(ascii: "x"), count: top.bytes.count)
        let s = Semihosting()
        assertError(try s.handle(operation: Op.write0, parameter: 0xFFFF_FF00, memory: top, elapsedCycles: 0, clockHz: 1),
                    mentions: ["0xFFFFFF00", "end of the address space"])
    }
}

// MARK: host files: off unless configured, then the spec's fopen modes on real files

extension SemihostingTests {
    private func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func testHostFilesRefusedByDefault() throws {
        let dir = temporaryDirectory(self)
        let secret = writeFile(dir, "secret.txt", "keep")
        let s = Semihosting()
        for mode: UInt32 in [0, 4, 8] {
            XCTAssertEqual(try open(s, secret, mode: mode), Self.failed)
            XCTAssertEqual(try call(s, Op.errno, [0]), 13, "EACCES")
        }
        XCTAssertEqual(try open(s, dir + "/new.txt", mode: 4), Self.failed)
        XCTAssertEqual(contents(secret), "keep")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/new.txt"))
    }

    func testHostFileModesWhenAllowed() throws {
        let path = temporaryDirectory(self) + "/log.txt"
        let s = Semihosting(configuration: .init(allowHostFiles: true))

        XCTAssertEqual(try open(s, path, mode: 0), Self.failed, "r of a missing file")
        XCTAssertEqual(try call(s, Op.errno, [0]), 2, "ENOENT")

        let w = try open(s, path, mode: 4)
        XCTAssertEqual(try call(s, Op.istty, [w]), 0)
        XCTAssertEqual(try write(s, w, "hello"), 0)
        XCTAssertEqual(try call(s, Op.flen, [w]), 5)
        XCTAssertEqual(try call(s, Op.close, [w]), 0)

        let a = try open(s, path, mode: 9)   // "ab"
        XCTAssertEqual(try write(s, a, " world"), 0)
        XCTAssertEqual(try call(s, Op.close, [a]), 0)
        XCTAssertEqual(contents(path), "hello world")

        let r = try open(s, path, mode: 0)
        XCTAssertEqual(try write(s, r, "x"), 1, "r is read-only: nothing written")
        XCTAssertEqual(try call(s, Op.seek, [r, 6]), 0)
        XCTAssertEqual(try call(s, Op.read, [r, Self.buffer, 8]), 3, "5 of 8 bytes left")
        XCTAssertEqual(try memory.read(5, at: Self.buffer), Array("world".utf8))
        XCTAssertEqual(try call(s, Op.read, [r, Self.buffer, 8]), 8, "end of file")
        XCTAssertEqual(try call(s, Op.close, [r]), 0)

        let update = try open(s, path, mode: 3)   // "r+b"
        XCTAssertEqual(try write(s, update, "J"), 0)
        XCTAssertEqual(try call(s, Op.close, [update]), 0)
        XCTAssertEqual(contents(path), "Jello world")

        let truncate = try open(s, path, mode: 6)   // "w+"
        XCTAssertEqual(try call(s, Op.flen, [truncate]), 0)
        XCTAssertEqual(try call(s, Op.close, [truncate]), 0)
        XCTAssertEqual(contents(path), "")
    }
}

// MARK: the toolchain half: newlib's rdimon specs link a plain printf program into one that
// enters through `_start` and traps with `BKPT 0xAB` (running it is the emulator's test)

extension SemihostingTests {
    func testRdimonHelloWorldLinks() throws {
        let dir = temporaryDirectory(self)
        let source = writeFile(dir, "hello.c", "#include <stdio.h>\nint main(void) { printf(\"hello %d\\n\", 42); return 3; }\n")
        let elfPath = dir + "/hello.elf"
        try tool("arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "--specs=rdimon.specs", "-O1", "-o", elfPath, source])

        let symbols = try tool("arm-none-eabi-nm", [elfPath]).split(separator: "\n")
        let interesting = symbols.filter { [" _start", " initialise_monitor_handles", " _get_semihosting_exts"].contains(where: $0.hasSuffix) }
        print("arm-none-eabi-nm hello.elf:\n" + interesting.joined(separator: "\n"))
        let start = try XCTUnwrap(symbols.first { $0.hasSuffix(" T _start") }, "no global _start")
        XCTAssertEqual(try ELFFile(path: elfPath).entry & ~1, UInt32(start.prefix(8), radix: 16), "entry point is _start")

        let traps = try tool("arm-none-eabi-objdump", ["-d", elfPath]).split(separator: "\n").filter { $0.hasSuffix("bkpt\t0x00ab") }
        print("semihosting traps (bkpt 0x00ab): \(traps.count)")
        XCTAssertFalse(traps.isEmpty)
        let image = try Data(contentsOf: URL(fileURLWithPath: elfPath))
        for name in [":tt", ":semihosting-features"] {
            XCTAssertNotNil(image.range(of: Data(name.utf8)), "newlib opens \(name)")
        }
    }
}
