import Foundation

/// One section of the image, kept with its bytes so the emulator can map it without re-reading the file.
public struct ELFSection: Sendable {
    public let name: String
    public let type: UInt32
    public let flags: UInt32
    public let address: UInt32
    public let size: UInt32
    /// Empty for SHT_NOBITS sections such as `.bss`, which occupy memory but not file space.
    public let data: [UInt8]

    public var isAllocated: Bool { flags & ELFConstant.shfAlloc != 0 }
    public var isNoBits: Bool { type == ELFConstant.shtNoBits }
    public var isExecutable: Bool { flags & ELFConstant.shfExecInstr != 0 }
    public var isWritable: Bool { flags & ELFConstant.shfWrite != 0 }
}

public struct ELFSymbol: Sendable {
    public let name: String
    /// Raw `st_value`; for Thumb functions bit 0 is set, as the linker wrote it.
    public let value: UInt32
    public let size: UInt32
    public let isFunction: Bool
    public let isObject: Bool

    /// Where the symbol lives in memory. Bit 0 of a function's value only says
    /// "Thumb state" and is never part of the code address; data symbols are left
    /// alone because byte-sized objects may legitimately sit at odd addresses.
    public var address: UInt32 { isFunction ? value & ~1 : value }
}

/// A PT_LOAD program header. Sections only carry run-time (virtual) addresses; the
/// physical address here is where initialised data is stored in flash for startup code
/// to copy into RAM, so the loader must place `data` there.
public struct ELFSegment: Sendable {
    public let virtualAddress: UInt32
    public let physicalAddress: UInt32
    public let memorySize: UInt32
    public let flags: UInt32
    public let data: [UInt8]
}

/// A parsed 32-bit little-endian ARM ELF executable, as produced by arm-none-eabi-gcc.
///
/// Every offset and size read from the file is checked against the buffer before use,
/// because firmware files come from user builds and a truncated or corrupt one must
/// produce an explanation rather than a crash.
public struct ELFFile: Sendable {
    public let path: String
    public let entry: UInt32
    public let sections: [ELFSection]
    public let symbols: [ELFSymbol]
    public let loadSegments: [ELFSegment]

    public init(path: String) throws {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch let error as FileBytes.Unreadable { throw ELFError.unreadable(path: path, reason: error.reason) }
        try self.init(bytes: bytes, path: path)
    }

    public init(bytes: [UInt8], path: String) throws {
        let file = ELFReader(bytes: bytes, path: path)
        let header = try file.header()
        self.path = path
        entry = header.u32(24)
        loadSegments = try file.loadSegments(header)
        let table = try file.sectionTable(header)
        sections = table.sections
        symbols = try file.symbols(table)
    }

    public func symbol(named name: String) -> ELFSymbol? {
        symbols.first { $0.name == name }
    }

    public func section(named name: String) -> ELFSection? {
        sections.first { $0.name == name }
    }

    /// The function whose body holds `address`, so a fault PC can be reported as
    /// `in foo()`. Written as a subtraction so `address + size` cannot overflow at the top of memory.
    public func function(containing address: UInt32) -> ELFSymbol? {
        symbols.first { $0.isFunction && address >= $0.address && address - $0.address < $0.size }
    }

    public var allocatedSections: [ELFSection] { sections.filter(\.isAllocated) }

    /// Static RAM as the linker laid it out: allocated sections in any of the board's RAM regions.
    public func staticRAMBytes(on board: Board) -> Int {
        allocatedSections
            .filter { s in board.regions.contains { $0.kind == .ram && s.address >= $0.origin && UInt64(s.address) < $0.end } }
            .reduce(0) { $0 + Int($1.size) }
    }

    /// Bytes the image occupies in flash. Taken from the load segments rather than the
    /// sections because the segments include the `.data` initialisers and any alignment
    /// padding the linker put between sections, which is what actually gets programmed.
    public var flashBytes: Int { loadSegments.reduce(0) { $0 + $1.data.count } }
}

/// Values from the ELF32 specification and ARM's ELF supplement that this loader relies on.
private enum ELFConstant {
    static let headerSize = 52
    static let programHeaderSize: UInt32 = 32, sectionHeaderSize: UInt32 = 40, symbolSize: UInt32 = 16
    static let etExec: UInt16 = 2, emARM: UInt16 = 40
    static let ptLoad: UInt32 = 1
    static let shtNull: UInt32 = 0, shtSymTab: UInt32 = 2, shtNoBits: UInt32 = 8
    static let shfWrite: UInt32 = 0x1, shfAlloc: UInt32 = 0x2, shfExecInstr: UInt32 = 0x4
    static let sttObject: UInt8 = 1, sttFunc: UInt8 = 2, sttSection: UInt8 = 3, sttFile: UInt8 = 4
}

/// A fixed-size header or table entry. Only created from a slice whose length was
/// checked against the record's layout, so field reads never leave it.
private struct ELFRecord {
    let bytes: ArraySlice<UInt8>

    func u8(_ offset: Int) -> UInt8 { bytes[bytes.startIndex + offset] }
    func u16(_ offset: Int) -> UInt16 { UInt16(u8(offset)) | UInt16(u8(offset + 1)) << 8 }
    func u32(_ offset: Int) -> UInt32 { UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16 }
}

private func elfHex(_ value: some BinaryInteger) -> String { "0x" + String(value, radix: 16) }

/// Raw section headers plus the decoded sections, kept together because the symbol
/// table refers to its string table by header index.
private struct ELFSectionTable {
    var headers: [ELFRecord] = []
    var sections: [ELFSection] = []
}

/// File offsets and sizes are handled as UInt64: every field is at most 32 bits, so
/// sums and entry-index products cannot wrap, and nothing becomes an Int index until
/// it has been checked against the buffer length.
private struct ELFReader {
    let bytes: [UInt8]
    let path: String

    func fail(_ reason: String) -> ELFError { .malformed(path: path, reason: reason) }

    /// The only way to get at file contents, so no read can escape the buffer.
    func slice(_ what: String, offset: UInt64, size: UInt64) throws -> ArraySlice<UInt8> {
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= UInt64(bytes.count) else {
            throw fail("\(what) runs past end of file (offset \(elfHex(offset)) + \(elfHex(size)) > \(elfHex(bytes.count)))")
        }
        return bytes[Int(offset)..<Int(end)]
    }

    func header() throws -> ELFRecord {
        guard !bytes.isEmpty else { throw fail("not an ELF file (file is empty)") }
        guard bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else { throw fail("not an ELF file (bad magic)") }
        guard bytes.count >= ELFConstant.headerSize else {
            throw fail("ELF header truncated (\(bytes.count) bytes, need \(ELFConstant.headerSize))")
        }
        let header = ELFRecord(bytes: bytes[0..<ELFConstant.headerSize])
        guard header.u8(4) == 1 else { throw fail("not 32-bit (ELF class \(header.u8(4)))") }
        guard header.u8(5) == 1 else { throw fail("not little-endian (ELF data encoding \(header.u8(5)))") }
        guard header.u16(18) == ELFConstant.emARM else { throw fail("not ARM (e_machine \(header.u16(18)))") }
        guard header.u16(16) == ELFConstant.etExec else { throw fail("not an executable (e_type \(header.u16(16)))") }
        return header
    }

    /// Splits the table of `count` entries at `offset` into entries, checking each against the file.
    func entries(_ what: String, offset: UInt32, count: Int, entrySize: UInt32, minimum: UInt32) throws -> [ELFRecord] {
        guard count > 0 else { return [] }
        guard entrySize >= minimum else { throw fail("\(what) entry size \(entrySize) is smaller than \(minimum)") }
        return try (0..<count).map { index in
            ELFRecord(bytes: try slice("\(what) \(index)", offset: UInt64(offset) + UInt64(index) * UInt64(entrySize),
                                       size: UInt64(entrySize)))
        }
    }

    func loadSegments(_ header: ELFRecord) throws -> [ELFSegment] {
        let table = try entries("program header", offset: header.u32(28), count: Int(header.u16(44)),
                                entrySize: UInt32(header.u16(42)), minimum: ELFConstant.programHeaderSize)
        return try table.enumerated().filter { $0.element.u32(0) == ELFConstant.ptLoad }.map { index, entry in
            guard entry.u32(16) <= entry.u32(20) else {
                throw fail("program header \(index): file size \(elfHex(entry.u32(16))) exceeds memory size \(elfHex(entry.u32(20)))")
            }
            let data = try slice("program header \(index) segment", offset: UInt64(entry.u32(4)),
                                 size: UInt64(entry.u32(16)))
            return ELFSegment(virtualAddress: entry.u32(8), physicalAddress: entry.u32(12),
                              memorySize: entry.u32(20), flags: entry.u32(24), data: Array(data))
        }
    }

    /// A NUL-terminated name from a string table; `what` says whose name it is for the error.
    func string(_ what: String, in table: ArraySlice<UInt8>, at offset: UInt32) throws -> String {
        guard UInt64(offset) < UInt64(table.count) else {
            throw fail("\(what) names offset \(elfHex(offset)) beyond string table (size \(elfHex(table.count)))")
        }
        let rest = table.dropFirst(Int(offset))
        guard let end = rest.firstIndex(of: 0) else {
            throw fail("\(what) name at offset \(elfHex(offset)) is not NUL-terminated")
        }
        return String(decoding: rest[..<end], as: UTF8.self)
    }

    func sectionData(_ index: Int, _ header: ELFRecord) throws -> ArraySlice<UInt8> {
        guard header.u32(4) != ELFConstant.shtNoBits else { return [] }
        return try slice("section \(index) data", offset: UInt64(header.u32(16)), size: UInt64(header.u32(20)))
    }

    func sectionTable(_ header: ELFRecord) throws -> ELFSectionTable {
        var table = ELFSectionTable()
        table.headers = try entries("section header", offset: header.u32(32), count: Int(header.u16(48)),
                                    entrySize: UInt32(header.u16(46)), minimum: ELFConstant.sectionHeaderSize)
        guard !table.headers.isEmpty else { return table }
        // Index 0 (SHN_UNDEF) means the file carries no section names at all.
        let nameIndex = Int(header.u16(50))
        guard nameIndex < table.headers.count else {
            throw fail("section name table index \(nameIndex) is out of range (\(table.headers.count) sections)")
        }
        let nameTable = nameIndex == 0 ? [] : try sectionData(nameIndex, table.headers[nameIndex])
        for (index, entry) in table.headers.enumerated() where entry.u32(4) != ELFConstant.shtNull {
            let name = nameIndex == 0 ? "" : try string("section header \(index)", in: nameTable, at: entry.u32(0))
            table.sections.append(ELFSection(name: name, type: entry.u32(4), flags: entry.u32(8),
                                             address: entry.u32(12), size: entry.u32(20),
                                             data: Array(try sectionData(index, entry))))
        }
        return table
    }

    func symbols(_ table: ELFSectionTable) throws -> [ELFSymbol] {
        guard let symtab = table.headers.first(where: { $0.u32(4) == ELFConstant.shtSymTab }) else { return [] }
        let link = Int(symtab.u32(24))
        guard link < table.headers.count else {
            throw fail("symbol table links to string table section \(link), but there are \(table.headers.count) sections")
        }
        let strings = try sectionData(link, table.headers[link])
        let entrySize = symtab.u32(36)
        guard entrySize >= ELFConstant.symbolSize else {
            throw fail("symbol table entry size \(entrySize) is smaller than \(ELFConstant.symbolSize)")
        }
        let entries = try entries("symbol table entry", offset: symtab.u32(16), count: Int(symtab.u32(20) / entrySize),
                                  entrySize: entrySize, minimum: ELFConstant.symbolSize)
        return try entries.enumerated().compactMap { index, entry in
            let type = entry.u8(12) & 0xF
            // Section and file symbols name no program entity; neither do ARM mapping
            // symbols ($a, $t, $d...), which only tell disassemblers how to decode bytes.
            guard type != ELFConstant.sttSection, type != ELFConstant.sttFile else { return nil }
            let name = try string("symbol table entry \(index)", in: strings, at: entry.u32(0))
            guard !name.isEmpty, !name.hasPrefix("$") else { return nil }
            return ELFSymbol(name: name, value: entry.u32(4), size: entry.u32(8),
                             isFunction: type == ELFConstant.sttFunc, isObject: type == ELFConstant.sttObject)
        }
    }
}
