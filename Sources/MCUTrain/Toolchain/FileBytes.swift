import Foundation

/// Reads a whole input file with POSIX calls, so a failure carries the operating system's own
/// reason ("No such file or directory", "Permission denied", "Is a directory") rather than
/// Foundation's "could not be opened" or a nil with no reason at all. Each loader wraps the
/// reason in its own error type, which names the file.
enum FileBytes {
    struct Unreadable: Error {
        let reason: String
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Unreadable(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw Unreadable(reason: String(cString: strerror(errno)))
            }
            bytes += chunk[..<count]
        }
    }
}
