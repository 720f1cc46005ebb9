/// User text quoted in an error message, cut short so a hostile 10 MB value costs one line of
/// stderr rather than the whole value; control characters are escaped to keep it one line.
public struct Quoted: CustomStringConvertible {
    public static let maxCharacters = 60
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String {
        let head = text.prefix(Self.maxCharacters)
        let escaped = head.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
        let rest = text.utf8.count - head.utf8.count
        return "'\(escaped)'" + (rest > 0 ? "... (\(rest) more bytes)" : "")
    }
}
