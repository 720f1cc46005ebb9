import Foundation

/// Decodes a JSON input file. The syntax is checked first (line and column of a mistake, a
/// key repeated in one object); Foundation's decoding errors then become a line that names
/// the field path. Types decoded here refuse unknown keys and out-of-range numbers through
/// `Decoder.strictContainer` and `decodeInteger` (see StrictDecoding.swift).
enum JSONFile {
    static func decode<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch let error as FileBytes.Unreadable { throw ConfigError("cannot read \(path): \(error.reason)") }
        return try decode(type, data: Data(bytes), path: path)
    }

    static func decode<T: Decodable>(_ type: T.Type, data: Data, path: String) throws -> T {
        do {
            try JSONSyntax.check([UInt8](data))
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ConfigError("\(path): \(describe(error))")
        } catch let error as ConfigError {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    /// "memory[1].size" for the keys memory, 1, size: how every message spells a field.
    static func field(_ path: [CodingKey], _ key: CodingKey? = nil) -> String {
        let keys = path + (key.map { [$0] } ?? [])
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? "." + Quoted.inline($0.stringValue) }.joined()
        return text.isEmpty ? "top level" : String(text.drop { $0 == "." })
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(field(context.codingPath, key))'"
        case .typeMismatch(let type, let context):
            return "field '\(field(context.codingPath))' should be \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(field(context.codingPath))' is null, expected \(type)"
        case .dataCorrupted(let context):
            // The syntax passed JSONSyntax, so what Foundation calls "not valid JSON" here is a
            // number its field's type cannot hold, in a field not read through `decodeInteger`.
            if context.codingPath.isEmpty { return "a number is out of range for its field" }
            return "field '\(field(context.codingPath))': \(Quoted.inline(context.debugDescription, limit: 200))"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Any key, by name or array index: for paths in messages and for listing an object's keys.
struct JSONKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(_ name: String) { stringValue = name; intValue = nil }
    init(index: Int) { stringValue = "\(index)"; intValue = index }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}
