/// A board's memory map checked against the architecture's fixed address map (ARMv7-M ARM,
/// DDI 0403E, B3.1 "The system address map"; ARMv6-M ARM, DDI 0419, B3.1, is the same), so a
/// board that no Cortex-M could have is refused with the field at fault instead of failing
/// later inside Unicorn or allocating gigabytes:
///
/// | range | region | here |
/// | --- | --- | --- |
/// | 0x00000000-0x1FFFFFFF | Code | flash, or RAM (CCM, TCM) |
/// | 0x20000000-0x3FFFFFFF | SRAM | RAM |
/// | 0x40000000-0x5FFFFFFF | Peripheral (Device memory) | nothing |
/// | 0x60000000-0x9FFFFFFF | External RAM | RAM |
/// | 0xA0000000-0xDFFFFFFF | External device | nothing |
/// | 0xE0000000-0xFFFFFFFF | System (PPB: SCS, DWT, ITM; vendor) | nothing: the emulator maps the debug blocks there |
extension Board {
    static let codeRegionEnd: UInt64 = 0x2000_0000
    static let systemSpace: UInt64 = 0xE000_0000
    /// Device-memory ranges: no instruction fetch, no unaligned access, so no stack or data.
    static let deviceRanges: [(start: UInt64, end: UInt64, name: String)] = [
        (0x4000_0000, 0x6000_0000, "the Peripheral region 0x40000000-0x5FFFFFFF"),
        (0xA000_0000, 0xE000_0000, "the External device region 0xA0000000-0xDFFFFFFF"),
    ]
    /// 512 MiB, the size of the architecture's Code and SRAM regions: no region can be larger,
    /// and the emulator backs every region with host memory.
    static let maxRegionBytes: UInt32 = 0x2000_0000
    static let maxRegions = 16

    func validateMemoryMap() throws {
        guard regions.count <= Self.maxRegions else {
            throw ConfigError("field 'memory' lists \(regions.count) regions, at most \(Self.maxRegions) are supported")
        }
        for (i, r) in regions.enumerated() {
            let field = "memory[\(i)]"
            try Identifier.validate(r.name, field: field + ".name")
            guard r.size > 0, r.size % 1024 == 0, r.origin % 1024 == 0 else {
                throw ConfigError("field '\(field)' (\(r.name)): origin and size must be non-zero multiples of 1 KB")
            }
            guard r.size <= Self.maxRegionBytes else {
                throw ConfigError("field '\(field).size' (\(r.name)) is \(r.size) B: out of range, at most \(Self.maxRegionBytes) (512 MiB, an architectural region)")
            }
            guard r.end <= Self.systemSpace else {
                throw ConfigError("field '\(field)' (\(r.name)) at \(LinkerScript.hex(r.origin)) reaches the system space at 0xE0000000 (ARMv7-M address map), where only the core's own registers live")
            }
            if r.kind == .flash, r.end > Self.codeRegionEnd {
                throw ConfigError("field '\(field)' (\(r.name)): flash must lie in the Code region 0x00000000-0x1FFFFFFF (ARMv7-M address map), not at \(LinkerScript.hex(r.origin))")
            }
            if let device = Self.deviceRanges.first(where: { UInt64(r.origin) < $0.end && $0.start < r.end }) {
                throw ConfigError("field '\(field)' (\(r.name)) lies in \(device.name), which holds Device memory, not \(r.kind.rawValue) (ARMv7-M address map)")
            }
            for (j, other) in regions.enumerated() where j < i && r.origin < other.end && UInt64(other.origin) < r.end {
                throw ConfigError("field '\(field)' (\(r.name)) overlaps memory[\(j)] (\(other.name))")
            }
        }
    }
}
