/// A one-line, user-facing error about an input file: it names the file and the field
/// or limit at fault, so the CLI can print it as is and exit non-zero.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Decodes JSON and turns Foundation's decoding errors into a line that names the field path.
import Foundation

enum JSONFile {
    static func decode<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read \(path): no such file")
        }
        return try decode(type, data: data, path: path)
    }

    static func decode<T: Decodable>(_ type: T.Type, data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ConfigError("\(path): \(describe(error))")
        } catch let error as ConfigError {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    private static func field(_ path: [CodingKey], _ key: CodingKey? = nil) -> String {
        let keys = path + (key.map { [$0] } ?? [])
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
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
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "field '\(field(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
