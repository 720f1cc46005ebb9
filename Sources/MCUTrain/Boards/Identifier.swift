/// Names from user files end up in paths, generated C and linker scripts, so only a
/// conservative set is accepted: a letter or digit, then up to 63 letters, digits, `.`, `_`
/// or `-`, and never `..`. Nothing in such a name can leave a directory or close a comment.
public enum Identifier {
    public static let maxLength = 64

    /// Throws a one-line `ConfigError` naming `field` and quoting (a bounded part of) the name.
    public static func validate(_ name: String, field: String) throws {
        let scalars = Array(name.unicodeScalars)
        let valid = (1...maxLength).contains(scalars.count)
            && isAlphanumeric(scalars[0])
            && scalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
            && !name.contains("..")
        guard valid else {
            throw ConfigError("field '\(field)' \(Quoted(name)) is not a valid name: use 1...\(maxLength) ASCII letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'")
        }
    }

    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }
}
