/// A one-line, user-facing error about an input file: it names the file and the field
/// or limit at fault, so the CLI can print it as is and exit non-zero.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
