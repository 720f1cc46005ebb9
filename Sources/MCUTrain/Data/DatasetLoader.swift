import Foundation

/// Reads data sets from disk. Every problem with a file surfaces as a `DatasetError` naming the
/// file and, where there is one, the line, because these files are often written by hand or by
/// ad-hoc scripts and a crash or a vague message would leave the user guessing.
public enum DatasetLoader {
    /// The `MCTD` binary format (layout in `Data/digits/LICENSE.md`): a 32-byte header of
    /// little-endian `UInt32`s, then per sample `featureCount` feature bytes and one label byte.
    public static func loadBinary(path: String) throws -> Dataset {
        let bytes = try readBytes(path)
        func invalid(_ problem: String) -> DatasetError { .invalid(file: path, line: nil, problem: problem) }

        guard bytes.count >= 4, bytes[0..<4].elementsEqual("MCTD".utf8) else {
            throw invalid("not an MCUTrain dataset (does not start with MCTD)")
        }
        guard bytes.count >= binaryHeaderSize else {
            throw invalid("truncated header: \(bytes.count) bytes, need \(binaryHeaderSize)")
        }
        func headerWord(_ index: Int) -> Int {
            let start = 4 + 4 * index
            return bytes[start..<start + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        let version = headerWord(0), count = headerWord(1), featureCount = headerWord(2)
        let classCount = headerWord(3), maxValue = headerWord(4), bitsPerFeature = headerWord(5)
        let storedChecksum = UInt32(headerWord(6))

        guard version == 1 else { throw invalid("unsupported format version \(version) (this build reads version 1)") }
        guard bitsPerFeature == 8 else { throw invalid("unsupported \(bitsPerFeature) bits per feature (version 1 stores 8)") }
        guard featureCount > 0 else { throw invalid("header declares 0 features") }
        guard (1...256).contains(classCount) else { throw invalid("header class count \(classCount) is outside 1...256") }
        guard maxValue <= 255 else { throw invalid("header max value \(maxValue) does not fit in a byte") }

        let recordSize = featureCount + 1
        let payloadSize = bytes.count - binaryHeaderSize
        guard payloadSize / recordSize >= count else {
            throw invalid("truncated: header says \(count) samples, file holds \(payloadSize / recordSize)")
        }
        guard payloadSize == count * recordSize else {
            throw invalid("\(payloadSize - count * recordSize) stray bytes after the \(count) samples the header declares")
        }
        guard CRC32.checksum(bytes[binaryHeaderSize...]) == storedChecksum else {
            throw invalid("checksum mismatch (file corrupt)")
        }

        var features: [UInt8] = []
        features.reserveCapacity(count * featureCount)
        var labels: [UInt8] = []
        labels.reserveCapacity(count)
        for sample in 0..<count {
            let start = binaryHeaderSize + sample * recordSize
            let record = bytes[start..<start + recordSize]
            if let column = record.dropLast().firstIndex(where: { Int($0) > maxValue }) {
                throw invalid("sample \(sample) feature \(column - start): value \(record[column]) exceeds the max value \(maxValue)")
            }
            let label = bytes[start + featureCount]
            guard Int(label) < classCount else {
                throw invalid("sample \(sample): label \(label) is not below the class count \(classCount)")
            }
            features += record.dropLast()
            labels.append(label)
        }
        return Dataset(name: datasetName(path), features: features, labels: labels,
                       featureCount: featureCount, classCount: classCount, maxValue: maxValue)
    }

    /// One sample per line: integer features, then the label in the last column. A first line
    /// with no integer in it is a header and is skipped; one that mixes integers and text is read
    /// as data, so a typo in the first sample is reported rather than silently dropping that
    /// sample as a "header". Blank lines and a leading UTF-8 byte-order mark (spreadsheet
    /// exports) are ignored. Every value must lie in 0...255 so it fits a byte on the device.
    /// `maxValue` fixes the feature range (larger values are rejected); without it the largest
    /// value present is used.
    public static func loadCSV(path: String, maxValue: Int? = nil) throws -> Dataset {
        if let maxValue, !(0...255).contains(maxValue) {
            throw DatasetError.invalid(file: path, line: nil, problem: "max value \(maxValue) is outside 0...255")
        }
        let bytes = try readBytes(path)
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        var width: Int?
        var features: [UInt8] = []
        var labels: [UInt8] = []

        // Split on bytes rather than Characters: Swift treats "\r\n" as one Character, and
        // byte-level splitting keeps line numbers identical to what an editor shows.
        for (offset, rawLine) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            func invalid(_ problem: String) -> DatasetError { .invalid(file: path, line: line, problem: problem) }
            let fields = rawLine.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(trimmed)
            if fields.count == 1 && fields[0].isEmpty { continue }

            if let expected = width {
                guard fields.count == expected else { throw invalid("expected \(expected) columns, found \(fields.count)") }
            } else {
                guard fields.count >= 2 else {
                    throw invalid("found 1 column; need comma-separated features followed by a label")
                }
                width = fields.count
                if fields.allSatisfy({ Int(String(decoding: $0, as: UTF8.self)) == nil }) { continue }  // header
            }
            try appendRow(fields, to: &features, &labels, maxValue: maxValue, invalid: invalid)
        }

        guard let width, let largestLabel = labels.max() else {
            throw DatasetError.invalid(file: path, line: nil, problem: "no samples")
        }
        return Dataset(name: datasetName(path), features: features, labels: labels, featureCount: width - 1,
                       classCount: Int(largestLabel) + 1, maxValue: maxValue ?? Int(features.max() ?? 0))
    }

    static let binaryHeaderSize = 32

    private static func appendRow(_ fields: [ArraySlice<UInt8>], to features: inout [UInt8], _ labels: inout [UInt8],
                                  maxValue: Int?, invalid: (String) -> DatasetError) throws {
        for (index, field) in fields.enumerated() {
            let text = String(decoding: field, as: UTF8.self)
            let column = "column \(index + 1)"
            guard let value = Int(text) else {
                if text.isEmpty { throw invalid("\(column): empty") }
                if text.wholeMatch(of: #/[+-]?[0-9]+/#) != nil { throw invalid("\(column): \(abbreviated(text)) is outside 0...255") }
                throw invalid("\(column): '\(abbreviated(text))' is not an integer")
            }
            guard let byte = UInt8(exactly: value) else { throw invalid("\(column): \(value) is outside 0...255") }
            if index == fields.count - 1 {
                labels.append(byte)
            } else if let maxValue, value > maxValue {
                throw invalid("\(column): \(value) exceeds the max value \(maxValue)")
            } else {
                features.append(byte)
            }
        }
    }

    private static func trimmed(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let blank: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")]
        guard let first = field.firstIndex(where: { !blank.contains($0) }),
              let last = field.lastIndex(where: { !blank.contains($0) }) else { return field[field.endIndex...] }
        return field[first...last]
    }

    /// Keeps a runaway field (say, a whole line written with the wrong delimiter) from turning a
    /// one-line error into a screenful.
    private static func abbreviated(_ text: String) -> String {
        text.count <= 24 ? text : text.prefix(24) + "…"
    }

    /// "Data/digits/digits.bin" -> "digits": short enough for reports and log lines.
    private static func datasetName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }

    /// Plain C stdio so a failure reports the operating system's own reason ("No such file or
    /// directory", "Permission denied", "Is a directory") rather than Foundation's paraphrase.
    private static func readBytes(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw DatasetError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[..<read]
            guard read == chunk.count else { break }
        }
        if ferror(file) != 0 {
            throw DatasetError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        return bytes
    }
}
