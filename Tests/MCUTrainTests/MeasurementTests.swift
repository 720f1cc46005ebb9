import XCTest
@testable import MCUTrain

/// Measurements are deterministic and follow the work done.
final class MeasurementTests: XCTestCase {
    private func device(_ sizes: [Int]) throws -> TrainingDevice {
        try trainingDevice(self, writeFile(temporaryDirectory(self), "model.json", mlpJSON(sizes)))
    }

    private func input(_ n: Int) -> [Int8] { (0..<n).map { Int8(($0 * 37) % 128) } }

    func testSameSeedGivesSameCyclesEveryStep() throws {
        let runs = try (0..<2).map { _ -> [TrainingDevice.StepResult] in
            let d = try device([64, 32, 10])
            try d.initialize(seed: 3)
            return try (0..<50).map { try d.trainStep(input(64), label: $0 % 10) }
        }
        XCTAssertEqual(runs[0], runs[1])
        XCTAssertGreaterThan(Set(runs[0].map(\.measurement.cycles)).count, 1, "cycles follow the data, not a constant")
    }

    func testInferenceCyclesGrowWithMACs() throws {
        var previous: (macs: Int, cycles: UInt64)?
        for hidden in [8, 16, 32, 64] {
            let d = try device([64, hidden, 10])
            try d.initialize(seed: 1)
            let cycles = try d.predict(input(64)).measurement.cycles
            let macs = d.source.graph.forwardMACs
            if let previous {
                XCTAssertGreaterThan(cycles, previous.cycles, "\(macs) MACs vs \(previous.macs)")
                // at least one cycle per extra multiply-accumulate
                XCTAssertGreaterThan(cycles - previous.cycles, UInt64(macs - previous.macs))
            }
            previous = (macs, cycles)
        }
    }

    func testSimulationIsReproducible() throws {
        let dir = temporaryDirectory(self)
        let spec = try ModelSpec.load(path: ProjectPaths.examples + "/mlp-digits.json")
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        let small = data.subset(Array(0..<400), name: "digits-400")
        let reports = try (0..<2).map { _ in
            try Simulation(board: try Board.resolve("nrf52840"), spec: spec, modelFile: "m", data: small, dataFile: "d",
                           options: .init(epochs: 2, seed: 5), buildDirectory: dir).run()
        }
        XCTAssertEqual(reports[0].testAccuracy, reports[1].testAccuracy)
        XCTAssertEqual(reports[0].cyclesPerStepMean, reports[1].cyclesPerStepMean)
        XCTAssertEqual(reports[0].peakRamBytes, reports[1].peakRamBytes)
        let ram = reports[0].ram
        XCTAssertEqual(ram.parameters + ram.arena + ram.state + ram.other, ram.staticBytes)
        XCTAssertEqual(ram.staticBytes, ram.predictedStaticBytes)
        XCTAssertEqual(ram.staticBytes + ram.stackPeakBytes, reports[0].peakRamBytes)
        XCTAssertLessThanOrEqual(reports[0].peakRamBytes, 262_144)
    }

    /// The host build trains bit-identically, so a --fast run reaches exactly the emulated
    /// run's accuracy and loss; its cycles come from the stated sample only.
    func testFastRunMatchesTheEmulatedRun() throws {
        let spec = try ModelSpec.load(path: ProjectPaths.examples + "/cnn-digits.json")
        let data = try DatasetLoader.loadBinary(path: ProjectPaths.digits).subset(Array(0..<200), name: "digits-200")
        let reports = try [false, true].map { fast in
            try Simulation(board: try Board.resolve("nrf52840"), spec: spec, modelFile: "m", data: data, dataFile: "d",
                           options: .init(epochs: 2, seed: 3, fast: fast, measuredSteps: 20), buildDirectory: temporaryDirectory(self)).run()
        }
        XCTAssertEqual(reports[0].epochs.map(\.testAccuracy), reports[1].epochs.map(\.testAccuracy))
        XCTAssertEqual(reports[0].epochs.map(\.trainLoss), reports[1].epochs.map(\.trainLoss))
        XCTAssertEqual(reports[1].epochs.map { $0.cyclesPerStepMean != nil }, [true, false])
        XCTAssertTrue(reports[1].measuredIn.contains("first 20 training steps"))
        XCTAssertEqual(reports[0].measuredIn, "emulator, every step")
    }

    /// A run at 100 % on device and float (easily separable data) once divided 0 by 0.
    func testAccuracyChartOfPerfectRunsRenders() {
        let chart = AccuracyChart.render(device: [1, 1, 1], reference: [1, 1, 1])
        XCTAssertTrue(chart.contains("100%"), chart)
        XCTAssertTrue(chart.contains("●"), chart)
    }
}
