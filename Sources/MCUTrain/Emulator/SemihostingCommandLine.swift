/// The one string SYS_GET_CMDLINE hands the guest, built from separate arguments so that
/// newlib's crt0 splits it back into the same argv: it breaks words at spaces, and a word
/// that starts with `"` or `'` runs to the matching quote (there is no escape character).
public enum SemihostingCommandLine {
    public static func join(_ arguments: [String]) throws -> String {
        try arguments.map(quote).joined(separator: " ")
    }

    private static func quote(_ argument: String) throws -> String {
        let needsQuotes = argument.isEmpty || argument.contains(" ") || argument.first == "\"" || argument.first == "'"
        guard needsQuotes else { return argument }
        if !argument.contains("\"") { return "\"\(argument)\"" }
        if !argument.contains("'") { return "'\(argument)'" }
        throw ConfigError("program argument \(Quoted(argument)) holds a space or leading quote and both quote characters: newlib's start-up code cannot receive it")
    }
}
