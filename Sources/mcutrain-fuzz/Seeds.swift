import Foundation
import MCUTrain

/// CSVs of every shape the loader accepts, small so each input loads in microseconds.
enum CSVSeeds {
    static let all = [
        // pandas' DataFrame.to_csv: index column, named columns, exponents and negatives.
        """
        ,alcohol,malic_acid,hue,proline,target
        0,14.23,1.71,1.04,1065.0,0
        1,13.2,-1.78,1.05,1.2e-05,1
        2,13.16,2.36,1.03,1185.0,2
        3,14.37,1.95,0.86,1480.0,0
        4,12.37,0.94,1.25,520.0,1
        5,13.71,5.65,0.6,740.0,2

        """,
        // Integer features 0...255 without a header: the bytes path.
        "0,0,5,13,9,1,0\n0,2,16,14,6,1,1\n3,15,2,0,11,8,2\n0,4,12,0,0,8,0\n16,0,0,3,1,2,1\n",
        // String labels, quoted fields, CRLF line ends, a byte-order mark and a blank line.
        "\u{FEFF}\"f, 1\",f2,\"label\"\r\n1.5,2,\"benign\"\r\n\r\n3,-4.25,malignant\r\n5,6E2,\"be\"\"nign\"\r\n7,8,benign\r\n",
        // index=False on an unnamed array: the header is the column numbers.
        "0,1,2,3\n0.5,1.5,2.5,1\n-3,4,5e3,0\n6,7,8,1\n",
    ]
}

/// ELFs to mutate: one built here byte by byte (always available) and, when the cross
/// compiler is installed, the training firmware of the digits MLP as the tool itself builds it.
enum ELFSeeds {
    static func all(workDirectory: String) throws -> [[UInt8]] {
        var seeds = [TinyELF.bytes()]
        let spec = try ModelSpec.load(path: ProjectPaths.examples + "/mlp-digits.json")
        let graph = try Graph(spec, update: .full)
        let model = QuantizedModel.calibrated(spec, graph: graph, on: Dataset.synthetic(featureCount: 64, classCount: 10, count: 16, seed: 1), seed: 1)
        if let elf = try? FirmwareBuilder(board: FuzzTarget.referenceBoard, directory: workDirectory + "/firmware").build(model: ModelSource(model)) {
            seeds.append(Array(try Data(contentsOf: URL(fileURLWithPath: elf))))
        }
        return seeds
    }
}
