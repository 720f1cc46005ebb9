extension Core {
    /// A fresh timing model for the core (each owns a Capstone handle, so one per machine).
    public func timingModel() throws -> CoreTimingModel {
        switch self {
        case .cortexM0: return try CortexM0Timing(plus: false)
        case .cortexM0Plus: return try CortexM0Timing(plus: true)
        case .cortexM4: return try CortexM4Timing()
        case .cortexM7: return try CortexM7Timing()
        }
    }
}
