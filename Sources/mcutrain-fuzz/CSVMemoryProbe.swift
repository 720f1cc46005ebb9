import Foundation
import MCUTrain

/// The streaming CSV loader's memory, measured in a process of its own: peak RSS before and
/// after loading and splitting a file, for `make csv-memory` (200 MB) and a test (a few MB).
enum CSVMemoryProbe {
    /// pandas' layout (index column, named columns, target last) with 13 float64 features as
    /// Python prints them (shortest round-trip form: up to 17 digits, exponents below 1e-4),
    /// of varied magnitude and sign, 3 classes; deterministic.
    static func write(_ path: String, bytes target: Int) throws {
        guard let file = fopen(path, "wb") else { throw ConfigError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var rng = SplitMix64(seed: 7)
        var text = "," + (0..<13).map { "f\($0)" }.joined(separator: ",") + ",target\n"
        var written = 0, row = 0
        while written < target {
            let label = row % 3
            text += "\(row)"
            for column in 0..<13 {
                let unit = Double(rng.next() >> 11) / Double(1 << 53) + 0.2 * Double(label * (column % 2))
                switch column % 4 {
                case 0: text += ",\(unit * 30)"
                case 1: text += ",\(-unit * 2500)"
                case 2: text += ",\(unit * 1e-5)"
                default: text += ",\((unit * 1000).rounded())"
                }
            }
            text += ",\(label)\n"
            row += 1
            if text.utf8.count > 1 << 20 || written + text.utf8.count >= target {
                written += fwrite(text, 1, text.utf8.count, file)
                text = ""
            }
        }
    }

    static func load(_ path: String) throws {
        let before = peakKilobytes()
        let data = try DataSource.table(path: path)
        let (train, test, preparation) = data.prepared(testFraction: 0.2, seed: 1)
        let after = peakKilobytes()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("\(data.count) samples of \(data.featureCount) features, \(data.classCount) classes: \(train.count) train, \(test.count) test; \(preparation.featureScaling)")
        print("file_bytes=\(size) peak_rss_kb_before=\(before) peak_rss_kb_after=\(after)")
    }

    private static func peakKilobytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss
    }
}
