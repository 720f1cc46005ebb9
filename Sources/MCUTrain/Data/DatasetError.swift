import Foundation

/// Why a data file could not be used. The description is a single line in the `file:line:` form
/// compilers use, so terminals and editors can jump straight to the offending spot.
public enum DatasetError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The operating system would not hand over the file; `reason` is its own wording.
    case unreadable(file: String, reason: String)
    /// The file was read but its contents are unusable. `line` is 1-based and only present for
    /// text formats; binary problems name the sample instead.
    case invalid(file: String, line: Int?, problem: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .invalid(file, line?, problem): return "\(file):\(line): \(problem)"
        case let .invalid(file, nil, problem): return "\(file): \(problem)"
        }
    }

    /// Foundation-based callers print `localizedDescription`; without this they would get a
    /// generic "operation could not be completed" instead of the location.
    public var errorDescription: String? { description }
}
