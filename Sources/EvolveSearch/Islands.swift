import EvolveArchive
import EvolveSupport
import Foundation

/// `islands: {count: 4, migration_interval: 10, migration_rate: 0.1}`.
public struct IslandSettings: Sendable, Equatable {
    public var count: Int
    /// Every this many generations, migrants are copied to the next island.
    public var migrationInterval: Int
    /// The best fraction of each island (at least one variant when above 0) that migrates.
    public var migrationRate: Double

    public init(count: Int = 4, migrationInterval: Int = 10, migrationRate: Double = 0.1) {
        self.count = max(1, count)
        self.migrationInterval = max(1, migrationInterval)
        self.migrationRate = min(1, max(0, migrationRate))
    }
}

/// Variants copied (as members) from one island to the next after a generation.
public struct Migration: Sendable, Equatable, CustomStringConvertible {
    public var afterGeneration: Int
    public var from: Int
    public var to: Int
    public var variants: [VariantID]

    public var description: String {
        "island \(from) → \(to): " + variants.map(\.description).joined(separator: " ")
    }
}

/// Island membership, derived from the archive alone (never from memory), so a resumed search rebuilds
/// exactly the islands it had:
///
/// - Seeds (variants without a generation slot): the j-th goes to island j mod count; with fewer seeds
///   than islands, island i holds seed i mod (number of seeds), so every island starts from a seed.
/// - Child slots are dealt to islands round-robin: slot s of generation g is for island
///   ((g − 1)·children + s) mod count. Its parents are drawn from that island, and the child lives there.
/// - After every `migrationInterval`-th generation, the best `migrationRate` of each island (by score, ties
///   to the older; at least one) are copied to the next island of the ring, from a snapshot taken before
///   any copy of that round.
public struct IslandMap: Sendable, Equatable {
    /// Member ids per island, ascending.
    public var members: [[VariantID]]
    /// Every migration so far, in order.
    public var migrations: [Migration]

    /// The island a child slot draws from and lives on.
    public static func island(generation: Int, slot: Int, childrenPerGeneration: Int, count: Int) -> Int {
        let n = max(1, count)
        // Wrapping arithmetic: a damaged index with absurd numbers still lands on an island.
        let index = (max(1, generation) - 1) &* max(1, childrenPerGeneration) &+ max(0, slot)
        return ((index % n) + n) % n
    }

    /// The islands as they stand when `generation` is planned: every candidate placed, and the migrations
    /// after generations before it applied.
    public static func build(
        _ candidates: [Candidate], settings: IslandSettings, childrenPerGeneration: Int,
        planning generation: Int
    ) -> IslandMap {
        let n = settings.count
        var sets = [Set<VariantID>](repeating: [], count: n)
        let byID = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let seeds = candidates.filter { $0.slot == nil || $0.generation < 1 }.map(\.id).sorted()
        for (j, id) in seeds.enumerated() { sets[j % n].insert(id) }
        if !seeds.isEmpty && seeds.count < n {
            for i in seeds.count..<n { sets[i].insert(seeds[i % seeds.count]) }
        }
        let children = candidates.filter { $0.slot != nil && $0.generation >= 1 }
            .sorted { ($0.generation, $0.id) < ($1.generation, $1.id) }
        var next = 0
        var migrations: [Migration] = []
        func place(upTo g: Int) {
            while next < children.count && children[next].generation <= g {
                let c = children[next]
                sets[
                    island(
                        generation: c.generation, slot: c.slot!, childrenPerGeneration: childrenPerGeneration,
                        count: n)
                ].insert(c.id)
                next += 1
            }
        }
        var point = settings.migrationInterval
        while n > 1 && settings.migrationRate > 0 && point < generation {
            place(upTo: point)
            let snapshot = sets
            for from in 0..<n {
                let ranked = snapshot[from].compactMap { byID[$0] }.sorted { ($0.score, $1.id) > ($1.score, $0.id) }
                guard !ranked.isEmpty else { continue }
                let k = max(1, Int((settings.migrationRate * Double(ranked.count)).rounded(.up)))
                let to = (from + 1) % n
                let moved = ranked.prefix(k).map(\.id).filter { !sets[to].contains($0) }.sorted()
                guard !moved.isEmpty else { continue }
                sets[to].formUnion(moved)
                migrations.append(Migration(afterGeneration: point, from: from, to: to, variants: moved))
            }
            point += settings.migrationInterval
        }
        place(upTo: Int.max)
        return IslandMap(members: sets.map { $0.sorted() }, migrations: migrations)
    }
}

/// Islands around any selector: each child slot belongs to an island (see `IslandMap`), and its parents
/// are drawn by the inner selector among that island's members only.
public struct IslandSelector: ParentSelector {
    public let inner: any ParentSelector
    public let settings: IslandSettings
    public var name: String { "islands(\(inner.name))" }
    public var needsCodeSize: Bool { inner.needsCodeSize }

    public init(inner: any ParentSelector, settings: IslandSettings) {
        self.inner = inner
        self.settings = settings
    }

    /// Without a context: as if planning the first generation.
    public func select(_ candidates: [Candidate], count: Int, rng: inout SeededGenerator) -> [VariantID] {
        select(
            candidates, count: count, context: SelectionContext(generation: 1, childrenPerGeneration: count),
            rng: &rng)
    }

    public func select(_ candidates: [Candidate], count: Int, context: SelectionContext, rng: inout SeededGenerator)
        -> [VariantID]
    {
        guard !candidates.isEmpty else { return [] }
        let map = IslandMap.build(
            candidates, settings: settings, childrenPerGeneration: context.childrenPerGeneration,
            planning: context.generation)
        let byID = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return (0..<count).map { i in
            let island = IslandMap.island(
                generation: context.generation, slot: context.firstSlot + i,
                childrenPerGeneration: context.childrenPerGeneration, count: settings.count)
            let members = map.members[island].compactMap { byID[$0] }
            return inner.select(members.isEmpty ? candidates : members, count: 1, rng: &rng)[0]
        }
    }

    /// The migrations made right after `generation` (empty when it is not a migration point).
    public func migrations(after generation: Int, _ candidates: [Candidate], childrenPerGeneration: Int) -> [Migration]
    {
        guard generation >= 1, generation % settings.migrationInterval == 0 else { return [] }
        return IslandMap.build(
            candidates, settings: settings, childrenPerGeneration: childrenPerGeneration,
            planning: generation + 1
        ).migrations.filter { $0.afterGeneration == generation }
    }
}
