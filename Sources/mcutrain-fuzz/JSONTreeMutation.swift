import Foundation
import MCUTrain

/// Mutations that keep a JSON file valid JSON: byte-level ones mostly stop at the syntax check,
/// these reach the decoding, validation, graph and calibration behind it. The document is
/// parsed, one value in it changed, and written back with sorted keys: dictionary order
/// changes from process to process, and a saved input must be the one the worker ran.
enum JSONTreeMutation {
    static func apply(_ bytes: inout [UInt8], dictionary: [[UInt8]], _ rng: inout SplitMix64) -> Bool {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return false }
        var values: [Any] = []
        collect(root, into: &values)
        let donor = values[rng.next(below: values.count)]
        var target = rng.next(below: values.count)
        let mutated = rewrite(root, target: &target, donor: donor, dictionary: dictionary, &rng)
        guard let data = try? JSONSerialization.data(withJSONObject: mutated, options: [.fragmentsAllowed, .prettyPrinted, .sortedKeys]) else { return false }
        bytes = Array(data)
        return true
    }

    private static func collect(_ value: Any, into values: inout [Any]) {
        values.append(value)
        if let object = value as? [String: Any] { for key in object.keys.sorted() { collect(object[key]!, into: &values) } }
        if let array = value as? [Any] { for element in array { collect(element, into: &values) } }
    }

    /// The tree with its `target`-th value (in `collect`'s order) changed.
    private static func rewrite(_ value: Any, target: inout Int, donor: Any, dictionary: [[UInt8]], _ rng: inout SplitMix64) -> Any {
        if target == 0 {
            target = -1
            return changed(value, donor: donor, dictionary: dictionary, &rng)
        }
        target -= 1
        if let object = value as? [String: Any] {
            var result = object
            for key in object.keys.sorted() where target >= 0 { result[key] = rewrite(object[key]!, target: &target, donor: donor, dictionary: dictionary, &rng) }
            return result
        }
        if let array = value as? [Any] {
            return array.map { target >= 0 ? rewrite($0, target: &target, donor: donor, dictionary: dictionary, &rng) : $0 }
        }
        return value
    }

    /// Mostly a value of the same kind (a number for a number, a known word for a string, an
    /// element or member more or fewer), sometimes any other value of the document.
    private static func changed(_ value: Any, donor: Any, dictionary: [[UInt8]], _ rng: inout SplitMix64) -> Any {
        func word() -> String { String(decoding: dictionary[rng.next(below: dictionary.count)], as: UTF8.self) }
        guard rng.next(below: 5) > 0 else { return donor }
        if var object = value as? [String: Any] {
            let keys = object.keys.sorted()
            if !keys.isEmpty, rng.next(below: 2) == 0 { object[keys[rng.next(below: keys.count)]] = nil } else { object[word()] = donor }
            return object
        }
        if var array = value as? [Any] {
            switch (array.isEmpty, rng.next(below: 3)) {
            case (false, 0): array.remove(at: rng.next(below: array.count))
            case (false, 1): array.insert(array[rng.next(below: array.count)], at: rng.next(below: array.count + 1))
            default: array.append(donor)
            }
            return array
        }
        if value is String { return word() }
        return plausibleNumbers[rng.next(below: plausibleNumbers.count)]
    }

    /// Numbers a model or board file might hold, and the edges just past them.
    static let plausibleNumbers: [Any] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 32, 64, 100, 127, 128, 255, 256, 1000, 1024,
                                          4096, 8192, 65536, 1 << 20, -1, -8, 0.5, 1.5, 2147483647, 4294967295, 4294967296, 0x2000_0000, 0xE000_0000]
}
