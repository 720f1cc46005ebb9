import Foundation
import XCTest
@testable import MCUTrain

/// Expected values were read from scikit-learn 1.9.1's `load_digits()`, independently of the
/// Swift loader, so these tests check the committed file against its source, not against itself.
final class DatasetTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("DatasetTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    // MARK: Bundled digits

    func testDigitsMatchScikitLearn() throws {
        let digits = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        XCTAssertEqual(digits.name, "digits")
        XCTAssertEqual(digits.count, 1797)
        XCTAssertEqual(digits.featureCount, 64)
        XCTAssertEqual(digits.classCount, 10)
        XCTAssertEqual(digits.maxValue, 16)
        XCTAssertEqual(digits.classCounts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        XCTAssertEqual(Array(digits.labels.prefix(12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
        XCTAssertEqual(Array(digits.features(of: 0)), [
            0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
            0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
        ])
        XCTAssertEqual(digits.labels.last, 8)
        XCTAssertEqual(Array(digits.features(of: 1796).prefix(16)), [0, 0, 10, 14, 8, 1, 0, 0, 0, 2, 16, 14, 6, 1, 0, 0])
        XCTAssertEqual(digits.features.reduce(0) { $0 + Int($1) }, 561_718)
    }

    // MARK: Splitting and shuffling

    func testSplitIsStratifiedAndDeterministic() throws {
        let digits = try DatasetLoader.loadBinary(path: ProjectPaths.digits)
        let (train, test) = digits.split(testFraction: 0.2, seed: 42)
        // round(0.2 * n) per class: 35.6 -> 36, 36.4 -> 36, 35.4 -> 35, 36.6 -> 37, ...
        XCTAssertEqual(test.classCounts, [36, 36, 35, 37, 36, 36, 36, 36, 35, 36])
        XCTAssertEqual(zip(train.classCounts, test.classCounts).map(+), digits.classCounts)
        XCTAssertEqual([train.name, test.name], ["digits-train", "digits-test"])
        XCTAssertEqual([train.count, test.count], [1438, 359])

        let again = digits.split(testFraction: 0.2, seed: 42)
        XCTAssertEqual(again.train, train)
        XCTAssertEqual(again.test, test)
        XCTAssertNotEqual(digits.split(testFraction: 0.2, seed: 43).test, test)
    }

    func testSplitPartitionsTheSamples() {
        let indexed = Self.indexedDataset(count: 300, classCount: 3)
        let (train, test) = indexed.split(testFraction: 0.25, seed: 7)
        let trainIDs = (0..<train.count).map { Self.sampleID(train, $0) }
        let testIDs = (0..<test.count).map { Self.sampleID(test, $0) }
        XCTAssertEqual((trainIDs + testIDs).sorted(), Array(0..<300))
        XCTAssertEqual(trainIDs, trainIDs.sorted(), "split keeps the original order within each half")
        XCTAssertEqual(test.classCounts, [25, 25, 25])

        XCTAssertEqual(indexed.split(testFraction: 0, seed: 1).test.count, 0)
        XCTAssertEqual(indexed.split(testFraction: 1, seed: 1).train.count, 0)
    }

    func testShuffledOrderIsADeterministicPermutationPerEpoch() {
        let indexed = Self.indexedDataset(count: 100, classCount: 2)
        let order = indexed.shuffledOrder(seed: 9, epoch: 0)
        XCTAssertEqual(order.sorted(), Array(0..<100))
        XCTAssertNotEqual(order, Array(0..<100))
        XCTAssertEqual(indexed.shuffledOrder(seed: 9, epoch: 0), order)
        XCTAssertNotEqual(indexed.shuffledOrder(seed: 9, epoch: 1), order)
        XCTAssertNotEqual(indexed.shuffledOrder(seed: 10, epoch: 0), order)
    }

    func testSplitMix64MatchesReferenceOutputs() {
        // Published outputs of Vigna's splitmix64.c for seeds 0 and 1234567.
        var zero = SplitMix64(seed: 0)
        XCTAssertEqual([zero.next(), zero.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4])
        var other = SplitMix64(seed: 1_234_567)
        XCTAssertEqual(other.next(), 6_457_827_717_110_365_317)

        var bounded = SplitMix64(seed: 3)
        let draws = (0..<1000).map { _ in bounded.next(below: 7) }
        XCTAssertEqual(Set(draws), Set(0..<7))
    }

    /// A model with 300 outputs and no --data once trapped making byte labels for class 256 on.
    func testSyntheticDataForMoreThan256Outputs() throws {
        let dir = temporaryDirectory(self)
        let spec = try ModelSpec.load(path: writeFile(dir, "wide.json", mlpJSON([8, 300])))
        let data = try XCTUnwrap(DataSource.load(nil, for: Graph(spec, update: .full), seed: 1).data as? Dataset)
        XCTAssertEqual([data.count, data.classCount, Int(data.labels.max()!)], [600, 256, 255])
    }

    // MARK: Binary errors

    func testBinaryErrorsNameFileAndProblem() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: ProjectPaths.digits))

        var flipped = original
        flipped[1000] ^= 0x01
        let corrupt = try write("digits.bin", flipped)
        try assertError(DatasetLoader.loadBinary(path: corrupt), "\(corrupt): checksum mismatch (file corrupt)")

        let truncated = try write("truncated.bin", original.prefix(32 + 1500 * 65 + 10))
        try assertError(DatasetLoader.loadBinary(path: truncated),
                        "\(truncated): truncated: header says 1797 samples, file holds 1500")

        let padded = try write("padded.bin", original + [0, 0, 0])
        try assertError(DatasetLoader.loadBinary(path: padded),
                        "\(padded): 3 stray bytes after the 1797 samples the header declares")

        let csv = try write("not-binary.bin", "1,2,0\n")
        try assertError(DatasetLoader.loadBinary(path: csv), "\(csv): not an MCUTrain dataset (does not start with MCTD)")

        let shortHeader = try write("short.bin", original.prefix(20))
        try assertError(DatasetLoader.loadBinary(path: shortHeader), "\(shortHeader): truncated header: 20 bytes, need 32")

        var badLabel = original
        badLabel[32 + 5 * 65 + 64] = 12
        badLabel.replaceSubrange(28..<32, with: withUnsafeBytes(of: CRC32.checksum(badLabel.dropFirst(32)).littleEndian, Array.init))
        let relabelled = try write("relabelled.bin", badLabel)
        try assertError(DatasetLoader.loadBinary(path: relabelled),
                        "\(relabelled): sample 5: label 12 is not below the class count 10")

        var future = original
        future[4] = 2
        let newer = try write("newer.bin", future)
        try assertError(DatasetLoader.loadBinary(path: newer),
                        "\(newer): unsupported format version 2 (this build reads version 1)")

        try assertError(DatasetLoader.loadBinary(path: directory.path), "cannot read \(directory.path): Is a directory")
    }

    func testCRC32MatchesZlib() {
        XCTAssertEqual(CRC32.checksum("123456789".utf8), 0xCBF4_3926)  // the standard CRC-32 check value
    }

    // MARK: Helpers

    private func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    private func write(_ name: String, _ data: Data) throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    private func assertError<T>(_ body: @autoclosure () throws -> T, _ message: String,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
            XCTAssertEqual(error.localizedDescription, message, file: file, line: line)
        }
    }

    /// Sample `i` stores `i` in its two features (low byte, high byte), so a split's membership
    /// can be read back from the subsets; labels cycle through the classes.
    private static func indexedDataset(count: Int, classCount: Int) -> Dataset {
        Dataset(name: "indexed", features: (0..<count).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
                labels: (0..<count).map { UInt8($0 % classCount) }, featureCount: 2, classCount: classCount, maxValue: 255)
    }

    private static func sampleID(_ data: Dataset, _ index: Int) -> Int {
        let features = data.features(of: index)
        return Int(features[features.startIndex]) | Int(features[features.startIndex + 1]) << 8
    }
}
