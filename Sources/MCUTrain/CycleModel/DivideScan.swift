/// Finds every SDIV/UDIV in a stretch of code before it runs, so the emulator can hook each
/// one ahead of its block's first execution: a hook added while a block runs only catches the
/// block's later runs. A linear sweep; bytes Capstone cannot decode (literal pools) are
/// stepped over a halfword at a time. A divide the sweep misses is still hooked when its
/// block is first timed, and charged from then on.
public enum DivideScan {
    public static func sites(in code: [UInt8], at address: UInt32) throws -> [DivideSite] {
        let decoder = try ThumbDecoder()
        var sites: [DivideSite] = []
        var offset = 0
        while offset + 2 <= code.count {
            let decoded = decoder.decodePrefix(code[offset...], at: address &+ UInt32(offset))
            sites += decoded.compactMap { try? DivideSite($0) }
            offset += decoded.reduce(0) { $0 + Int($1.size) }
            if offset < code.count { offset += 2 }
        }
        return sites
    }
}
