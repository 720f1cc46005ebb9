extension Core {
    /// A fresh timing model for the core (each owns a Capstone handle, so one per machine).
    public func timingModel() throws -> CoreTimingModel {
        switch self {
        case .cortexM4: return try CortexM4Timing()
        case .cortexM0, .cortexM0Plus, .cortexM7: throw EmulatorError("no cycle model for \(rawValue) yet")
        }
    }
}
