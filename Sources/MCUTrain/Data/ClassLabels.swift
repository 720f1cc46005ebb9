/// Numbers a CSV file's labels as classes. Labels that are all integers 0...255 are the class
/// numbers themselves, as they always were; any other labels (names, negative or decimal
/// numbers) are sorted, numerically when every one is a number, and numbered from 0 in that
/// order, so the same labels always mean the same outputs whatever order the rows come in.
struct ClassLabels {
    static let maxClasses = 256
    static let maxLabelBytes = 64

    private var idByText: [[UInt8]: UInt8] = [:]
    private var texts: [[UInt8]] = []

    /// A provisional number for the label (its order of first appearance), or nil when it would
    /// be the 257th distinct one.
    mutating func id(of text: [UInt8]) -> UInt8? {
        if let id = idByText[text] { return id }
        guard texts.count < Self.maxClasses else { return nil }
        let id = UInt8(texts.count)
        idByText[text] = id
        texts.append(text)
        return id
    }

    /// The class of each provisional number, the class count, and the label of each class when
    /// the labels had to be mapped.
    func classes() -> (classOf: [UInt8], count: Int, names: [String]?) {
        let numbers = texts.map { CSVNumber.parse($0) }
        let bytes = numbers.compactMap { number -> UInt8? in if case .success(.byte(let b)) = number { return b } else { return nil } }
        if bytes.count == texts.count, let largest = bytes.max() { return (bytes, Int(largest) + 1, nil) }

        let values = numbers.map { number -> Double? in
            switch number {
            case .success(.byte(let b)): return Double(b)
            case .success(.float(let f)): return Double(f)
            case .failure: return nil
            }
        }
        let numeric = values.allSatisfy { $0 != nil }
        let order = texts.indices.sorted { a, b in
            if numeric, values[a]! != values[b]! { return values[a]! < values[b]! }
            return texts[a].lexicographicallyPrecedes(texts[b])
        }
        var classOf = [UInt8](repeating: 0, count: texts.count)
        for (rank, id) in order.enumerated() { classOf[id] = UInt8(rank) }
        return (classOf, texts.count, order.map { String(decoding: texts[$0], as: UTF8.self) })
    }
}
