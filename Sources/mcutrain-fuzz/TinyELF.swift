/// A minimal Cortex-M executable written byte by byte: code in flash at 0, initialised data
/// stored after it and run from RAM at 0x20000000, `.bss`, and a symbol table with a function,
/// an object and the mapping and file symbols the loader must skip. Small enough that most
/// mutations hit a header or table field.
enum TinyELF {
    static func bytes() -> [UInt8] {
        // _start: movs r0, #42; udiv r0, r0, r1; ldrd r2, r3, [r1]; bx lr
        let text: [UInt8] = [0x2A, 0x20, 0xB0, 0xFB, 0xF1, 0xF0, 0xD1, 0xE9, 0x00, 0x23, 0x70, 0x47]
        let data: [UInt8] = [11, 0, 0, 0, 22, 0, 0, 0]
        let strtab = Array("\0_start\0table\0$t\0tiny.c\0".utf8)
        let shstrtab = Array("\0.text\0.data\0.bss\0.symtab\0.strtab\0.shstrtab\0".utf8)
        let ram: UInt32 = 0x2000_0000

        let textOffset = 52 + 2 * 32
        let dataOffset = textOffset + text.count
        let symtabOffset = dataOffset + data.count
        // null, _start (FUNC, Thumb), table (OBJECT), $t (mapping), tiny.c (FILE)
        var symtab: [UInt8] = []
        for (name, value, size, info, section) in [(0, 0, 0, 0, 0), (1, 1, UInt32(text.count), 0x12, 1), (8, ram, 8, 0x11, 2),
                                                   (14, 0, 0, 0x00, 1), (17, 0, 0, 0x04, 0xFFF1)] as [(UInt32, UInt32, UInt32, UInt8, UInt16)] {
            symtab += le32(name) + le32(value) + le32(size) + [info, 0] + le16(section)
        }
        let strtabOffset = symtabOffset + symtab.count
        let shstrtabOffset = strtabOffset + strtab.count
        let sectionsOffset = shstrtabOffset + shstrtab.count

        var file = [0x7F, 0x45, 0x4C, 0x46, 1, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        file += le16(2) + le16(40) + le32(1) + le32(1) + le32(52) + le32(UInt32(sectionsOffset)) + le32(0x0500_0200)
        file += le16(52) + le16(32) + le16(2) + le16(40) + le16(7) + le16(6)
        // PT_LOAD: code (R X) at 0; data (RW) run at RAM, stored after the code, 16 bytes of .bss after it.
        file += le32(1) + le32(UInt32(textOffset)) + le32(0) + le32(0) + le32(UInt32(text.count)) + le32(UInt32(text.count)) + le32(5) + le32(4)
        file += le32(1) + le32(UInt32(dataOffset)) + le32(ram) + le32(UInt32(text.count)) + le32(UInt32(data.count)) + le32(UInt32(data.count + 16)) + le32(6) + le32(4)
        file += text + data + symtab + strtab + shstrtab

        func section(_ name: UInt32, _ type: UInt32, _ flags: UInt32, _ address: UInt32, _ offset: Int, _ size: Int,
                     link: UInt32 = 0, info: UInt32 = 0, entrySize: UInt32 = 0) -> [UInt8] {
            le32(name) + le32(type) + le32(flags) + le32(address) + le32(UInt32(offset)) + le32(UInt32(size)) + le32(link) + le32(info) + le32(4) + le32(entrySize)
        }
        file += [UInt8](repeating: 0, count: 40)
        file += section(1, 1, 0x6, 0, textOffset, text.count)
        file += section(7, 1, 0x3, ram, dataOffset, data.count)
        file += section(13, 8, 0x3, ram + UInt32(data.count), dataOffset + data.count, 16)
        file += section(18, 2, 0, 0, symtabOffset, symtab.count, link: 5, info: 4, entrySize: 16)
        file += section(26, 3, 0, 0, strtabOffset, strtab.count)
        file += section(34, 3, 0, 0, shstrtabOffset, shstrtab.count)
        return file
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}
