/// What a report keeps of one output stream: its first `limit` bytes and the total count.
/// The whole stream still reaches the live echo; only the copy for the report is capped, so a
/// program printing without end costs bounded host memory.
public struct CapturedOutput: Sendable {
    public let limit: Int
    public private(set) var bytes: [UInt8] = []
    public private(set) var totalBytes = 0

    public init(limit: Int) { self.limit = limit }

    public var isTruncated: Bool { totalBytes > bytes.count }
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func append(_ more: [UInt8]) {
        totalBytes += more.count
        bytes += more.prefix(max(0, limit - bytes.count))
    }
}
