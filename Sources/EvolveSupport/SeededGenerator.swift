/// A small, fast, seeded random generator (SplitMix64). Every random choice of a search draws from one
/// of these, seeded from the run's seed and what is being decided, so a run is reproducible and a resumed
/// run makes the same choices.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one decision: the run's seed mixed with labels (generation, slot, purpose).
    public init(seed: UInt64, _ labels: UInt64...) {
        var mixed = seed ^ 0x5851_F42D_4C95_7F2D
        for label in labels {
            var g = SeededGenerator(seed: mixed ^ label &* 0x9E37_79B9_7F4A_7C15)
            mixed = g.next()
        }
        state = mixed
    }

    /// One derived number: the run's seed mixed with labels (a child operator's own seed, say).
    public static func derive(_ seed: UInt64, _ labels: UInt64...) -> UInt64 {
        var g = SeededGenerator(seed: seed)
        for label in labels { g = SeededGenerator(seed: g.next() ^ label &* 0x9E37_79B9_7F4A_7C15) }
        return g.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal number (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), .leastNonzeroMagnitude)
        let u2 = unit()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }

    /// A Gamma(shape, 1) number (Marsaglia–Tsang; shape < 1 boosted).
    public mutating func gamma(_ shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape + 1) * _pow(max(unit(), .leastNonzeroMagnitude), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if _log(u) < 0.5 * x * x + d * (1 - v + _log(v)) { return d * v }
        }
    }

    /// A Beta(a, b) number.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(a)
        let y = gamma(b)
        return x / (x + y)
    }

    /// An index drawn with probability proportional to `weights` (all ≥ 0, not all 0).
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return Int(next() % UInt64(max(weights.count, 1))) }
        var target = unit() * total
        for (i, w) in weights.enumerated() {
            target -= w
            if target < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}

#if canImport(Glibc)
    import Glibc
    @inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
    import Darwin
    @inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
    @inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
    @inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
