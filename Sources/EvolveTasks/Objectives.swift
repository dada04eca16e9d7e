import EvolveSupport
import Foundation

/// One thing a search optimises: a named value to maximise or minimise, its weight in the aggregate score,
/// and optional bounds that normalise it to 0…1 (values outside are clamped).
public struct Objective: Sendable, Equatable {
    public enum Direction: String, Sendable, Equatable {
        case maximize, minimize
    }

    public var name: String
    public var direction: Direction
    public var weight: Double
    public var bounds: ClosedRange<Double>?

    public init(
        name: String, direction: Direction = .maximize, weight: Double = 1,
        bounds: ClosedRange<Double>? = nil
    ) {
        self.name = name
        self.direction = direction
        self.weight = weight
        self.bounds = bounds
    }

    /// The value turned into "higher is better": with bounds, 0…1 (1 = the best bound); without, the value
    /// itself (maximise) or its negation (minimise).
    public func utility(_ value: Double) -> Double {
        guard let bounds, bounds.upperBound > bounds.lowerBound else {
            return direction == .maximize ? value : -value
        }
        let x = min(max((value - bounds.lowerBound) / (bounds.upperBound - bounds.lowerBound), 0), 1)
        return direction == .maximize ? x : 1 - x
    }
}

/// Aggregation of objectives into one score, and Pareto fronts over them.
public enum Objectives {
    /// Checks that a set of objectives can be used: named, distinct names, finite non-negative weights that
    /// are not all 0, finite bounds.
    public static func validate(_ objectives: [Objective]) throws {
        guard !objectives.isEmpty else {
            throw EvolveError(.config, "no objective is declared", hint: "declare at least one, e.g. pass_rate")
        }
        var seen: Set<String> = []
        for o in objectives {
            if o.name.isEmpty || !seen.insert(o.name).inserted {
                throw EvolveError(.config, "the objective name '\(o.name)' is empty or used twice")
            }
            if !o.weight.isFinite || o.weight < 0 {
                throw EvolveError(
                    .config, "the objective \(o.name) has weight \(o.weight)",
                    hint: "a weight is a finite number ≥ 0")
            }
            if let b = o.bounds, !b.lowerBound.isFinite || !b.upperBound.isFinite {
                throw EvolveError(.config, "the objective \(o.name) has bounds that are not finite numbers")
            }
        }
        if objectives.allSatisfy({ $0.weight == 0 }) {
            throw EvolveError(.config, "every objective has weight 0", hint: "give at least one a positive weight")
        }
    }

    /// The weighted mean of the objectives' utilities: one score (0…1 when every objective has bounds).
    /// A missing, NaN or infinite value is an error, never a silent 0 or a silent win.
    public static func aggregate(_ values: [String: Double], _ objectives: [Objective]) throws -> Double {
        try validate(objectives)
        var sum = 0.0
        var weights = 0.0
        for o in objectives {
            sum += o.weight * o.utility(try value(o, in: values))
            weights += o.weight
        }
        return sum / weights
    }

    /// The indices of the non-dominated points: no other point is at least as good on every objective and
    /// better on one. Equal points do not dominate each other, so all of them stay on the front.
    public static func paretoFront(_ points: [[String: Double]], _ objectives: [Objective]) throws -> [Int] {
        let ranks = try paretoRanks(points, objectives)
        return ranks.indices.filter { ranks[$0] == 0 }
    }

    /// Non-dominated sorting: 0 for the front, 1 for the front once it is removed, and so on. With one
    /// objective this is the rank of the value's distinct levels, best first.
    public static func paretoRanks(_ points: [[String: Double]], _ objectives: [Objective]) throws -> [Int] {
        try validate(objectives)
        let utilities = try points.map { p in try objectives.map { $0.utility(try value($0, in: p)) } }
        func dominates(_ a: [Double], _ b: [Double]) -> Bool {
            var better = false
            for (x, y) in zip(a, b) {
                if x < y { return false }
                if x > y { better = true }
            }
            return better
        }
        var rank = [Int](repeating: -1, count: points.count)
        var remaining = Array(points.indices)
        var level = 0
        while !remaining.isEmpty {
            let front = remaining.filter { i in !remaining.contains { j in dominates(utilities[j], utilities[i]) } }
            for i in front { rank[i] = level }
            remaining.removeAll { rank[$0] >= 0 }
            level += 1
        }
        return rank
    }

    private static func value(_ o: Objective, in values: [String: Double]) throws -> Double {
        guard let v = values[o.name] else {
            throw EvolveError(
                .invalidInput, "the value of the objective \(o.name) is missing",
                hint: "every point needs a value for every objective")
        }
        guard v.isFinite else {
            throw EvolveError(
                .invalidInput, "the objective \(o.name) has the value \(v), which is not a finite number",
                hint: "a check that reports NaN or infinity is refused rather than scored")
        }
        return v
    }
}
