/// User text quoted in an error message, cut short so a hostile 10 MB value costs one line of
/// stderr rather than the whole value; control characters are escaped to keep it one line.
public struct Quoted: CustomStringConvertible {
    public static let maxCharacters = 60
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String {
        let head = text.prefix(Self.maxCharacters)
        let rest = text.utf8.count - head.utf8.count
        return "'\(Self.escaped(head))'" + (rest > 0 ? "... (\(rest) more bytes)" : "")
    }

    /// User text spliced into a message that quotes it already (a field path, a decoder's own
    /// sentence): control characters escaped, cut after `limit` characters.
    public static func inline(_ text: String, limit: Int = maxCharacters) -> String {
        let head = text.prefix(limit)
        return escaped(head) + (head.endIndex < text.endIndex ? "…" : "")
    }

    private static func escaped(_ text: Substring) -> String {
        text.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
    }
}
