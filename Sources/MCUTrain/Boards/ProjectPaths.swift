import Foundation

/// Where the project's shipped files (Boards, Firmware, Examples, Data) live, first match wins:
/// 1. `$MCUTRAIN_HOME`, when set (taken as is, so a wrong value shows up in the paths errors name);
/// 2. `<prefix>/share/mcutrain` beside an installed `<prefix>/bin/mcutrain` (`make install`),
///    found from the running executable with symbolic links resolved;
/// 3. the working directory, when run from a clone;
/// 4. the clone this source file was compiled in (tests, `swift run` from elsewhere).
public enum ProjectPaths {
    public static let root: String = {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["MCUTRAIN_HOME"], !home.isEmpty { return home }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let share = executable.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/mcutrain").path
            if holdsResources(share) { return share }
        }
        let cwd = FileManager.default.currentDirectoryPath
        if holdsResources(cwd) { return cwd }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    private static func holdsResources(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/Boards") && FileManager.default.fileExists(atPath: directory + "/Firmware")
    }

    public static var boards: String { root + "/Boards" }
    public static var firmware: String { root + "/Firmware" }
    public static var examples: String { root + "/Examples" }
    /// The bundled UCI digits (see Data/digits/LICENSE.md).
    public static var digits: String { root + "/Data/digits/digits.bin" }
}
