import Foundation

/// Splits a CSV file into fields while reading it in fixed-size chunks, handing each field over
/// as it ends: neither the file's text nor a row's fields are ever held whole, so a file of
/// hundreds of megabytes costs only what its parsed values take. Fields may be quoted as
/// RFC 4180 and spreadsheets write them (`"a, b"`, `""` for a quote, line breaks inside);
/// unquoted fields are trimmed of spaces, tabs and the CR of CRLF line ends. A UTF-8
/// byte-order mark at the start is skipped.
struct CSVReader {
    struct Field {
        /// Unquoted and trimmed; only the first `maxFieldBytes` are kept.
        var bytes: [UInt8] = []
        /// More than `maxFieldBytes` were read: no number or label is that long.
        var isCut = false
        var isQuoted = false
        /// 0-based position in the row.
        var column = 0
        var endsRow = false
        /// 1-based line the row starts on, as an editor counts lines.
        var line = 1
        /// Bytes of the file read up to the end of the field, its delimiter included.
        var end = 0

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    static let maxFieldBytes = 256
    static let chunkBytes = 1 << 16

    private enum State { case start, unquoted, quoted, quoteInQuoted, afterQuoted }

    private let path: String
    private var field = Field()
    private var state = State.start
    private var line = 1
    private var offset = 0

    /// Calls `body` with every field of the file in order.
    static func read(path: String, _ body: (Field) throws -> Void) throws {
        guard let file = fopen(path, "rb") else { throw DatasetError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { fclose(file) }
        var reader = CSVReader(path: path)
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        var atStart = true
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if ferror(file) != 0 { throw DatasetError.unreadable(file: path, reason: String(cString: strerror(errno))) }
            var bytes = chunk[..<count]
            if atStart && count > 0 {
                atStart = false
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                    bytes = bytes.dropFirst(3)
                    reader.offset = 3
                }
            }
            for byte in bytes { try reader.consume(byte, body) }
            guard count == chunk.count else { break }
        }
        try reader.finish(body)
    }

    private init(path: String) { self.path = path }

    private func invalid(_ problem: String) -> DatasetError {
        .invalid(file: path, line: field.line, problem: "column \(field.column + 1): \(problem)")
    }

    private mutating func consume(_ byte: UInt8, _ body: (Field) throws -> Void) throws {
        offset += 1
        let isBlank = byte == 0x20 || byte == 0x09 || byte == 0x0D
        switch (state, byte) {
        case (.quoted, UInt8(ascii: "\"")):
            state = .quoteInQuoted
        case (.quoted, _):
            append(byte)
        case (.quoteInQuoted, UInt8(ascii: "\"")):
            append(byte)
            state = .quoted
        case (_, UInt8(ascii: ",")):
            try emit(endsRow: false, body)
        case (_, UInt8(ascii: "\n")):
            try emit(endsRow: true, body)
        case (.start, UInt8(ascii: "\"")):
            field.isQuoted = true
            state = .quoted
        case (.start, _) where isBlank, (.quoteInQuoted, _) where isBlank, (.afterQuoted, _) where isBlank:
            if state == .quoteInQuoted { state = .afterQuoted }
        case (.quoteInQuoted, _), (.afterQuoted, _):
            throw invalid("text after the closing quote")
        case (.start, _), (.unquoted, _):
            append(byte)
            state = .unquoted
        }
        if byte == UInt8(ascii: "\n") { line += 1 }
    }

    private mutating func append(_ byte: UInt8) {
        if field.bytes.count < Self.maxFieldBytes { field.bytes.append(byte) } else { field.isCut = true }
    }

    private mutating func emit(endsRow: Bool, _ body: (Field) throws -> Void) throws {
        if state == .unquoted {
            while let last = field.bytes.last, last == 0x20 || last == 0x09 || last == 0x0D { field.bytes.removeLast() }
        }
        field.endsRow = endsRow
        field.end = offset
        try body(field)
        field.bytes.removeAll(keepingCapacity: true)
        field.isCut = false
        field.isQuoted = false
        field.column = endsRow ? 0 : field.column + 1
        if endsRow { field.line = line + 1 }
        state = .start
    }

    /// A last row without a line break still counts; an open quote at the end is an error.
    private mutating func finish(_ body: (Field) throws -> Void) throws {
        switch state {
        case .quoted: throw invalid("a quoted field is never closed")
        case .start where field.column == 0: return
        default: try emit(endsRow: true, body)
        }
    }
}
