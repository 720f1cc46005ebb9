import CCapstone

/// Owns one Capstone handle for the CCapstone target. Capstone handles are not
/// thread-safe, so each timing model keeps its own decoder.
final class ThumbDecoder {
    private let handle: OpaquePointer

    init() throws {
        guard let handle = mcc_open() else { throw CycleModelError.decoderUnavailable }
        self.handle = handle
    }

    deinit {
        mcc_close(handle)
    }

    /// Decodes from the start of `code` up to the first bytes Capstone cannot decode.
    func decodePrefix(_ code: ArraySlice<UInt8>, at address: UInt32) -> [mcc_insn] {
        var decoded = [mcc_insn](repeating: mcc_insn(), count: code.count / 2)
        let count = code.withUnsafeBufferPointer { bytes in
            decoded.withUnsafeMutableBufferPointer { out in
                mcc_decode(handle, bytes.baseAddress, bytes.count, address, out.baseAddress, out.count)
            }
        }
        decoded.removeLast(decoded.count - count)
        return decoded
    }

    /// Decodes the whole buffer or throws: a block that stops decoding part-way must not be
    /// timed as if it were shorter.
    func decode(_ code: [UInt8], at address: UInt32) throws -> [mcc_insn] {
        let decoded = decodePrefix(code[...], at: address)
        let size = decoded.reduce(UInt32(0)) { $0 + $1.size }
        guard Int(size) == code.count else { throw CycleModelError.undecodable(address: address &+ size) }
        return decoded
    }
}
