import XCTest
@testable import MCUTrain

/// The M4 goal column of `make bench`'s kernel table: fixed floors for the forward passes and
/// the large dense layer, 0.75x the measured DSP forward for a convolution's backward passes.
final class KernelBenchmarkTests: XCTestCase {
    func row(_ kernel: String, _ variant: KernelVariant, _ shape: String, cycles: UInt64) -> KernelBenchmark.Row {
        KernelBenchmark.Row(kernel: kernel, variant: variant, shape: shape, macs: 1000, cycles: cycles)
    }

    func testGoalsAreTheIssuesFloors() {
        let rows = [
            row("conv2d forward", .dsp, "3x3 16x16x16->32", cycles: 2000),      // 0.5
            row("conv2d input_error", .dsp, "3x3 16x16x16->32", cycles: 3000),  // 0.333 < 0.375
            row("conv2d update", .dsp, "3x3 16x16x16->32", cycles: 2500),       // 0.4 >= 0.375
            row("conv2d update", .portable, "3x3 16x16x16->32", cycles: 9000),
            row("dense update", .dsp, "784x128", cycles: 6000),                 // 0.167 >= 0.15
            row("dense update", .dsp, "64x32", cycles: 9000),
        ]
        let goals = rows.map { KernelBenchmark.goal(of: $0, in: rows) }
        XCTAssertEqual(goals, [0.40, 0.375, 0.375, nil, 0.15, nil])
        let text = KernelBenchmark(board: try! Board.resolve("nrf52840")).render(rows)
        XCTAssertTrue(text.contains(">= 0.375 MISSED"), text)
        XCTAssertTrue(text.contains(">= 0.375 met"), text)
        XCTAssertTrue(text.contains(">= 0.150 met"), text)
        XCTAssertFalse(KernelBenchmark(board: try! Board.resolve("stm32f072")).render(rows).contains("M4 goal"))
    }
}
