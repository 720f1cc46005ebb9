import Foundation

extension DatasetLoader {
    /// One sample per row, the label in the last column, the rest features: integers or
    /// decimals of any range and sign (`-3`, `0.5`, `1.2e-05`). The first row is a header when
    /// none of its feature columns is a number, or when they are numbered 0, 1, 2, ... as pandas
    /// names the columns of an unnamed array; a header that starts with an empty field is
    /// pandas' `DataFrame.to_csv` with its row index, and that first column is dropped from every
    /// row. Blank lines are skipped. See `ClassLabels` for how labels become classes.
    public static func loadCSV(path: String) throws -> FeatureTable {
        var status = stat()
        var builder = CSVTableBuilder(path: path, fileBytes: stat(path, &status) == 0 ? Int(status.st_size) : 0)
        try CSVReader.read(path: path) { try builder.add($0) }
        return try builder.table()
    }
}

/// Collects the reader's fields into compact storage as they arrive: one byte per feature
/// while the file's features are all integers 0...255, a Float32 from the first one that is not.
struct CSVTableBuilder {
    /// Room for the largest model input (2^20 features) plus an index and a label.
    static let maxColumns = (1 << 20) + 2

    private let path: String
    private let fileBytes: Int
    /// Where the last row ended, for the size estimate the storage is reserved by.
    private var rowStart = 0
    /// The first row, held until it is known to be a header or data.
    private var firstRow: [CSVReader.Field] = []
    private var width: Int?
    private var hasIndex = false
    private var bytes: [UInt8] = []
    private var floats: [Float] = []
    private var isFloat = false
    private var labelIDs: [UInt8] = []
    private var labels = ClassLabels()

    init(path: String, fileBytes: Int) {
        self.path = path
        self.fileBytes = fileBytes
    }

    mutating func add(_ field: CSVReader.Field) throws {
        guard let width else { return try addToFirstRow(field) }
        let path = self.path
        func invalid(_ problem: String) -> DatasetError { .invalid(file: path, line: field.line, problem: problem) }
        if field.endsRow {
            defer { rowStart = field.end }
            if field.column == 0 && field.bytes.isEmpty && !field.isQuoted { return }  // a blank line
            guard field.column + 1 == width else { throw invalid("expected \(width) columns, found \(field.column + 1)") }
            if labelIDs.isEmpty { reserve(rowBytes: field.end - rowStart) }
            return try addLabel(field, invalid)
        }
        guard field.column < width - 1, !(hasIndex && field.column == 0) else { return }
        switch field.isCut ? .failure(.init("over \(CSVReader.maxFieldBytes) bytes, too long for a number")) : CSVNumber.parse(field.bytes) {
        case .failure(let problem): throw invalid("column \(field.column + 1): \(problem.text)")
        case .success(.byte(let value)) where !isFloat: bytes.append(value)
        case .success(.byte(let value)): floats.append(Float(value))
        case .success(.float(let value)):
            if !isFloat {
                isFloat = true
                floats.reserveCapacity(bytes.capacity)
                floats += bytes.map(Float.init)
                bytes = []
            }
            floats.append(value)
        }
    }

    /// Room for as many rows as the file holds if they are all as long as the first, plus a
    /// quarter: growing the storage by doubling would hold the old and the new copy at once.
    private mutating func reserve(rowBytes: Int) {
        let rows = (fileBytes - rowStart) / max(1, rowBytes) * 5 / 4 + 1
        labelIDs.reserveCapacity(rows)
        if isFloat { floats.reserveCapacity(rows * featureCount) } else { bytes.reserveCapacity(rows * featureCount) }
    }

    private var featureCount: Int { (width ?? 0) - (hasIndex ? 2 : 1) }

    func table() throws -> FeatureTable {
        guard width != nil, !labelIDs.isEmpty else { throw DatasetError.invalid(file: path, line: nil, problem: "no samples") }
        let (classOf, classCount, names) = labels.classes()
        return FeatureTable(name: DatasetLoader.datasetName(path), featureCount: featureCount,
                            values: isFloat ? .floats(floats) : .bytes(bytes), labels: labelIDs.map { classOf[Int($0)] },
                            classCount: classCount, classNames: names)
    }

    private mutating func addLabel(_ field: CSVReader.Field, _ invalid: (String) -> DatasetError) throws {
        let column = "column \(field.column + 1)"
        guard !field.bytes.isEmpty else { throw invalid("\(column): empty") }
        guard !field.isCut else { throw invalid("\(column): a label of over \(CSVReader.maxFieldBytes) bytes; at most \(ClassLabels.maxLabelBytes)") }
        guard field.bytes.count <= ClassLabels.maxLabelBytes else {
            throw invalid("\(column): label \(Quoted(field.text)) is longer than \(ClassLabels.maxLabelBytes) bytes")
        }
        guard let id = labels.id(of: field.bytes) else {
            throw invalid("\(column): label \(Quoted(field.text)) would be class \(ClassLabels.maxClasses + 1); at most \(ClassLabels.maxClasses) classes")
        }
        labelIDs.append(id)
    }

    private mutating func addToFirstRow(_ field: CSVReader.Field) throws {
        let path = self.path
        func invalid(_ problem: String) -> DatasetError { .invalid(file: path, line: field.line, problem: problem) }
        guard field.column < Self.maxColumns else { throw invalid("more than \(Self.maxColumns) columns") }
        firstRow.append(field)
        guard field.endsRow else { return }
        let row = firstRow
        firstRow = []
        rowStart = field.end
        if row.count == 1 && row[0].bytes.isEmpty && !row[0].isQuoted { return }  // a blank line
        guard row.count >= 2 else { throw invalid("found 1 column; need comma-separated features followed by a label") }

        let indexed = row[0].bytes.isEmpty
        let featureNames = row.dropFirst(indexed ? 1 : 0).dropLast().map(\.bytes)
        let isHeader = featureNames.allSatisfy { CSVNumber.Shape($0) == nil }
            || featureNames.elementsEqual((0..<featureNames.count).map { Array(String($0).utf8) })
        hasIndex = isHeader && indexed
        guard row.count - (hasIndex ? 2 : 1) >= 1 else { throw invalid("no feature columns between the index column and the label") }
        width = row.count
        if !isHeader {
            rowStart = 0
            for field in row { try add(field) }
        }
    }
}
