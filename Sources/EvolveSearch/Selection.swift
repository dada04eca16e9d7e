import EvolveArchive
import EvolveSupport
import Foundation

/// What a selector knows about one variant that may become a parent.
public struct Candidate: Sendable, Equatable {
    public var id: VariantID
    /// Fraction of tasks passed, 0…1.
    public var score: Double
    /// Children already made from it (valid or not).
    public var children: Int
    /// Pass (true) or not, per task of the search's suites, in a fixed task order.
    public var outcomes: [Bool]
    /// Passed and failed task evaluations pooled over its clade: itself and all its descendants (HGM).
    public var cladePasses: Int
    public var cladeFails: Int
    /// Its first parent (nil for a seed).
    public var parent: VariantID?
    /// The generation and child slot that made it (0 and nil for a seed): islands deal slots to islands.
    public var generation: Int
    public var slot: Int?
    /// Lines of source in its tree, when a selector asked for it (MAP-Elites' `code_size`).
    public var codeSize: Int?
    /// Named numeric features (metrics) a selector may bin on. The hook for metrics read from checks: a
    /// name here is usable as a MAP-Elites feature as it stands.
    public var features: [String: Double]

    public init(
        id: VariantID, score: Double, children: Int = 0, outcomes: [Bool] = [], cladePasses: Int = 0,
        cladeFails: Int = 0, parent: VariantID? = nil, generation: Int = 0, slot: Int? = nil,
        codeSize: Int? = nil, features: [String: Double] = [:]
    ) {
        self.id = id
        self.score = score
        self.children = children
        self.outcomes = outcomes
        self.cladePasses = cladePasses
        self.cladeFails = cladeFails
        self.parent = parent
        self.generation = generation
        self.slot = slot
        self.codeSize = codeSize
        self.features = features
    }
}

/// Where in the search a draw happens: the generation being planned and the child slots drawn for.
/// Selectors that ignore it (all but islands) draw the same with or without it.
public struct SelectionContext: Sendable, Equatable {
    /// The generation being planned (1 for the first).
    public var generation: Int
    /// The slot of the first parent drawn; the i-th parent of a draw is for slot `firstSlot + i`.
    public var firstSlot: Int
    /// Children per generation (slots per generation).
    public var childrenPerGeneration: Int

    public init(generation: Int, firstSlot: Int = 0, childrenPerGeneration: Int) {
        self.generation = generation
        self.firstSlot = firstSlot
        self.childrenPerGeneration = max(1, childrenPerGeneration)
    }
}

/// Picks parents from the archive's evaluated variants. Every selector is seeded: the same candidates and
/// generator state give the same parents.
public protocol ParentSelector: Sendable {
    var name: String { get }
    /// Draws `count` parents (with replacement).
    func select(_ candidates: [Candidate], count: Int, rng: inout SeededGenerator) -> [VariantID]
    /// Draws `count` parents for the slots `context` names. By default the same as the draw without context.
    func select(_ candidates: [Candidate], count: Int, context: SelectionContext, rng: inout SeededGenerator)
        -> [VariantID]
    /// What `Candidates.build` must fill in for this selector beyond the basics.
    var needsCodeSize: Bool { get }
}

extension ParentSelector {
    public func select(_ candidates: [Candidate], count: Int, context: SelectionContext, rng: inout SeededGenerator)
        -> [VariantID]
    {
        select(candidates, count: count, rng: &rng)
    }

    public var needsCodeSize: Bool { false }
}

/// Selectors whose draw is a fixed distribution over candidates; `probabilities` is that distribution.
/// In a search, DGM, greedy and random draw from their `SelectionIndex` in the candidate pool instead of a
/// list (the same distribution, without weighing every candidate per draw).
public protocol WeightedSelector: ParentSelector {
    func weights(_ candidates: [Candidate]) -> [Double]
}

extension WeightedSelector {
    public func select(_ candidates: [Candidate], count: Int, rng: inout SeededGenerator) -> [VariantID] {
        guard !candidates.isEmpty else { return [] }
        let w = weights(candidates)
        return (0..<count).map { _ in candidates[rng.weightedIndex(w)].id }
    }

    /// The probability of drawing each candidate.
    public func probabilities(_ candidates: [Candidate]) -> [Double] {
        let w = weights(candidates)
        let total = w.reduce(0, +)
        return total > 0 ? w.map { $0 / total } : w.map { _ in 1 / Double(w.count) }
    }
}

// MARK: - The selectors

/// DGM's score_child_prop: w = sigmoid(10·(score − 0.5)) / (1 + children).
public struct DGMSelector: WeightedSelector {
    public let name = SelectorKind.dgm.rawValue
    public init() {}

    public static func weight(_ c: Candidate) -> Double {
        1 / (1 + exp(-10 * (c.score - 0.5))) / Double(1 + c.children)
    }

    public func weights(_ candidates: [Candidate]) -> [Double] { candidates.map(Self.weight) }
}

/// DGM weight × (1 + β·novelty); novelty is the mean Hamming distance (as a fraction of tasks) from a
/// variant's outcome vector to its k nearest neighbours among the candidates.
public struct NoveltySelector: WeightedSelector {
    public let name = SelectorKind.novelty.rawValue
    public var k: Int
    public var beta: Double

    public init(k: Int = 5, beta: Double = 1.0) {
        self.k = k
        self.beta = beta
    }

    public func weights(_ candidates: [Candidate]) -> [Double] {
        let novelty = Novelty.scores(candidates.map(\.outcomes), k: k)
        return zip(candidates, novelty).map { DGMSelector.weight($0) * (1 + beta * $1) }
    }
}

/// HGM: Thompson sampling on clade-pooled pass/fail counts. Each draw samples θ ~ Beta(1 + passes,
/// 1 + fails) for every candidate's clade and takes the largest. A search draws the same distribution from
/// its `CandidatePool`'s index (`CladeGroups`), which does not sample every candidate.
public struct HGMSelector: ParentSelector {
    public let name = SelectorKind.hgm.rawValue
    public init() {}

    public func select(_ candidates: [Candidate], count: Int, rng: inout SeededGenerator) -> [VariantID] {
        guard !candidates.isEmpty else { return [] }
        return (0..<count).map { _ in
            var best = 0
            var bestTheta = -1.0
            for (i, c) in candidates.enumerated() {
                let theta = rng.beta(1 + Double(c.cladePasses), 1 + Double(c.cladeFails))
                if theta > bestTheta {
                    bestTheta = theta
                    best = i
                }
            }
            return candidates[best].id
        }
    }
}

/// The best so far (SICA): the highest score, ties to the newest.
public struct GreedySelector: WeightedSelector {
    public let name = SelectorKind.greedy.rawValue
    public init() {}

    public func weights(_ candidates: [Candidate]) -> [Double] {
        guard let best = candidates.max(by: { ($0.score, $0.id) < ($1.score, $1.id) }) else { return [] }
        return candidates.map { $0.id == best.id ? 1 : 0 }
    }
}

/// Uniform over the candidates.
public struct RandomSelector: WeightedSelector {
    public let name = SelectorKind.random.rawValue
    public init() {}
    public func weights(_ candidates: [Candidate]) -> [Double] { candidates.map { _ in 1 } }
}

/// The plain selector a name stands for (no islands; MAP-Elites with its default features).
public func makeSelector(name: String, k: Int, beta: Double) throws -> any ParentSelector {
    switch SelectorKind(rawValue: name) {
    case .dgm: return DGMSelector()
    case .novelty: return NoveltySelector(k: k, beta: beta)
    case .hgm: return HGMSelector()
    case .greedy: return GreedySelector()
    case .random: return RandomSelector()
    case .mapElites: return MapElitesSelector(features: MapElitesSelector.defaultFeatures)
    case nil:
        throw EvolveError(
            .config, "the selector '\(name)' is unknown",
            hint: "use hgm, novelty, dgm, greedy, random or map-elites")
    }
}

/// The selector a run configuration describes: the named one, with MAP-Elites' features, inside islands
/// when `islands:` is given.
public func makeSelector(_ config: SelectorConfig) throws -> any ParentSelector {
    var selector = try makeSelector(name: config.name, k: config.k, beta: config.beta)
    if config.name == SelectorKind.mapElites.rawValue, let features = config.features {
        selector = MapElitesSelector(
            features: features.map {
                FeatureDimension(name: $0.name, bins: $0.bins, min: $0.min, max: $0.max)
            })
    }
    if let islands = config.islands {
        selector = IslandSelector(
            inner: selector,
            settings: IslandSettings(
                count: islands.count, migrationInterval: islands.migrationInterval,
                migrationRate: islands.migrationRate))
    }
    return selector
}

// MARK: - Novelty

/// Behavioural novelty on per-task outcome vectors, with bit-packed Hamming distances.
public enum Novelty {
    /// At most this many reference vectors are compared with each candidate (evenly spaced through the
    /// archive), so a selection step stays linear in the archive's size.
    public static let maxReferences = 2000

    /// For each vector, the mean normalised Hamming distance to its `k` nearest other vectors (0…1), among
    /// all vectors or, in a larger archive, among `maxReferences` evenly spaced ones.
    /// With one vector or none, novelty is 0.
    /// Outcome vectors as bits, 64 tasks a word, for Hamming distances by popcount.
    static func packed(_ vectors: [[Bool]], length: Int) -> [[UInt64]] {
        let words = (length + 63) / 64
        return vectors.map { v in
            var bits = [UInt64](repeating: 0, count: words)
            for (i, pass) in v.enumerated() where pass { bits[i / 64] |= 1 << UInt64(i % 64) }
            return bits
        }
    }

    public static func scores(_ vectors: [[Bool]], k: Int) -> [Double] {
        let n = vectors.count
        guard n > 1, k > 0 else { return Array(repeating: 0, count: n) }
        let length = vectors.map(\.count).max() ?? 0
        guard length > 0 else { return Array(repeating: 0, count: n) }
        let packed = packed(vectors, length: length)
        let references: [Int] =
            n <= maxReferences
            ? Array(0..<n) : (0..<maxReferences).map { $0 * n / maxReferences }
        let neighbours = min(k, references.count - 1)
        var result = [Double](repeating: 0, count: n)
        var nearest = [Int](repeating: 0, count: neighbours)  // the k smallest distances, ascending
        for i in 0..<n {
            var filled = 0
            for j in references where j != i {
                var d = 0
                for w in packed[i].indices { d += (packed[i][w] ^ packed[j][w]).nonzeroBitCount }
                if filled < neighbours {
                    var p = filled
                    while p > 0 && nearest[p - 1] > d {
                        nearest[p] = nearest[p - 1]
                        p -= 1
                    }
                    nearest[p] = d
                    filled += 1
                } else if d < nearest[neighbours - 1] {
                    var p = neighbours - 1
                    while p > 0 && nearest[p - 1] > d {
                        nearest[p] = nearest[p - 1]
                        p -= 1
                    }
                    nearest[p] = d
                }
            }
            let sum = nearest.prefix(filled).reduce(0, +)
            result[i] = Double(sum) / Double(max(filled, 1)) / Double(length)
        }
        return result
    }
}
