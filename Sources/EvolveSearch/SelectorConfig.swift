import EvolveSupport
import Foundation

/// The selectors evolve has, by the name `selector: {name: …}` uses.
public enum SelectorKind: String, Sendable, CaseIterable {
    case hgm, novelty, dgm, greedy, random
    case mapElites = "map-elites"
}

/// `selector: {name: hgm, k: 5, beta: 1.0, islands: {count: 4, migration_interval: 10, migration_rate: 0.1}}`
/// or `selector: {name: map-elites, features: [{name: code_size, bins: 8}, {name: diversity, bins: 8}]}`.
public struct SelectorConfig: Codable, Sendable, Equatable {
    public static let names = SelectorKind.allCases.map(\.rawValue)
    /// The default, chosen on the landscapes of scripts/bench-landscape.sh (docs/benchmarks.md).
    public static let defaultName = SelectorKind.greedy.rawValue
    public var name: String
    /// Neighbours for novelty.
    public var k: Int
    /// Weight of novelty against the DGM weight.
    public var beta: Double
    /// Islands around the selector (none when nil).
    public var islands: IslandConfig?
    /// MAP-Elites feature dimensions.
    public var features: [FeatureConfig]?

    public init(
        name: String = SelectorConfig.defaultName, k: Int = 5, beta: Double = 1.0,
        islands: IslandConfig? = nil, features: [FeatureConfig]? = nil
    ) {
        self.name = name
        self.k = k
        self.beta = beta
        self.islands = islands
        self.features = features
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name, k, beta, islands, features
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? Self.defaultName
        k = try c.decodeIfPresent(Int.self, forKey: .k) ?? 5
        beta = try c.decodeIfPresent(Double.self, forKey: .beta) ?? 1.0
        islands = try c.decodeIfPresent(IslandConfig.self, forKey: .islands)
        features = try c.decodeIfPresent([FeatureConfig].self, forKey: .features)
    }

    public func validate() throws {
        func bad(_ why: String) -> EvolveError { EvolveError(.config, "'selector' \(why)") }
        if let i = islands {
            if i.count < 2 { throw bad("islands.count must be at least 2") }
            if i.migrationInterval < 1 { throw bad("islands.migration_interval must be at least 1 generation") }
            if !(i.migrationRate >= 0 && i.migrationRate <= 1) {
                throw bad("islands.migration_rate must be between 0 and 1")
            }
        }
        if features != nil && name != SelectorKind.mapElites.rawValue { throw bad("features are for name: map-elites") }
        for f in features ?? [] {
            if f.name.isEmpty { throw bad("features need a name (code_size, diversity, score or a metric)") }
            if f.bins < 1 || f.bins > 1000 { throw bad("features.\(f.name).bins must be between 1 and 1000") }
            for bound in [f.min, f.max].compactMap({ $0 }) where !bound.isFinite {
                throw bad("features.\(f.name) bounds must be finite numbers")
            }
            if let lo = f.min, let hi = f.max, lo >= hi { throw bad("features.\(f.name).min must be below max") }
        }
    }
}

/// `islands: {count: 4, migration_interval: 10, migration_rate: 0.1}`.
public struct IslandConfig: Codable, Sendable, Equatable {
    public var count: Int
    public var migrationInterval: Int
    public var migrationRate: Double

    public init(count: Int = 4, migrationInterval: Int = 10, migrationRate: Double = 0.1) {
        self.count = count
        self.migrationInterval = migrationInterval
        self.migrationRate = migrationRate
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case count
        case migrationInterval = "migration_interval"
        case migrationRate = "migration_rate"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 4
        migrationInterval = try c.decodeIfPresent(Int.self, forKey: .migrationInterval) ?? 10
        migrationRate = try c.decodeIfPresent(Double.self, forKey: .migrationRate) ?? 0.1
    }
}

/// One MAP-Elites feature: `{name: code_size, bins: 8, min: 0, max: 400}` (bounds optional).
public struct FeatureConfig: Codable, Sendable, Equatable {
    public var name: String
    public var bins: Int
    public var min: Double?
    public var max: Double?

    public init(name: String, bins: Int = 8, min: Double? = nil, max: Double? = nil) {
        self.name = name
        self.bins = bins
        self.min = min
        self.max = max
    }

    public enum CodingKeys: String, CodingKey, CaseIterable { case name, bins, min, max }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        bins = try c.decodeIfPresent(Int.self, forKey: .bins) ?? 8
        min = try c.decodeIfPresent(Double.self, forKey: .min)
        max = try c.decodeIfPresent(Double.self, forKey: .max)
    }
}
