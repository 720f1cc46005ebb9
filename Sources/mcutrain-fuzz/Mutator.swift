import MCUTrain

/// Makes one hostile input from valid seed files: a few mutations stacked, each chosen and
/// placed by a generator drawn from (seed, input number) alone, so any input can be made again
/// from those two numbers and the same seed files.
struct Mutator {
    /// Inputs stay below this, so a run of duplications cannot grow without bound.
    static let maxBytes = 1 << 20

    let corpus: [[UInt8]]
    let format: Format
    /// Words worth planting: the seed files' own strings (keys, op names, labels) plus hostile ones.
    let dictionary: [[UInt8]]

    enum Format { case json, csv, elf }

    init(corpus: [[UInt8]], format: Format) {
        self.corpus = corpus
        self.format = format
        var words = Set(Self.hostileStrings.map { Array($0.utf8) })
        if format != .elf {
            for file in corpus { for token in Self.quotedStrings(in: file) { words.insert(token) } }
        }
        dictionary = words.sorted { $0.lexicographicallyPrecedes($1) }
    }

    func input(seed: UInt64, number: Int) -> [UInt8] {
        var rng = SplitMix64(seed: seed, stream: UInt64(number))
        var bytes = corpus[rng.next(below: corpus.count)]
        // One mutation half the time, two a quarter, ...: mostly near-valid inputs, which get past
        // the first check and reach the code behind it.
        repeat {
            mutate(&bytes, &rng)
            if bytes.count > Self.maxBytes { bytes.removeLast(bytes.count - Self.maxBytes) }
        } while rng.next(below: 2) == 0
        return bytes
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let structured: [(inout [UInt8], inout SplitMix64) -> Void]
        switch format {
        case .json: structured = [mutateTree, mutateTree, mutateTree, mutateTree, mutateTree, replaceNumber, replaceString, duplicateLine, duplicateLine, nest]
        case .csv: structured = [replaceNumber, replaceField, replaceField, duplicateLine, plant]
        case .elf: structured = [setELFField, setELFField, setELFField]
        }
        let generic: [(inout [UInt8], inout SplitMix64) -> Void] = [flipBit, setByte, erase, plant, duplicateRange, truncate, splice]
        let all = structured + generic
        all[rng.next(below: all.count)](&bytes, &rng)
    }

    private func mutateTree(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        if !JSONTreeMutation.apply(&bytes, dictionary: dictionary, &rng) { flipBit(&bytes, &rng) }
    }

    // MARK: Any format

    private func flipBit(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        bytes[rng.next(below: bytes.count)] ^= 1 << UInt8(rng.next(below: 8))
    }

    private func setByte(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let special: [UInt8] = [0, 0xFF, 0x7F, 0x80, 0x22, 0x2C, 0x0A, 0x0D, 0x7B, 0x7D, 0x5B, 0x5D, 0x2D, 0x2E, 0x65, 0x5C, 0x3A, 0x30, 0x39]
        bytes[rng.next(below: bytes.count)] = rng.next(below: 2) == 0 ? special[rng.next(below: special.count)] : UInt8(rng.next(below: 256))
    }

    private func erase(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let start = rng.next(below: bytes.count)
        let length = 1 + rng.next(below: rng.next(below: 2) == 0 ? 16 : max(1, (bytes.count - start) / 2))
        bytes.removeSubrange(start..<min(bytes.count, start + length))
    }

    /// A dictionary word or a few random bytes, inserted anywhere.
    private func plant(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let word = rng.next(below: 3) > 0 ? dictionary[rng.next(below: dictionary.count)] : (0...rng.next(below: 8)).map { _ in UInt8(rng.next(below: 256)) }
        bytes.insert(contentsOf: word, at: rng.next(below: bytes.count + 1))
    }

    /// A stretch copied elsewhere, sometimes many times over (long lines, repeated keys, huge arrays).
    private func duplicateRange(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let start = rng.next(below: bytes.count)
        let piece = Array(bytes[start..<min(bytes.count, start + 1 + rng.next(below: 256))])
        let times = rng.next(below: 4) == 0 ? 1 + rng.next(below: 2000) : 1
        let copies = [[UInt8]](repeating: piece, count: min(times, Self.maxBytes / piece.count)).flatMap { $0 }
        bytes.insert(contentsOf: copies, at: rng.next(below: bytes.count + 1))
    }

    private func truncate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        bytes.removeLast(rng.next(below: bytes.count + 1))
    }

    /// The start of this input and the end of another seed file.
    private func splice(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let other = corpus[rng.next(below: corpus.count)]
        bytes = Array(bytes.prefix(rng.next(below: bytes.count + 1)) + other.suffix(rng.next(below: other.count + 1)))
    }

    // MARK: Text

    private func replaceNumber(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard let range = Self.token(in: bytes, at: rng.next(below: bytes.count + 1), where: Self.isNumberByte) else { return }
        bytes.replaceSubrange(range, with: Self.hostileNumbers[rng.next(below: Self.hostileNumbers.count)].utf8)
    }

    /// The contents of a quoted string (a key, a name, an op) replaced by a dictionary word.
    private func replaceString(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let quote = UInt8(ascii: "\"")
        guard let open = bytes[min(rng.next(below: bytes.count + 1), bytes.count)...].firstIndex(of: quote) ?? bytes.firstIndex(of: quote),
              let close = bytes[(open + 1)...].firstIndex(of: quote) else { return }
        bytes.replaceSubrange((open + 1)..<close, with: dictionary[rng.next(below: dictionary.count)])
    }

    private func replaceField(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard let range = Self.token(in: bytes, at: rng.next(below: bytes.count + 1), where: { $0 != UInt8(ascii: ",") && $0 != 0x0A }) else { return }
        let fields = ["", "nan", "inf", "-1e39", "1e-05", "\"q,\"", "\"", "\"\"", "label", "-0", "1e38", "3.4028236e38",
                      String(repeating: "9", count: 300), "\r", "\u{FEFF}", " ", "0x10", "1,2", "é", "\"a\nb\""]
        bytes.replaceSubrange(range, with: rng.next(below: 2) == 0 ? Array(fields[rng.next(below: fields.count)].utf8) : Array(Self.hostileNumbers[rng.next(below: Self.hostileNumbers.count)].utf8))
    }

    /// A line (a JSON member, a CSV row) repeated, moved or dropped.
    private func duplicateLine(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        guard !lines.isEmpty else { return }
        let line = lines[rng.next(below: lines.count)]
        switch rng.next(below: 3) {
        case 0: lines.insert(line, at: rng.next(below: lines.count + 1))
        case 1: lines.remove(at: rng.next(below: lines.count))
        default: lines.swapAt(rng.next(below: lines.count), rng.next(below: lines.count))
        }
        bytes = Array(lines.joined(separator: [0x0A]))
    }

    /// A value wrapped in up to 300 levels of arrays or objects.
    private func nest(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let depth = 1 + rng.next(below: 300)
        let (open, close): (String, String) = rng.next(below: 2) == 0 ? ("[", "]") : ("{\"k\":", "}")
        let at = rng.next(below: bytes.count + 1)
        bytes.insert(contentsOf: String(repeating: close, count: depth).utf8, at: at)
        bytes.insert(contentsOf: String(repeating: open, count: depth).utf8, at: rng.next(below: at + 1))
    }

    // MARK: ELF

    /// An interesting value written over a field of the ELF header or of one of its program or
    /// section headers, located through the header's own (possibly already mutated) offsets.
    private func setELFField(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard bytes.count >= 52 else { return flipBit(&bytes, &rng) }
        func u32(_ at: Int) -> Int { at + 4 <= bytes.count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 : 0 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        let offset: Int, width: Int
        switch rng.next(below: 3) {
        case 0:
            (offset, width) = [(16, 2), (18, 2), (24, 4), (28, 4), (32, 4), (42, 2), (44, 2), (46, 2), (48, 2), (50, 2)][rng.next(below: 10)]
        case 1:
            let count = max(1, u16(44))
            (offset, width) = (u32(28) + rng.next(below: count) * u16(42) + 4 * rng.next(below: 8), 4)
        default:
            let count = max(1, u16(48))
            (offset, width) = (u32(32) + rng.next(below: count) * u16(46) + 4 * rng.next(below: 10), 4)
        }
        guard offset >= 0, offset + width <= bytes.count else { return setByte(&bytes, &rng) }
        let values: [UInt32] = [0, 1, 2, 4, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF0, 0xFFFF_FFFE,
                                UInt32(bytes.count), UInt32(bytes.count - 1), 0x2000_0000, 0x1FFF_FFFF, 0xE000_0000, 0x0010_0000, 52, 32, 40, 16]
        let value = values[rng.next(below: values.count)]
        for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    // MARK: Tokens

    static let hostileNumbers = ["0", "-1", "1", "2", "3", "7", "8", "127", "128", "255", "256", "4096", "65536", "1048576",
                                 "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                                 "18446744073709551616", "1e308", "1e309", "-1e308", "0.5", "1e-400", "99999999999999999999999999",
                                 "-0", "1.5", "-2147483649", "1E3", "00", "0x10"]

    static let hostileStrings = ["", "../../x", "*/ #error x /*", "*/ ASSERT(0,\"x\") /*", String(repeating: "a", count: 10_000),
                                 "\\u0000", "\\ud800", "é", "null", "true", "[]", "{}", "dense", "conv2d", "depthwise_conv2d", "add",
                                 "flatten", "avg_pool", "max_pool", "global_avg_pool", "pointwise", "relu", "relu6", "softmax_cross_entropy",
                                 "sparse", "bias", "frozen", "flash", "ram", "cortex-m0", "cortex-m0plus", "cortex-m7", "cortex-m4",
                                 "0xE0000000", "0xFFFFFFFF", "0x", "0x1_0000", "-0x10", "unknown_key"]

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
    }

    /// The run of bytes satisfying `inside` nearest after `position`, if any.
    private static func token(in bytes: [UInt8], at position: Int, where inside: (UInt8) -> Bool) -> Range<Int>? {
        guard let start = bytes[min(position, bytes.count)...].firstIndex(where: inside) ?? bytes.firstIndex(where: inside) else { return nil }
        let end = bytes[start...].firstIndex { !inside($0) } ?? bytes.count
        return start..<end
    }

    private static func quotedStrings(in bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 && $0.element.count <= 64 }.map { Array($0.element) }
    }
}
