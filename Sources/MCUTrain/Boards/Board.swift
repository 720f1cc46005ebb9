import Foundation

/// A board file: the core, its clock and the memory map the emulator builds.
public struct Board: Codable, Sendable, Equatable {
    public struct Region: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case flash, ram }
        public let name: String
        public let kind: Kind
        public let origin: UInt32
        public let size: UInt32
        public var end: UInt64 { UInt64(origin) + UInt64(size) }

        enum CodingKeys: String, CodingKey, CaseIterable { case name, kind, origin, size }

        public init(name: String, kind: Kind, origin: UInt32, size: UInt32) {
            self.name = name; self.kind = kind; self.origin = origin; self.size = size
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            kind = try c.decode(Kind.self, forKey: .kind)
            origin = try Self.address(c, .origin)
            size = try Self.address(c, .size)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(kind, forKey: .kind)
            try c.encode(String(format: "0x%08X", origin), forKey: .origin)
            try c.encode(size, forKey: .size)
        }

        /// Addresses read better in hex, so both "0x20000000" and plain integers are accepted.
        private static func address(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> UInt32 {
            guard let text = try? c.decode(String.self, forKey: key) else { return try c.decodeInteger(UInt32.self, forKey: key) }
            let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
            guard let n = UInt32(digits, radix: text.lowercased().hasPrefix("0x") ? 16 : 10) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(Quoted(text)) is not a 32-bit address")
            }
            return n
        }
    }

    /// How instruction fetches from flash are timed: each fetched line that misses the
    /// accelerator's cache costs `waitStates` cycles; with `prefetch`, a miss on the line right
    /// after the previous fetch is hidden (the prefetch buffer already holds it).
    public struct FlashAccess: Codable, Sendable, Equatable {
        public let waitStates: UInt32
        public let cacheBytes: UInt32
        public let lineBytes: UInt32
        public let prefetch: Bool
        /// Where the figures come from (datasheet section, or "inferred").
        public let source: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case waitStates = "wait_states", cacheBytes = "cache_bytes", lineBytes = "line_bytes", prefetch, source
        }

        init(waitStates: UInt32, cacheBytes: UInt32, lineBytes: UInt32, prefetch: Bool, source: String) {
            self.waitStates = waitStates; self.cacheBytes = cacheBytes; self.lineBytes = lineBytes
            self.prefetch = prefetch; self.source = source
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            waitStates = try c.decodeInteger(UInt32.self, forKey: .waitStates)
            cacheBytes = try c.decodeInteger(UInt32.self, forKey: .cacheBytes)
            lineBytes = try c.decodeInteger(UInt32.self, forKey: .lineBytes)
            prefetch = try c.decode(Bool.self, forKey: .prefetch)
            source = try c.decode(String.self, forKey: .source)
        }

        public static let zeroWait = FlashAccess(waitStates: 0, cacheBytes: 0, lineBytes: 16, prefetch: false, source: "none given")
    }

    public let name: String
    public let description: String
    public let core: Core
    public let clockHz: UInt32
    public let regions: [Region]
    /// Bytes reserved at the top of RAM for the stack; the linker refuses static data that reaches it.
    public let stackBytes: UInt32
    public let flashAccess: FlashAccess
    /// For energy estimates; nil when the board file gives no datasheet figure.
    public let activeCurrent: ActiveCurrent?
    /// The file this board was read from, for messages that tell the user what to edit.
    public private(set) var file = ""

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, core, regions = "memory", clockHz = "clock_hz", stackBytes = "stack_bytes", flashAccess = "flash_access"
        case activeCurrent = "active_current"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decode(String.self, forKey: .description)
        core = try c.decode(Core.self, forKey: .core)
        clockHz = try c.decodeInteger(UInt32.self, forKey: .clockHz)
        regions = try c.decode([Region].self, forKey: .regions)
        stackBytes = try c.decodeInteger(UInt32.self, forKey: .stackBytes)
        flashAccess = try c.decodeIfPresent(FlashAccess.self, forKey: .flashAccess) ?? .zeroWait
        activeCurrent = try c.decodeIfPresent(ActiveCurrent.self, forKey: .activeCurrent)
    }

    /// The region code runs from and the region data and stack live in: the first of each
    /// kind. The linker script places nothing in further RAM regions (such as a CCM).
    public var flash: Region { regions.first { $0.kind == .flash }! }
    public var ram: Region { regions.first { $0.kind == .ram }! }
    /// What a training step may use: the RAM region the linker places data and stack in.
    /// Every budget check and report uses this one figure.
    public var ramBudgetBytes: Int { Int(ram.size) }

    public static func load(path: String) throws -> Board {
        var board = try JSONFile.decode(Board.self, path: path)
        board.file = path
        do { try board.validate() } catch let error as ConfigError { throw ConfigError("\(path): \(error.description)") }
        return board
    }

    func validate() throws {
        try Identifier.validate(name, field: "name")
        guard clockHz > 0 else { throw ConfigError("field 'clock_hz' must be positive") }
        guard regions.contains(where: { $0.kind == .flash }) else { throw ConfigError("field 'memory' has no flash region") }
        guard regions.contains(where: { $0.kind == .ram }) else { throw ConfigError("field 'memory' has no ram region") }
        try validateMemoryMap()
        let line = flashAccess.lineBytes, cache = flashAccess.cacheBytes
        guard line >= 4, line <= 256, line & (line - 1) == 0, cache % line == 0, (cache / line) & (cache / line &- 1) == 0 else {
            throw ConfigError("field 'flash_access': line_bytes must be a power of two 4...256 and cache_bytes a power-of-two number of lines (or 0)")
        }
        guard flashAccess.waitStates <= 15 else { throw ConfigError("field 'flash_access.wait_states' must be 0...15") }
        guard stackBytes >= 256, stackBytes % 8 == 0, stackBytes < ram.size else {
            throw ConfigError("field 'stack_bytes' must be a multiple of 8 between 256 and the RAM size (\(ram.size))")
        }
    }
}

/// The Cortex-M cores the emulator and cycle model know.
public enum Core: String, Codable, Sendable, CaseIterable {
    case cortexM0 = "cortex-m0"
    case cortexM0Plus = "cortex-m0plus"
    case cortexM4 = "cortex-m4"
    case cortexM7 = "cortex-m7"

    /// Unicorn's UC_CPU_ARM_* number for the core (it has no M0+; the M0 runs the same ISA).
    var unicornModel: Int32 {
        switch self {
        case .cortexM0, .cortexM0Plus: return 7
        case .cortexM4: return 9
        case .cortexM7: return 10
        }
    }

    public var gccFlags: [String] {
        ["-mcpu=\(rawValue)", "-mthumb", "-mfloat-abi=soft"]
    }
}

extension Board {
    /// Finds `Boards/<name>.json`, or takes a path to a board file as is.
    public static func resolve(_ nameOrPath: String, boardsDirectory: String = ProjectPaths.boards) throws -> Board {
        if nameOrPath.hasSuffix(".json") { return try load(path: nameOrPath) }
        let path = (boardsDirectory as NSString).appendingPathComponent("\(nameOrPath).json")
        guard (try? Identifier.validate(nameOrPath, field: "board")) != nil, FileManager.default.fileExists(atPath: path) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: boardsDirectory))?
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted() ?? []
            throw ConfigError("unknown board \(Quoted(nameOrPath)): no such file in \(boardsDirectory) (known: \(known.joined(separator: ", ")))")
        }
        return try load(path: path)
    }
}
