/// Stack high-water by painting: fill the stack reserve with a pattern before a call, then
/// count how much of it the call overwrote. Costs two passes over the reserve in host memory.
struct StackMeter {
    static let paint: UInt32 = 0xC5AC_CE55
    let limit: UInt32
    let top: UInt32
    var size: Int { Int(top - limit) }

    func prepare(_ machine: Machine) throws {
        try machine.fill(limit, size, word: Self.paint)
    }

    /// Bytes of stack the last call used. Reaching the very bottom of the reserve means it
    /// may have gone further, into static data: that is an error, not a figure.
    func used(_ machine: Machine) throws -> Int {
        let untouched = try machine.countLeading(limit, size, word: Self.paint)
        guard untouched > 0 else {
            throw EmulatorError("stack overflow: the call used all \(size) bytes of the stack reserve (raise 'stack_bytes' in \(machine.board.file))")
        }
        return size - untouched
    }
}
