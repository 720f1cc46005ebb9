import Foundation
import XCTest
@testable import MCUTrain

/// CSV files as users bring them: pandas exports of float features, string labels, headers of
/// every kind, and the errors that name file, line and column.
final class CSVTests: XCTestCase {
    private var directory: String!

    override func setUp() {
        directory = temporaryDirectory(self)
    }

    // MARK: pandas exports

    func testWineShapedPandasExportLoadsAsWritten() throws {
        let wine = PandasShapedCSV.wine()
        XCTAssertTrue(wine.text.hasPrefix(",alcohol,malic_acid,"), "written with pandas' index header")
        let table = try DatasetLoader.loadCSV(path: write("wine.csv", wine.text))
        XCTAssertEqual(table.name, "wine")
        XCTAssertEqual([table.count, table.featureCount, table.classCount], [178, 13, 3])
        XCTAssertNil(table.classNames, "integer labels are the class numbers")
        XCTAssertEqual(table.labels, wine.labels.map { UInt8($0)! })
        XCTAssertEqual(table.values, .floats(wine.rows.flatMap { $0.map(Float.init) }), "index column dropped, every value kept")
    }

    func testBreastCancerShapedStringLabelsAreSortedIntoClasses() throws {
        let cancer = PandasShapedCSV.breastCancer(stringLabels: true)
        XCTAssertTrue(cancer.text.contains("e-05,"), "some values in exponent notation")
        let table = try DatasetLoader.loadCSV(path: write("cancer.txt", cancer.text))
        XCTAssertEqual([table.count, table.featureCount, table.classCount], [569, 30, 2])
        XCTAssertEqual(table.classNames, ["benign", "malignant"])
        XCTAssertEqual(table.labels, cancer.labels.map { $0 == "benign" ? 0 : 1 })
        XCTAssertEqual(table.labels.filter { $0 == 1 }.count, 212)

        let (train, test, preparation) = table.prepared(testFraction: 0.2, seed: 3)
        XCTAssertEqual(preparation, DataPreparation(featureScaling: FeatureScaling.description, classNames: ["benign", "malignant"]))
        XCTAssertEqual([train.count, test.count, train.maxValue], [456, 113, 255])  // round(0.2 × 212) + round(0.2 × 357) = 42 + 71 test
    }

    // MARK: Scaling

    /// The training split's min and max of every column become 0 and 255; test values outside
    /// that range are clamped; nothing about the test rows reaches the train bytes.
    func testScalingIsFittedOnTheTrainingSplitOnly() throws {
        let wine = PandasShapedCSV.wine()
        let table = try DatasetLoader.loadCSV(path: write("wine.csv", wine.text))
        let (train, test, _) = table.prepared(testFraction: 0.25, seed: 9)
        for column in 0..<13 {
            let values = (0..<train.count).map { train.features(of: $0)[$0 * 13 + column] }
            XCTAssertEqual([values.min(), values.max()], [0, 255], "column \(column)")
        }

        let testRows = StratifiedSplit.indices(labels: table.labels, classCount: 3, testFraction: 0.25, seed: 9).test
        var rows = wine.rows
        rows[testRows[0]][4] = 1e6
        rows[testRows[1]][4] = -1e6
        let altered = try DatasetLoader.loadCSV(path: write("altered.csv", Self.csv(rows, labels: wine.labels)))
        let (alteredTrain, alteredTest, _) = altered.prepared(testFraction: 0.25, seed: 9)
        XCTAssertTrue(alteredTrain.features == train.features && alteredTrain.labels == train.labels, "test values leaked into the train bytes")
        XCTAssertEqual(alteredTest.features(of: 0)[4], 255)
        XCTAssertEqual(alteredTest.features(of: 1)[13 + 4], 0)
        XCTAssertEqual(Array(alteredTest.features(of: 2)), Array(test.features(of: 2)))
    }

    /// Exact bytes: (v - min) / (max - min) * 255 rounded, a constant column 0 throughout.
    func testScalingArithmeticAndConstantColumns() throws {
        let path = try write("small.csv", "a,b,c,y\n-1.5,7,2,0\n0.5,7,2.5,1\n2.5,7,3,0\n1e3,7,-4,1\n")
        let table = try DatasetLoader.loadCSV(path: path)
        guard case .floats(let floats) = table.values else { return XCTFail("a decimal makes the table float") }
        let scaling = FeatureScaling(fittedOn: floats, rows: [0, 1, 2], featureCount: 3)
        XCTAssertEqual(scaling.minimum, [-1.5, 7, 2])
        XCTAssertEqual(scaling.maximum, [2.5, 7, 3])
        XCTAssertEqual(scaling.bytes(floats, rows: [0, 1, 2, 3]), [0, 0, 0, 128, 0, 128, 255, 0, 255, 255, 0, 0])
        XCTAssertEqual(FeatureScaling(fittedOn: floats, rows: [], featureCount: 3).bytes(floats, rows: [3]), [0, 0, 0])
    }

    /// Integer files 0...255 reach the device exactly as before floats were accepted: bytes,
    /// 0...(largest value) read as 0...1, the same split as a `Dataset` of the same bytes.
    func testIntegerFilesStayBytes() throws {
        let rows = (0..<40).map { i in [i % 17, (i * 7) % 13, i % 2] }
        let text = rows.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "\n")
        let table = try DatasetLoader.loadCSV(path: write("ints.csv", text))
        let bytes = rows.flatMap { $0.prefix(2).map(UInt8.init) }
        XCTAssertEqual(table.values, .bytes(bytes))
        let dataset = Dataset(name: "ints", features: bytes, labels: rows.map { UInt8($0[2]) }, featureCount: 2, classCount: 2, maxValue: 16)
        let (train, test, preparation) = table.prepared(testFraction: 0.2, seed: 4)
        let expected = dataset.split(testFraction: 0.2, seed: 4)
        XCTAssertEqual(train, expected.train)
        XCTAssertEqual(test, expected.test)
        XCTAssertEqual(preparation.featureScaling, "integer features as given, 0...16 read as 0...1")
    }

    // MARK: Headers, labels and layout

    func testHeaderKindsLineEndsAndBlankLines() throws {
        let cases: [(String, FeatureTable.Values, [UInt8])] = [
            ("a, b ,label\r\n1,2,0\r\n\r\n3, 4 ,2\r\n5,0,1\r\n", .bytes([1, 2, 3, 4, 5, 0]), [0, 2, 1]),
            ("0,1,2\n1,2,0\n3,4,1\n", .bytes([1, 2, 3, 4]), [0, 1]),                   // index=False on an unnamed array
            (",0,1,target\n0,1.5,2,1\n1,3,4,0\n", .floats([1.5, 2, 3, 4]), [1, 0]),     // pandas' index column
            ("0,1,label\n1,2.5,0\n", .floats([1, 2.5]), [0]),
            ("\u{FEFF}\"x, first\",\"y \"\"2\"\"\",label\r\n1.5,2,0\r\n", .floats([1.5, 2]), [0]),
            ("1.5,2,0\n3,4,1", .floats([1.5, 2, 3, 4]), [0, 1]),                         // no final line break
            ("1,2,0\n", .bytes([1, 2]), [0]),                                            // 1,2 is data, not a header
        ]
        for (text, values, labels) in cases {
            let table = try DatasetLoader.loadCSV(path: write("h.csv", text))
            XCTAssertEqual(table.values, values, text)
            XCTAssertEqual(table.labels, labels, text)
            XCTAssertEqual(table.featureCount, 2, text)
        }
    }

    /// Values a byte cannot hold once were errors; now they make the table float.
    func testValuesOutsideAByteMakeAFloatTable() throws {
        let table = try DatasetLoader.loadCSV(path: write("wide.csv", "1,300,0\n2,-1,1\n3,99999999999999999999,0\n4,-0,1\n"))
        XCTAssertEqual(table.values, .floats([1, 300, 2, -1, 3, 1e20, 4, 0]))
    }

    func testLabelsOtherThanClassNumbersAreMappedInSortedOrder() throws {
        let cases: [(String, [String], [UInt8])] = [
            ("1,b\n2,a\n3,c\n4,a\n", ["a", "b", "c"], [1, 0, 2, 0]),
            ("1,10\n2,-5\n3,9\n", ["-5", "9", "10"], [2, 0, 1]),        // numbers sort numerically
            ("1,1.0\n2,2.0\n", ["1.0", "2.0"], [0, 1]),
            ("1,\"x,y\"\n2,x\n", ["x", "x,y"], [1, 0]),
        ]
        for (text, names, labels) in cases {
            let table = try DatasetLoader.loadCSV(path: write("l.csv", text))
            XCTAssertEqual(table.classNames, names, text)
            XCTAssertEqual(table.labels, labels, text)
            XCTAssertEqual(table.classCount, names.count, text)
        }
        let gaps = try DatasetLoader.loadCSV(path: write("g.csv", "1,3\n2,1\n"))
        XCTAssertEqual([gaps.classCount], [4])
        XCTAssertNil(gaps.classNames)
    }

    func testErrorsNameFileLineAndColumn() throws {
        let cases: [(String, String)] = [
            ("a,b,y\n1,2,0\n1,abc,1\n", "3: column 2: 'abc' is not a number"),
            ("1,,0\n", "1: column 2: empty"),
            ("1,2,\n", "1: column 3: empty"),
            ("1,inf,0\n", "1: column 2: 'inf' is not a finite number"),
            ("1,-NaN,0\n", "1: column 2: '-NaN' is not a finite number"),
            ("1,1e39,0\n", "1: column 2: 1e39 is out of range for a 32-bit float"),
            ("1,0x10,0\n", "1: column 2: '0x10' is not a number"),
            ("1,2,3\n4,5\n", "2: expected 3 columns, found 2"),
            ("1,2,3\n4,5,6,7\n", "2: expected 3 columns, found 4"),
            ("1;2;0\n", "1: found 1 column; need comma-separated features followed by a label"),
            ("1,2,0\n3,\"4,1\n5,6,0\n", "2: column 2: a quoted field is never closed"),
            ("1,\"2\"x,0\n", "1: column 2: text after the closing quote"),
            (",label\n0,1\n", "1: no feature columns between the index column and the label"),
            ("1,\(String(repeating: "7", count: 300)),0\n", "1: column 2: over 256 bytes, too long for a number"),
            ("1,\(String(repeating: "x", count: 65))\n", "1: column 2: label '\(String(repeating: "x", count: 60))'... (5 more bytes) is longer than 64 bytes"),
            ("1,\(String(repeating: "x", count: 300))\n", "1: column 2: a label of over 256 bytes; at most 64"),
            ("1,\"a\nb\",0\n", "1: column 2: 'a\\nb' is not a number"),    // found by the fuzzer: once a two-line message
            ((0...256).map { "1,c\($0)" }.joined(separator: "\n"), "257: column 2: label 'c256' would be class 257; at most 256 classes"),
        ]
        for (text, message) in cases {
            let path = try write("bad.csv", text)
            assertError(try DatasetLoader.loadCSV(path: path), "\(path):\(message)")
        }
        let headerOnly = try write("empty.csv", "x,label\n\n")
        assertError(try DatasetLoader.loadCSV(path: headerOnly), "\(headerOnly): no samples")
        let missing = directory + "/x.csv"
        assertError(try DatasetLoader.loadCSV(path: missing), "cannot read \(missing): No such file or directory")
        assertError(try DatasetLoader.loadCSV(path: directory), "cannot read \(directory!): Is a directory")
    }

    /// `--data` goes by the file's first bytes, not its name.
    func testDataSourceSniffsTheBinaryMagic() throws {
        let graph = try Graph(ModelSpec.load(path: ProjectPaths.examples + "/mlp-digits.json"), update: .full)
        let binary = directory + "/digits.csv"
        try FileManager.default.copyItem(atPath: ProjectPaths.digits, toPath: binary)
        XCTAssertEqual(try DataSource.load(binary, for: graph, seed: 1).data as? Dataset, try DatasetLoader.loadBinary(path: ProjectPaths.digits))
        let text = try write("digits.bin", "1.5,2,0\n")
        XCTAssertEqual((try DataSource.table(path: text) as? FeatureTable)?.values, .floats([1.5, 2]))
    }

    // MARK: Helpers

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func assertError<T>(_ body: @autoclosure () throws -> T, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    /// Rows written back the way `PandasShapedCSV` writes them.
    private static func csv(_ rows: [[Double]], labels: [String]) -> String {
        (["," + (0..<rows[0].count).map { "f\($0)" }.joined(separator: ",") + ",target"]
            + rows.enumerated().map { "\($0.offset)," + $0.element.map { "\($0)" }.joined(separator: ",") + ",\(labels[$0.offset])" })
            .joined(separator: "\n")
    }
}
