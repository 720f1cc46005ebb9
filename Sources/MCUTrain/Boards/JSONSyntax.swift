/// A strict pass over a JSON document (RFC 8259) before it is decoded, for what Foundation's
/// decoder does not say: where the syntax breaks (line and column) and which object repeats a
/// key (Foundation silently keeps one of the values). Nesting is bounded, so hostile input
/// cannot exhaust the stack.
struct JSONSyntax {
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func check(_ bytes: [UInt8]) throws {
        var scanner = JSONSyntax(bytes)
        scanner.skipSpace()
        try scanner.value(path: [], depth: 0)
        scanner.skipSpace()
        guard scanner.index == bytes.count else { throw scanner.syntax("unexpected text after the top-level value") }
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func syntax(_ what: String) -> ConfigError {
        let before = bytes[..<min(index, bytes.count)]
        let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = before.count - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        return ConfigError("not valid JSON at line \(line), column \(column): \(what)")
    }

    private mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { index += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for byte in literal.utf8 {
            guard current == byte else { throw syntax("expected '\(literal)'") }
            index += 1
        }
    }

    private mutating func value(path: [JSONKey], depth: Int) throws {
        guard depth < Self.maxDepth else { throw ConfigError("field '\(JSONFile.field(path))' is nested deeper than \(Self.maxDepth) levels") }
        guard let c = current else { throw syntax("unexpected end of file") }
        switch c {
        case UInt8(ascii: "{"): try object(path: path, depth: depth)
        case UInt8(ascii: "["): try array(path: path, depth: depth)
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try expect("true")
        case UInt8(ascii: "f"): try expect("false")
        case UInt8(ascii: "n"): try expect("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw syntax("unexpected character")
        }
    }

    private mutating func object(path: [JSONKey], depth: Int) throws {
        index += 1
        skipSpace()
        if current == UInt8(ascii: "}") { index += 1; return }
        var keys: Set<String> = []
        while true {
            guard current == UInt8(ascii: "\"") else { throw syntax("expected a field name in quotes") }
            let key = try string()
            guard keys.insert(key).inserted else {
                throw ConfigError("field '\(JSONFile.field(path + [JSONKey(key)]))' appears twice")
            }
            skipSpace()
            try expect(":")
            skipSpace()
            try value(path: path + [JSONKey(key)], depth: depth + 1)
            skipSpace()
            if current == UInt8(ascii: ",") { index += 1; skipSpace(); continue }
            try expect("}")
            return
        }
    }

    private mutating func array(path: [JSONKey], depth: Int) throws {
        index += 1
        skipSpace()
        if current == UInt8(ascii: "]") { index += 1; return }
        var count = 0
        while true {
            try value(path: path + [JSONKey(index: count)], depth: depth + 1)
            count += 1
            skipSpace()
            if current == UInt8(ascii: ",") { index += 1; skipSpace(); continue }
            try expect("]")
            return
        }
    }

    /// The string's value with escapes resolved, so "a" and "\u0061" count as the same key.
    private mutating func string() throws -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
        while true {
            guard let c = current else { throw syntax("unterminated string") }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush()
                scalars.append(try escape())
            case 0..<0x20:
                throw syntax("control character in a string")
            default:
                raw.append(c)
            }
        }
    }

    private mutating func escape() throws -> Unicode.Scalar {
        guard let c = current else { throw syntax("unterminated string") }
        index += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(c)
        case UInt8(ascii: "b"): return "\u{8}"
        case UInt8(ascii: "f"): return "\u{C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            // A high surrogate followed by an escaped low one is one character; a lone half is kept
            // as U+FFFD, as Foundation's decoder does not reject it either.
            if (0xD800..<0xDC00).contains(unit), bytes[index...].starts(with: Array("\\u".utf8)) {
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { return "\u{FFFD}" }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
            }
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        default:
            throw syntax("invalid escape '\\\(Quoted.inline(String(Unicode.Scalar(c))))'")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = Character(Unicode.Scalar(c)).hexDigitValue else { throw syntax("\\u needs four hex digits") }
            unit = unit << 4 | UInt32(digit)
            index += 1
        }
        return unit
    }

    private mutating func number() throws {
        func digits() -> Int {
            let start = index
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { index += 1 }
            return index - start
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw syntax("a number needs digits") }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw syntax("a number needs digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw syntax("a number needs digits in its exponent") }
        }
    }
}
