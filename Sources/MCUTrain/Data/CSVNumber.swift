import Foundation

/// A feature value as written in a CSV file. Integers 0...255 stay bytes, so an integer file
/// reaches the device exactly as written; anything else is a Float32, the precision the scaling
/// to bytes needs and half the memory of a Double.
enum CSVNumber: Equatable {
    case byte(UInt8)
    case float(Float)

    /// The value, or why the text is not one, in words that follow "column N: ".
    static func parse(_ bytes: [UInt8]) -> Result<CSVNumber, Problem> {
        guard !bytes.isEmpty else { return .failure(.init("empty")) }
        guard let shape = Shape(bytes) else {
            let text = String(decoding: bytes, as: UTF8.self)
            let word = text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-"))
            return .failure(.init(["inf", "infinity", "nan"].contains(word) ? "\(Quoted(text)) is not a finite number" : "\(Quoted(text)) is not a number"))
        }
        if shape == .integer, let byte = byteValue(bytes) { return .success(.byte(byte)) }
        // The grammar was checked above, so strtod sees no hex, inf, nan or locale forms.
        let text = String(decoding: bytes, as: UTF8.self)
        let value = Float(strtod(text, nil))
        guard value.isFinite else { return .failure(.init("\(text) is out of range for a 32-bit float")) }
        return .success(.float(value))
    }

    /// An integer's value when it is 0...255 ("-0" and "007" included), without making a String.
    private static func byteValue(_ bytes: [UInt8]) -> UInt8? {
        var value = 0
        for byte in bytes.drop(while: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            if value > 255 { return nil }
        }
        return bytes.first == UInt8(ascii: "-") && value != 0 ? nil : UInt8(value)
    }

    struct Problem: Error, Equatable {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// Decimal numbers as pandas, spreadsheets and printf write them: an optional sign, digits
    /// with an optional fraction, an optional exponent.
    enum Shape {
        case integer, decimal

        init?(_ bytes: [UInt8]) {
            var i = 0
            func digits() -> Int {
                let start = i
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
                return i - start
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            var mantissa = digits()
            var isInteger = true
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                mantissa += digits()
                isInteger = false
            }
            guard mantissa > 0 else { return nil }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return nil }
                isInteger = false
            }
            guard i == bytes.count else { return nil }
            self = isInteger ? .integer : .decimal
        }
    }
}
