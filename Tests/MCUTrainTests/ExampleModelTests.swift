import XCTest
@testable import MCUTrain

/// The shipped examples: the planner's static RAM is what the linker lays out, to the byte,
/// and the sizes people ask about are refused or accepted as documented.
final class ExampleModelTests: XCTestCase {
    private func example(_ name: String) -> String { ProjectPaths.examples + "/\(name).json" }

    /// Builds the example, runs two training steps in the emulator and checks the plan.
    private func assertPlanMatchesFirmware(_ name: String, board: String, update: Graph.UpdateScheme) throws {
        let path = example(name)
        let spec = try ModelSpec.load(path: path)
        let graph = try Graph(spec, update: update)
        let data = Dataset.synthetic(featureCount: graph.inputShape.count, classCount: graph.classCount, count: 4, seed: 1)
        let device = try trainingDevice(self, path, board: board, update: update, data: data)
        try device.initialize(seed: 1)
        var stack = 0
        for n in 0..<2 {
            let input = device.source.model.quantizeInput(data.features(of: n), maxValue: data.maxValue)
            stack = max(stack, try device.trainStep(input, label: Int(data.labels[n])).measurement.stackBytes)
        }
        let plan = device.source.memory
        XCTAssertEqual(device.elf.staticRAMBytes(on: device.board), plan.staticRAMBytes, "\(name): planned static RAM")
        XCTAssertEqual(device.elf.symbol(named: "mct_arena").map { Int($0.size) }, plan.arenaBytes, "\(name): arena")
        XCTAssertGreaterThan(stack, 0)
        XCTAssertLessThanOrEqual(plan.staticRAMBytes + stack, device.board.ramBudgetBytes)
    }

    func testDigitsModelsPlanEqualsLinkedStaticRAM() throws {
        try assertPlanMatchesFirmware("mlp-digits", board: "nrf52840", update: .full)
        try assertPlanMatchesFirmware("cnn-digits", board: "nrf52840", update: .full)
    }

    func testDSCNNSparseFitsAndFullIsRefusedOnTheSmallerBoard() throws {
        try assertPlanMatchesFirmware("ds-cnn-kws", board: "nrf52840", update: .sparse)
        let path = example("ds-cnn-kws")
        let model = try quantizedModel(path, update: .full)
        assertError(try MemoryBudget.check(MemoryPlan(model), board: try Board.resolve("stm32f411"), model: path),
                    mentions: ["ds-cnn-kws.json", "B over the 131,072 B of", "live at the peak (backward pw4)"])
        XCTAssertLessThan(MemoryPlan(try quantizedModel(path, update: .sparse)).staticRAMBytes, MemoryPlan(model).staticRAMBytes / 2)
    }

    func testMobileNetV2LikeTrainsSparseOnSTM32F746() throws {
        try assertPlanMatchesFirmware("mbv2-like", board: "stm32f746", update: .sparse)
    }
}
