import Foundation

/// Foundation's file errors print as "The operation could not be completed. (NSCocoaErrorDomain
/// error 512.)", which names neither the file nor the reason. This gives the operating system's
/// reason ("Not a directory", "No such file or directory", "Is a directory") and, when
/// Foundation says which file failed and it is not `path` itself, that file too.
public enum FileProblem {
    public static func reason(_ error: Error, path: String) -> String {
        let ns = error as NSError
        let underlying = ns.domain == NSPOSIXErrorDomain ? ns : (ns.userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }
        let reason = underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : nil }
            ?? "the file system refused (\(ns.domain) \(ns.code))"
        guard let file = ns.userInfo[NSFilePathErrorKey] as? String,
              URL(fileURLWithPath: file).standardizedFileURL != URL(fileURLWithPath: path).standardizedFileURL else { return reason }
        return "\(file): \(reason)"
    }
}
