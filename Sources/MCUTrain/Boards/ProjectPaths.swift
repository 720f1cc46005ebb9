import Foundation

/// Where the project's shipped files live: next to the working directory when run from a
/// clone, else found from this source file's location (tests, `swift run` elsewhere).
public enum ProjectPaths {
    public static let root: String = {
        let cwd = FileManager.default.currentDirectoryPath
        if FileManager.default.fileExists(atPath: cwd + "/Boards") && FileManager.default.fileExists(atPath: cwd + "/Firmware") {
            return cwd
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var boards: String { root + "/Boards" }
    public static var firmware: String { root + "/Firmware" }
    public static var examples: String { root + "/Examples" }
    /// The bundled UCI digits (see Data/digits/LICENSE.md).
    public static var digits: String { root + "/Data/digits/digits.bin" }
}
