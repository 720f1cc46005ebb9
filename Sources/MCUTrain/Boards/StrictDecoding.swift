/// Decoding helpers for input files that must say what is wrong instead of guessing: a
/// misspelt key is an error, not a default silently used, and a number the field cannot hold
/// is "out of range" or "must be an integer", not Foundation's "not valid JSON".
extension Decoder {
    /// A keyed container that first refuses any key `Keys` does not list, naming it.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy type: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let all = try container(keyedBy: JSONKey.self)
        let known = Keys.allCases.map(\.stringValue)
        if let unknown = all.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [unknown],
                                                    debugDescription: "unknown field (known: \(known.joined(separator: ", ")))"))
        }
        return try container(keyedBy: type)
    }
}

extension KeyedDecodingContainer {
    func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        do {
            return try decode(type, forKey: key)
        } catch let error as DecodingError {
            throw error
        } catch {
            // Foundation reports a number the type cannot hold with an error of its own that
            // loses the field; the value is still readable as a Double to tell why.
            let fraction = (try? decode(Double.self, forKey: key)).map { $0 != $0.rounded(.towardZero) } ?? false
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription:
                fraction ? "must be an integer" : "out of range (\(T.min)...\(T.max))")
        }
    }
}
