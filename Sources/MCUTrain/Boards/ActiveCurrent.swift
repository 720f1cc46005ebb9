/// The datasheet's supply current with the core running from flash, for energy estimates:
/// energy = cycles / clock × current × voltage. Given either per MHz (`ua_per_mhz`) or as a
/// current at a clock (`ma` at `at_hz`), as datasheets print it, always with its source.
public struct ActiveCurrent: Codable, Sendable, Equatable {
    public let microampsPerMHz: Double
    public let supplyVolts: Double
    /// Document, revision and table the figures come from.
    public let source: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case microampsPerMHz = "ua_per_mhz", milliamps = "ma", atHz = "at_hz", supplyVolts = "supply_volts", source
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        supplyVolts = try c.decode(Double.self, forKey: .supplyVolts)
        source = try c.decode(String.self, forKey: .source)
        if let perMHz = try c.decodeIfPresent(Double.self, forKey: .microampsPerMHz) {
            guard !c.contains(.milliamps), !c.contains(.atHz) else {
                throw DecodingError.dataCorruptedError(forKey: .microampsPerMHz, in: c, debugDescription: "give 'ua_per_mhz' or 'ma' with 'at_hz', not both")
            }
            microampsPerMHz = perMHz
        } else {
            let milliamps = try c.decode(Double.self, forKey: .milliamps)
            let hz = try c.decodeInteger(UInt32.self, forKey: .atHz)
            guard hz > 0 else { throw DecodingError.dataCorruptedError(forKey: .atHz, in: c, debugDescription: "must be positive") }
            microampsPerMHz = milliamps * 1000 / (Double(hz) / 1e6)
        }
        guard microampsPerMHz > 0, microampsPerMHz < 10_000 else {
            throw DecodingError.dataCorruptedError(forKey: .microampsPerMHz, in: c, debugDescription: "the current must come to 0...10000 µA/MHz")
        }
        guard supplyVolts > 0, supplyVolts <= 5.5 else {
            throw DecodingError.dataCorruptedError(forKey: .supplyVolts, in: c, debugDescription: "must be 0...5.5 V")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(microampsPerMHz, forKey: .microampsPerMHz)
        try c.encode(supplyVolts, forKey: .supplyVolts)
        try c.encode(source, forKey: .source)
    }

    /// Microjoules for `cycles` at any clock: the current scales with the clock, the time with its inverse.
    public func microjoules(cycles: Double) -> Double { cycles * microampsPerMHz * supplyVolts * 1e-6 }
}
