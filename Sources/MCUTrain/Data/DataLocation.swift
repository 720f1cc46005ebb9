import Foundation

/// Finds the data files that ship in the repository. The CLI, `swift test` and IDEs all start
/// in different working directories, so paths are searched for rather than assumed.
public enum DataLocation {
    public static let digitsRelativePath = "Data/digits/digits.bin"

    /// The bundled UCI digits; see `resolve(_:)` for the search order.
    public static func defaultDigitsPath() -> String {
        resolve(digitsRelativePath)
    }

    /// `relativePath` itself if it exists under the current directory, else the same path under
    /// the package root this source file was compiled in. If neither exists the relative path is
    /// returned unchanged, so the eventual "cannot read" error names the path the user expects.
    public static func resolve(_ relativePath: String) -> String {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: relativePath) { return relativePath }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Sources/MCUTrain/Data
            .deletingLastPathComponent()  // Sources/MCUTrain
            .deletingLastPathComponent()  // Sources
            .deletingLastPathComponent()
        let candidate = packageRoot.appendingPathComponent(relativePath).path
        return fileManager.fileExists(atPath: candidate) ? candidate : relativePath
    }
}
