/// Why a firmware run stopped early. Each names the address, the PC and the function it was
/// in (from the ELF's symbols) so the message alone points at the bug.
public struct EmulatorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where a PC lies, as "0x000012A4 (mct_dense_forward_s8+0x1c)".
func locate(_ pc: UInt32, in elf: ELFFile?) -> String {
    let hex = "0x" + String(pc, radix: 16, uppercase: true).leftPadded(to: 8)
    guard let f = elf?.function(containing: pc) else { return hex }
    return "\(hex) (\(f.name)+0x\(String(pc - f.address, radix: 16)))"
}
