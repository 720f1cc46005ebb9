import Foundation
import XCTest
@testable import MCUTrain

/// Builds real firmware with the cross compiler rather than checking in a binary, so the
/// parser is exercised against whatever the installed toolchain actually emits.
final class ELFFileTests: XCTestCase {
    private static let source = """
        int table[4] = {1, 2, 3, 4};
        int scratch[8];

        int accumulate(int n) {
            int sum = 0;
            for (int i = 0; i < n && i < 4; i++) { sum += table[i]; scratch[i] = sum; }
            return sum;
        }

        void _start(void) { accumulate(4); for (;;) {} }
        """

    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ELFFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }


    private func buildFirmware() throws -> URL {
        let directory = try temporaryDirectory()
        let source = directory.appendingPathComponent("firmware.c")
        let elf = directory.appendingPathComponent("firmware.elf")
        try Self.source.write(to: source, atomically: true, encoding: .utf8)
        try tool("arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-O1", "-nostdlib", "-nostartfiles",
                                      "-Wl,-Ttext=0x0", "-Wl,-Tdata=0x20000000", "-o", elf.path, source.path])
        return elf
    }

    /// Parses `bytes` as `corrupt.elf` and checks the one-line error names the file and the reason.
    private func assertRejects(_ bytes: [UInt8], because reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ELFFile(bytes: bytes, path: "corrupt.elf"), file: file, line: line) { error in
            let description = String(describing: error)
            XCTAssertTrue(description.hasPrefix("corrupt.elf: "), description, file: file, line: line)
            XCTAssertTrue(description.contains(reason), description, file: file, line: line)
            XCTAssertFalse(description.contains("\n"), description, file: file, line: line)
        }
    }

    /// Found by `make fuzz`: a segment with no file bytes and a load address outside the board
    /// failed to load with "write of 0 bytes at 0x7FFFFFF0", an error that named no file.
    func testSegmentWithNothingToCopyLoadsWhateverItsLoadAddress() throws {
        var bytes = Array(try Data(contentsOf: try buildFirmware()))
        func put(_ value: UInt32, at offset: Int) { for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
        let programHeaders = Int(bytes[28]) | Int(bytes[29]) << 8
        let data = programHeaders + 32  // the second PT_LOAD: .data and .bss at 0x20000000
        put(0x7FFF_FFF0, at: data + 12)  // p_paddr
        put(0, at: data + 16)  // p_filesz
        let elf = try ELFFile(bytes: bytes, path: "bss-only.elf")
        XCTAssertEqual(elf.loadSegments.map(\.physicalAddress), [0, 0x7FFF_FFF0])
        XCTAssertNoThrow(try Machine(board: try Board.resolve("nrf52840"), timing: try CortexM4Timing()).load(elf))
    }

    func testParsesSectionsOfRealFirmware() throws {
        let elf = try ELFFile(path: try buildFirmware().path)

        let text = try XCTUnwrap(elf.section(named: ".text"))
        XCTAssertEqual(text.address, 0)
        XCTAssertTrue(text.isAllocated && text.isExecutable && !text.isWritable && !text.isNoBits)
        XCTAssertEqual(text.data.count, Int(text.size))

        let data = try XCTUnwrap(elf.section(named: ".data"))
        XCTAssertEqual(data.address, 0x2000_0000)
        XCTAssertTrue(data.isAllocated && data.isWritable && !data.isExecutable)
        XCTAssertEqual(data.data, [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0])

        let bss = try XCTUnwrap(elf.section(named: ".bss"))
        XCTAssertTrue(bss.isNoBits && bss.isAllocated && bss.isWritable)
        XCTAssertEqual(bss.size, 32)
        XCTAssertEqual(bss.data, [], "NOBITS sections occupy no file space")

        // The newlib linker script also emits empty .noinit/.persistent, so check membership, not equality.
        let allocated = Set(elf.allocatedSections.map(\.name))
        XCTAssertTrue(allocated.isSuperset(of: [".text", ".data", ".bss"]), "\(allocated)")
        XCTAssertTrue(allocated.isDisjoint(with: [".comment", ".symtab", ".strtab", ".shstrtab"]), "\(allocated)")
        XCTAssertNotNil(elf.section(named: ".symtab"), "non-allocated sections are still listed")
    }

    func testSymbolsClearTheThumbBitOnlyForFunctions() throws {
        let elf = try ELFFile(path: try buildFirmware().path)

        let accumulate = try XCTUnwrap(elf.symbol(named: "accumulate"))
        XCTAssertTrue(accumulate.isFunction)
        XCTAssertFalse(accumulate.isObject)
        XCTAssertEqual(accumulate.value & 1, 1, "Thumb functions carry bit 0 in st_value")
        XCTAssertEqual(accumulate.address, accumulate.value - 1)
        XCTAssertGreaterThan(accumulate.size, 0)

        let start = try XCTUnwrap(elf.symbol(named: "_start"))
        XCTAssertEqual(elf.entry, start.value, "e_entry keeps the Thumb bit like the symbol does")

        let table = try XCTUnwrap(elf.symbol(named: "table"))
        XCTAssertTrue(table.isObject && !table.isFunction)
        XCTAssertEqual(table.address, 0x2000_0000)
        XCTAssertEqual(table.size, 16)

        let scratch = try XCTUnwrap(elf.symbol(named: "scratch"))
        XCTAssertTrue(scratch.isObject)
        XCTAssertEqual(scratch.size, 32)
        XCTAssertEqual(scratch.address, try XCTUnwrap(elf.section(named: ".bss")).address)

        XCTAssertFalse(elf.symbols.contains { $0.name.hasPrefix("$") }, "ARM mapping symbols are dropped")
        XCTAssertNil(elf.symbol(named: "no_such_symbol"))
    }

    func testFunctionContainingAddress() throws {
        let elf = try ELFFile(path: try buildFirmware().path)
        let accumulate = try XCTUnwrap(elf.symbol(named: "accumulate"))
        let last = accumulate.address + accumulate.size - 1

        XCTAssertEqual(elf.function(containing: accumulate.address)?.name, "accumulate")
        XCTAssertEqual(elf.function(containing: last)?.name, "accumulate")
        XCTAssertNotEqual(elf.function(containing: last + 1)?.name, "accumulate")
        XCTAssertNil(elf.function(containing: 0x2000_0000), "data objects are not functions")
        XCTAssertNil(elf.function(containing: .max))
    }

    func testFlashBytesMatchesTheToolchainsTextPlusData() throws {
        let path = try buildFirmware().path
        let elf = try ELFFile(path: path)
        // Berkeley format: "text data bss dec hex filename"; flash holds text + data.
        let report = try tool("arm-none-eabi-size", [path])
        let sizes = report.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        XCTAssertGreaterThanOrEqual(sizes.count, 2, report)
        XCTAssertEqual(elf.flashBytes, sizes.prefix(2).reduce(0, +))
        XCTAssertEqual(elf.loadSegments.first { $0.virtualAddress == 0x2000_0000 }?.data.count, 16)
    }

    func testRejectsEmptyFile() {
        assertRejects([], because: "not an ELF file (file is empty)")
    }

    func testRejectsBadMagic() {
        assertRejects(Array("#!/bin/sh\necho hi\n".utf8) + [UInt8](repeating: 0, count: 64),
                      because: "not an ELF file (bad magic)")
    }

    func testRejects64BitClass() {
        let header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + [UInt8](repeating: 0, count: 57)
        assertRejects(header, because: "not 32-bit (ELF class 2)")
    }

    func testRejectsFileTruncatedToHalf() throws {
        let bytes = try [UInt8](Data(contentsOf: buildFirmware()))
        assertRejects(Array(bytes.prefix(bytes.count / 2)), because: "runs past end of file")
    }

    func testRejectsSectionHeaderOffsetBeyondFile() throws {
        var bytes = try [UInt8](Data(contentsOf: buildFirmware()))
        let offset = UInt32(bytes.count + 0x100)
        bytes.replaceSubrange(32..<36, with: withUnsafeBytes(of: offset.littleEndian, Array.init))
        assertRejects(bytes, because: "section header 0 runs past end of file (offset 0x\(String(offset, radix: 16))")
    }

    func testReportsMissingFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("firmware.elf").path
        XCTAssertThrowsError(try ELFFile(path: path)) { error in
            XCTAssertEqual(error as? ELFError, .unreadable(path: path, reason: "No such file or directory"))
            XCTAssertEqual(String(describing: error), "cannot read \(path): No such file or directory")
        }
    }
}
