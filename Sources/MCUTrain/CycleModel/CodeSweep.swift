import CCapstone

/// Finds the instructions the emulator watches (SDIV/UDIV, word-aligned loads and stores)
/// before the code runs, so each can be hooked ahead of its block's first execution: a hook
/// added while a block runs only catches the block's later runs. A linear sweep; bytes
/// Capstone cannot decode (literal pools) are stepped over a halfword at a time. A site the
/// sweep misses is still hooked when its block is first timed, and watched from then on.
public enum CodeSweep {
    public struct Sites: Equatable, Sendable {
        public var divides: [DivideSite] = []
        public var wordAccesses: [WordAccessSite] = []
    }

    public static func sites(in code: [UInt8], at address: UInt32) throws -> Sites {
        let decoder = try ThumbDecoder()
        var sites = Sites()
        var offset = 0
        while offset + 2 <= code.count {
            let decoded = decoder.decodePrefix(code[offset...], at: address &+ UInt32(offset))
            sites.divides += decoded.compactMap { try? DivideSite($0) }
            sites.wordAccesses += decoded.compactMap { WordAccessSite($0) }
            offset += decoded.reduce(0) { $0 + Int($1.size) }
            if offset < code.count { offset += 2 }
        }
        return sites
    }
}
