/// Why a firmware image could not be loaded.
///
/// The description is a single line that names the file, because it ends up in CLI
/// output and training logs where the user has nothing else to go on.
public enum ELFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file system refused to hand over the bytes (missing file, permissions, ...).
    case unreadable(path: String, reason: String)
    /// The bytes are there but are not a well-formed 32-bit little-endian ARM ELF executable.
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .malformed(path, reason): return "\(path): \(reason)"
        }
    }
}
