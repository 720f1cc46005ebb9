import Foundation

/// What a semihosting handle stands for.
enum OpenFile {
    /// ":tt". Its open mode picks the stream: "r" stdin, "w" stdout, "a" stderr — semihosting
    /// v2's STDOUT_STDERR extension, which is how newlib tells stderr apart.
    case console(Console)
    /// ":semihosting-features", read-only; `position` is the next byte a read returns.
    case features(position: Int)
    /// A real host file; only reachable with `allowHostFiles`.
    case host(descriptor: Int32)

    enum Console { case input, output, error }
}

/// errno values as newlib numbers them: SYS_ERRNO's answer lands directly in the guest's `errno`,
/// and beyond the classic Unix range host numbering differs (ENAMETOOLONG is 36 on Linux, 91 here).
enum GuestErrno {
    static let io: UInt32 = 5
    static let badHandle: UInt32 = 9
    static let accessDenied: UInt32 = 13
    static let invalid: UInt32 = 22
    static let tooManyFiles: UInt32 = 24
    static let fileTooBig: UInt32 = 27
    static let illegalSeek: UInt32 = 29
    static let nameTooLong: UInt32 = 91

    static func from(host code: Int32) -> UInt32 {
        switch code {
        case EPERM: return 1
        case ENOENT: return 2
        case EBADF: return badHandle
        case EACCES: return accessDenied
        case EEXIST: return 17
        case ENOTDIR: return 20
        case EISDIR: return 21
        case EINVAL: return invalid
        case ENFILE: return 23
        case EMFILE: return tooManyFiles
        case EFBIG: return fileTooBig
        case ENOSPC: return 28
        case ESPIPE: return illegalSeek
        case EROFS: return 30
        case ENAMETOOLONG: return nameTooLong
        case ELOOP: return 92
        default: return io
        }
    }
}

extension Semihosting {
    /// Magic "SHFB" then the feature byte: bit 0 EXIT_EXTENDED (so `main`'s return value reaches
    /// the host), bit 1 STDOUT_STDERR (so newlib opens a separate stderr).
    static let featureBytes: [UInt8] = Array("SHFB".utf8) + [0x03]
    /// Bounds the handle table so a guest opening ":tt" in a loop cannot grow it without limit.
    static let maxHandles: UInt32 = 64
    static let maxNameLength: UInt32 = 4096
    /// The spec's fopen modes in pairs (text and "b" behave alike on POSIX hosts): r, r+, w, w+, a, a+.
    static let openFlags: [Int32] = [O_RDONLY, O_RDWR, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_TRUNC,
                                     O_WRONLY | O_CREAT | O_APPEND, O_RDWR | O_CREAT | O_APPEND]

    /// Block: name address, mode 0...11, name length (without the NUL). Returns the new handle.
    func sysOpen(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        let words = try memory.words(3, at: block)
        let mode = words[1]
        guard mode < 12 else { return fail(GuestErrno.invalid) }
        guard words[2] <= Self.maxNameLength else { return fail(GuestErrno.nameTooLong) }
        let name = try memory.read(Int(words[2]), at: words[0])
        guard let handle = (1...Self.maxHandles).first(where: { files[$0] == nil }) else {
            return fail(GuestErrno.tooManyFiles)
        }
        switch name {
        case Array(":tt".utf8):
            files[handle] = .console([.input, .output, .error][Int(mode / 4)])
        case Array(":semihosting-features".utf8):
            guard mode < 2 else { return fail(GuestErrno.accessDenied) }
            files[handle] = .features(position: 0)
        default:
            guard configuration.allowHostFiles else { return fail(GuestErrno.accessDenied) }
            guard !name.contains(0) else { return fail(GuestErrno.invalid) }
            let descriptor = open(name.map { CChar(bitPattern: $0) } + [0], Self.openFlags[Int(mode / 2)] | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { return fail(GuestErrno.from(host: errno)) }
            files[handle] = .host(descriptor: descriptor)
        }
        return handle
    }

    /// Block: handle.
    func sysClose(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        guard let file = files.removeValue(forKey: try memory.words(1, at: block)[0]) else {
            return fail(GuestErrno.badHandle)
        }
        if case .host(let descriptor) = file, close(descriptor) != 0 { return fail(GuestErrno.from(host: errno)) }
        return 0
    }

    /// Block: handle, buffer, length. Returns the number of bytes *not* written, as the spec
    /// says; a handle that exists but is not writable writes nothing.
    func sysWrite(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        let words = try memory.words(3, at: block)
        let (buffer, count) = (words[1], words[2])
        switch files[words[0]] {
        case nil:
            return fail(GuestErrno.badHandle)
        case .console(.input), .features:
            lastErrno = GuestErrno.badHandle
            return count
        case .console(let stream):
            try memory.forEachChunk(at: buffer, count: count) { chunk in
                emit(chunk, isError: stream == .error)
                return true
            }
            return 0
        case .host(let descriptor):
            var written: UInt32 = 0
            try memory.forEachChunk(at: buffer, count: count) { chunk in
                let sent = hostWrite(descriptor, chunk)
                written += UInt32(sent)
                return sent == chunk.count
            }
            return count - written
        }
    }

    /// Block: handle, buffer, length. Returns the number of bytes *not* read: `length` means
    /// end of file, which is what an exhausted stdin reports.
    func sysRead(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        let words = try memory.words(3, at: block)
        let (handle, buffer, count) = (words[0], words[1], words[2])
        switch files[handle] {
        case nil:
            return fail(GuestErrno.badHandle)
        case .console(.input):
            let bytes = takeStdin(upTo: Int(count))
            try memory.write(bytes, at: buffer)
            return count - UInt32(bytes.count)
        case .console:
            lastErrno = GuestErrno.badHandle
            return count
        case .features(let position):
            let bytes = Array(Self.featureBytes.dropFirst(position).prefix(Int(count)))
            try memory.write(bytes, at: buffer)
            files[handle] = .features(position: position + bytes.count)
            return count - UInt32(bytes.count)
        case .host(let descriptor):
            var done: UInt32 = 0
            while done < count {
                var chunk = [UInt8](repeating: 0, count: Int(min(count - done, transferChunk)))
                let got = read(descriptor, &chunk, chunk.count)
                if got < 0 { lastErrno = GuestErrno.from(host: errno) }
                guard got > 0 else { break }
                try memory.write(Array(chunk[..<got]), at: memory.offset(buffer, by: done))
                done += UInt32(got)
            }
            return count - done
        }
    }

    /// Block: handle. The console counts as a terminal; newlib asks to pick line buffering.
    func sysIsTTY(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        switch files[try memory.words(1, at: block)[0]] {
        case nil: return fail(GuestErrno.badHandle)
        case .console: return 1
        case .features: return 0
        case .host(let descriptor): return isatty(descriptor) == 1 ? 1 : 0
        }
    }

    /// Block: handle, absolute position.
    func sysSeek(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        let words = try memory.words(2, at: block)
        let (handle, position) = (words[0], words[1])
        switch files[handle] {
        case nil:
            return fail(GuestErrno.badHandle)
        case .console:
            return fail(GuestErrno.illegalSeek)
        case .features:
            guard position <= Self.featureBytes.count else { return fail(GuestErrno.invalid) }
            files[handle] = .features(position: Int(position))
            return 0
        case .host(let descriptor):
            return lseek(descriptor, off_t(position), SEEK_SET) < 0 ? fail(GuestErrno.from(host: errno)) : 0
        }
    }

    /// Block: handle. The console has length 0 rather than an error: newlib's fstat turns an
    /// error into "not a character device", and stdout would then lose line buffering.
    func sysFlen(block: UInt32, memory: GuestMemory) throws -> UInt32 {
        switch files[try memory.words(1, at: block)[0]] {
        case nil: return fail(GuestErrno.badHandle)
        case .console: return 0
        case .features: return UInt32(Self.featureBytes.count)
        case .host(let descriptor):
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return fail(GuestErrno.from(host: errno)) }
            // newlib reads the result as a signed int; larger files cannot be described.
            guard let size = Int32(exactly: info.st_size) else { return fail(GuestErrno.fileTooBig) }
            return UInt32(size)
        }
    }

    /// Writes all of `bytes` unless the host refuses (recording why); returns how many went out.
    private func hostWrite(_ descriptor: Int32, _ bytes: [UInt8]) -> Int {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard n > 0 else {
                lastErrno = GuestErrno.from(host: errno)
                return sent
            }
            sent += n
        }
        return sent
    }

    /// Host descriptors are the only resource a session holds outside itself.
    func closeAllHostFiles() {
        for case .host(let descriptor) in files.values { close(descriptor) }
        files.removeAll()
    }
}
