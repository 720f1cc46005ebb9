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

    static let binaryHeaderSize = 32

    /// "Data/digits/digits.bin" -> "digits": short enough for reports and log lines.
    static func datasetName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }

    private static func readBytes(_ path: String) throws -> [UInt8] {
        do { return try FileBytes.read(path) } catch let error as FileBytes.Unreadable { throw DatasetError.unreadable(file: path, reason: error.reason) }
    }
}
