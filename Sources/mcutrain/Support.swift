import ArgumentParser
import Foundation
import MCUTrain

/// Bad input ends the run with one line on stderr and exit status 1, never a trace.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// A numeric option outside the values that make sense is bad input like any other: one line
/// naming the option and the range, rather than a trap on a later conversion or a run that never ends.
func checked<T: BinaryInteger>(_ value: T, option: String, in range: ClosedRange<T>) throws -> T {
    guard range.contains(value) else {
        throw ConfigError("--\(option) \(value) is out of range: use \(range.lowerBound)...\(range.upperBound)")
    }
    return value
}

func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
        try encoder.encode(value).write(to: URL(fileURLWithPath: path))
    } catch {
        throw ConfigError("cannot write \(path): \(FileProblem.reason(error, path: path))")
    }
}

/// Progress on stderr: a redrawn bar on a terminal, one line per epoch otherwise (CI logs).
final class ProgressLine {
    private let epochs: Int
    private let interactive = isatty(fileno(stderr)) != 0

    init(epochs: Int) { self.epochs = epochs }

    func note(_ text: String) { emit(text + "\n") }

    func update(_ event: Simulation.Progress) {
        switch event {
        case .built(let flash, let ram):
            note("firmware built: \(flash) B flash, \(ram) B static RAM; training...")
        case .step(let epoch, let done, let total) where interactive:
            let width = 30, filled = done * width / max(total, 1)
            emit("\r  epoch \(epoch)/\(epochs) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total)")
        case .step:
            break
        case .epoch(let e):
            let cycles = e.cyclesPerStepMean.map { String(format: "%.0f cycles/step", $0) } ?? "no step emulated"
            let line = String(format: "  epoch %d/%d  loss %.4f  test %.1f%%  float %.1f%%  ",
                              e.epoch, epochs, e.trainLoss, e.testAccuracy * 100, e.floatReferenceAccuracy * 100) + cycles
            emit((interactive ? "\r\u{1B}[K" : "") + line + "\n")
        }
    }

    func finish() { emit("\n") }

    private func emit(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
