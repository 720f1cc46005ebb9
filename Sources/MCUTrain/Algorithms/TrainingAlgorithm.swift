/// Which backward pass the firmware runs (REFERENCE §5): every output error (full), a fixed
/// top-k of each layer's output error (meProp), an adaptive top-k per layer and sample
/// (TinyProp), or TinyProp behind a per-sample decision to backpropagate at all (TinyPropv2).
/// The layers' kernels never know which: an algorithm only zeroes the output errors it drops,
/// and the kernels skip zero rows and channels.
public struct TrainingAlgorithm: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Sendable { case full, meprop, tinyprop, tinypropv2 }

    public struct Parameter: Sendable {
        public let name: String
        public let defaultValue: Double
        public let range: ClosedRange<Double>
        public let meaning: String
    }

    public let kind: Kind
    /// Every parameter of `kind`, defaults filled in.
    public let values: [String: Double]

    public static let full = TrainingAlgorithm(kind: .full, values: [:])

    private init(kind: Kind, values: [String: Double]) { self.kind = kind; self.values = values }

    /// Checks each override against the kind's parameters; an error names the parameter.
    public init(_ kind: Kind, overrides: [String: Double] = [:]) throws {
        let known = Self.parameters(of: kind)
        var values = Dictionary(uniqueKeysWithValues: known.map { ($0.name, $0.defaultValue) })
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let p = known.first(where: { $0.name == name }) else {
                let list = known.isEmpty ? "none" : known.map(\.name).joined(separator: ", ")
                throw ConfigError("parameter \(Quoted(name)): \(kind.rawValue) has no such parameter (it has: \(list))")
            }
            guard p.range.contains(value) else {
                throw ConfigError("parameter '\(name)' = \(value) is out of range (\(p.range.lowerBound)...\(p.range.upperBound))")
            }
            values[name] = value
        }
        if let v = values["sparse_output"], v != 0, v != 1 { throw ConfigError("parameter 'sparse_output' must be 0 or 1, got \(v)") }
        if let lo = values["s_min"], let hi = values["s_max"], lo > hi { throw ConfigError("parameter 's_min' (\(lo)) exceeds 's_max' (\(hi))") }
        if let lo = values["d_min"], let hi = values["d_max"], lo > hi { throw ConfigError("parameter 'd_min' (\(lo)) exceeds 'd_max' (\(hi))") }
        self.init(kind: kind, values: values)
    }

    /// The parameters and their defaults: TinyProp's from the authors' MNIST MLP (which thins the
    /// output layer too), TinyPropv2's decision metric as REFERENCE §5 infers it. meProp thins
    /// hidden layers only by default: on the digits MLP, keeping 3 of 10 output errors costs 15
    /// points (81.9 % against 96.9 % with hidden layers only, 10 epochs).
    public static func parameters(of kind: Kind) -> [Parameter] {
        func sparseOutput(_ on: Bool) -> Parameter {
            Parameter(name: "sparse_output", defaultValue: on ? 1 : 0, range: 0...1, meaning: "1: the logits layer keeps only its top-k errors too")
        }
        let tinyprop = [
            Parameter(name: "s_min", defaultValue: 0.1, range: 0...1, meaning: "smallest share of a layer's outputs kept"),
            Parameter(name: "s_max", defaultValue: 0.9, range: 0...1, meaning: "largest share, at the layer's largest error so far"),
            Parameter(name: "zeta", defaultValue: 0.5, range: 0.001...1, meaning: "damping per layer between a layer and the output"),
        ]
        switch kind {
        case .full: return []
        case .meprop:
            return [Parameter(name: "ratio", defaultValue: 0.25, range: 0.001...1, meaning: "share of each layer's outputs kept"), sparseOutput(false)]
        case .tinyprop: return tinyprop + [sparseOutput(true)]
        case .tinypropv2:
            return tinyprop + [sparseOutput(true),
                Parameter(name: "d_min", defaultValue: 0, range: 0...1, meaning: "decision metric at zero output error"),
                Parameter(name: "d_max", defaultValue: 1, range: 0...1, meaning: "decision metric at the largest output error so far"),
                Parameter(name: "beta", defaultValue: 1, range: 0.001...2, meaning: "scale of the decision metric"),
                Parameter(name: "threshold", defaultValue: 0.5, range: 0...2, meaning: "a sample backpropagates when its metric exceeds this"),
            ]
        }
    }

    /// A parameter in Q15, as the firmware holds it (rounded to the nearest 1/32768).
    func q15(_ name: String) -> Int32 { Int32((values[name]! * 32768).rounded()) }

    /// Whether the backward pass keeps a subset of each layer's output errors.
    var selects: Bool { kind != .full }
    var adaptive: Bool { kind == .tinyprop || kind == .tinypropv2 }
    var skipsSamples: Bool { kind == .tinypropv2 }

    /// "tinyprop (s_min 0.1, s_max 0.9, zeta 0.5)"
    public var description: String {
        let ps = Self.parameters(of: kind).map { "\($0.name) \(Self.format(values[$0.name]!))" }
        return ps.isEmpty ? kind.rawValue : "\(kind.rawValue) (\(ps.joined(separator: ", ")))"
    }

    static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    /// `--algorithm` and `--param NAME=VALUE` over the model file's `algorithm` section: the
    /// file's parameters apply only when it names the same algorithm.
    public static func resolve(name: String?, params: [String], file: ModelSpec.AlgorithmSpec?) throws -> TrainingAlgorithm {
        let chosen = name ?? file?.name ?? Kind.full.rawValue
        guard let kind = Kind(rawValue: chosen) else {
            throw ConfigError("algorithm \(Quoted(chosen)) must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var overrides = file?.name == chosen ? file?.params ?? [:] : [:]
        for p in params {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite else {
                throw ConfigError("--param \(Quoted(p)) must be NAME=NUMBER")
            }
            overrides[parts[0]] = value
        }
        return try TrainingAlgorithm(kind, overrides: overrides)
    }

    /// A variant as `algorithms` and `compare` take it: `NAME` or `NAME:P=V,P=V`, over the
    /// `shared` assignments that name one of its parameters.
    public static func variant(_ text: String, shared: [String] = []) throws -> TrainingAlgorithm {
        let name = String(text.prefix { $0 != ":" })
        let own = text.contains(":") ? text.drop { $0 != ":" }.dropFirst().split(separator: ",").map(String.init) : []
        let names = Set(Kind(rawValue: name).map { parameters(of: $0).map(\.name) } ?? [])
        return try resolve(name: name, params: shared.filter { names.contains(parameterName($0)) } + own, file: nil)
    }

    /// "zeta" of "zeta=0.7".
    public static func parameterName(_ assignment: String) -> String { String(assignment.prefix { $0 != "=" }) }
}
