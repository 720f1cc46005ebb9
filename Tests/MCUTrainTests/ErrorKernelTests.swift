import XCTest
@testable import MCUTrain

/// The error kernels between layers (requantize an int32 error, mask it through an
/// activation), both variants in the emulator against the twin: lengths around the DSP
/// kernels' four-value words, extreme sums, and bounds outside the int8 range.
final class ErrorKernelTests: XCTestCase {
    static let harness = """
        #include "mct_kernels.h"
        int32_t mct_t_acc[80], mct_t_args[3];
        int8_t mct_t_err[80], mct_t_y[80];
        int main(void) { return 0; }
        int32_t mct_t_requantize(void) { return mct_requantize_error_s8(mct_t_acc, mct_t_args[0], mct_t_err); }
        void mct_t_activation(void) { mct_activation_backward_s8(mct_t_err, mct_t_y, mct_t_args[0], mct_t_args[1], mct_t_args[2]); }
        """

    func harnesses() throws -> [BitExactTests.Harness] {
        try KernelVariant.allCases.map {
            try BitExactTests.Harness($0, directory: temporaryDirectory(self), kinds: [], harness: Self.harness)
        }
    }

    func testRequantizeErrorOfBothVariantsMatchesTheTwin() throws {
        let harnesses = try harnesses()
        var seed = SplitMix64(seed: 5, stream: 2)
        // Magnitudes of every width, so every shift from 0 to 25 occurs, and the extremes
        // (Int32.min has no positive twin; -(2^k + ...) rounds to -128 before the clamp).
        var cases: [[Int32]] = [[0], [127], [-128], [Int32.min], [Int32.max, Int32.min, 0, 1, -1], [-511, 3, 4, 5], [-255, 255, -254]]
        for n in [1, 2, 3, 4, 5, 7, 8, 31, 32, 33, 64, 79] {
            for bits in [1, 7, 8, 9, 16, 24, 31] {
                cases.append((0..<n).map { _ in
                    Int32(truncatingIfNeeded: Int64(bitPattern: seed.next()) >> (64 - bits))
                })
            }
        }
        for acc in cases {
            let want = IntegerKernels.requantizeError(acc)
            for (h, variant) in zip(harnesses, KernelVariant.allCases) {
                try h.write("mct_t_acc", acc)
                try h.write("mct_t_args", [Int32(acc.count), 0, 0])
                try h.write("mct_t_err", [Int8](repeating: 99, count: 80))
                let shift = Int32(bitPattern: try h.call("mct_t_requantize"))
                XCTAssertEqual(Int(shift), want.shift, "\(variant) shift of \(acc)")
                XCTAssertEqual(try h.read("mct_t_err", acc.count, as: Int8.self), want.error, "\(variant) error of \(acc)")
                XCTAssertEqual(try h.read("mct_t_err", 80, as: Int8.self)[acc.count...].allSatisfy { $0 == 99 }, true,
                               "\(variant) wrote past \(acc.count) values")
            }
        }
    }

    func testActivationBackwardOfBothVariantsMatchesTheTwin() throws {
        let harnesses = try harnesses()
        var seed = SplitMix64(seed: 6, stream: 3)
        // ReLU, ReLU6-like, none (bounds outside int8), nothing survives, one value survives,
        // bounds at the int8 edges and far outside it.
        let bounds: [(Int32, Int32)] = [(0, 128), (0, 6), (-129, 128), (-128, 127), (5, 6), (5, 7), (127, 200), (-300, -127),
                                        (-10, 10), (Int32.min, Int32.max), (Int32.max, Int32.min), (-1000, 1000)]
        for n in [1, 3, 4, 5, 8, 13, 32, 79] {
            for (lo, hi) in bounds {
                let y = (0..<n).map { _ in Int8(truncatingIfNeeded: seed.next()) }
                let error = (0..<n).map { _ in Int8(truncatingIfNeeded: seed.next() | 1) }
                let want = IntegerKernels.activationBackward(error, output: y, lo: lo, hi: hi)
                for (h, variant) in zip(harnesses, KernelVariant.allCases) {
                    try h.write("mct_t_err", error + [Int8](repeating: 99, count: 80 - n))
                    try h.write("mct_t_y", y)
                    try h.write("mct_t_args", [Int32(n), lo, hi])
                    _ = try h.call("mct_t_activation")
                    let got = try h.read("mct_t_err", 80, as: Int8.self)
                    XCTAssertEqual(Array(got[..<n]), want, "\(variant) n=\(n) lo=\(lo) hi=\(hi)")
                    XCTAssertEqual(got[n...].allSatisfy { $0 == 99 }, true, "\(variant) wrote past \(n) values")
                }
            }
        }
    }
}
