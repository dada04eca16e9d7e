import EvolveApp
import EvolveArchive
import EvolveSupport
import Foundation
import Testing

@testable import EvolveSearch

/// A child candidate made in `generation`, `slot`.
func child(_ id: Int, parent: Int, generation: Int, slot: Int, score: Double) -> Candidate {
    Candidate(
        id: VariantID(id), score: score, outcomes: [score > 0.5], parent: VariantID(parent),
        generation: generation, slot: slot)
}

let seedCandidate = Candidate(id: VariantID(0), score: 0.2, outcomes: [false])

@Suite struct IslandTests {
    @Test func slotsAreDealtToIslandsRoundRobinAndTheSeedStartsEveryIsland() {
        // 2 children per generation, 4 islands: generation 1 → islands 0, 1; generation 2 → islands 2, 3.
        let candidates = [
            seedCandidate, child(1, parent: 0, generation: 1, slot: 0, score: 0.3),
            child(2, parent: 0, generation: 1, slot: 1, score: 0.4),
            child(3, parent: 0, generation: 2, slot: 0, score: 0.5),
            child(4, parent: 0, generation: 2, slot: 1, score: 0.6),
            child(5, parent: 1, generation: 3, slot: 0, score: 0.7),
        ]
        let map = IslandMap.build(
            candidates, settings: IslandSettings(count: 4, migrationInterval: 100),
            childrenPerGeneration: 2, planning: 4)
        #expect(map.members.map { $0.map(\.number) } == [[0, 1, 5], [0, 2], [0, 3], [0, 4]])
        #expect(map.migrations.isEmpty)
        // Several seeds are dealt round-robin too.
        let seeds = (0..<6).map { Candidate(id: VariantID($0), score: 0, outcomes: []) }
        let split = IslandMap.build(seeds, settings: IslandSettings(count: 4), childrenPerGeneration: 2, planning: 1)
        #expect(split.members.map { $0.map(\.number) } == [[0, 4], [1, 5], [2], [3]])
    }

    @Test func migrationCopiesTheBestOfEachIslandToTheNextInARing() {
        // 2 islands, migration after every 2 generations, the best half of each island migrates.
        let candidates = [
            seedCandidate,
            child(1, parent: 0, generation: 1, slot: 0, score: 0.9),
            child(2, parent: 0, generation: 1, slot: 1, score: 0.1),
            child(3, parent: 1, generation: 2, slot: 0, score: 0.3),
            child(4, parent: 0, generation: 2, slot: 1, score: 0.6),
            child(5, parent: 1, generation: 3, slot: 0, score: 0.95),
        ]
        let settings = IslandSettings(count: 2, migrationInterval: 2, migrationRate: 0.5)
        // Planning generation 2: no migration point has passed yet.
        let early = IslandMap.build(candidates, settings: settings, childrenPerGeneration: 2, planning: 2)
        #expect(early.migrations.isEmpty)
        #expect(early.members[1].map(\.number) == [0, 2, 4])
        // Planning generation 3: after generation 2, island 0 = {v0 .2, v1 .9, v3 .3} sends its best 2 (v1, v3)
        // to island 1; island 1 = {v0, v2 .1, v4 .6} sends v4 and v0, v0 being there already.
        let map = IslandMap.build(candidates, settings: settings, childrenPerGeneration: 2, planning: 3)
        #expect(
            map.migrations == [
                Migration(afterGeneration: 2, from: 0, to: 1, variants: [VariantID(1), VariantID(3)]),
                Migration(afterGeneration: 2, from: 1, to: 0, variants: [VariantID(4)]),
            ])
        #expect(map.members[0].map(\.number) == [0, 1, 3, 4, 5])
        #expect(map.members[1].map(\.number) == [0, 1, 2, 3, 4])
        // The selector reports the same migrations for that point and none elsewhere.
        let selector = IslandSelector(inner: GreedySelector(), settings: settings)
        #expect(selector.migrations(after: 2, candidates, childrenPerGeneration: 2) == map.migrations)
        #expect(selector.migrations(after: 1, candidates, childrenPerGeneration: 2).isEmpty)
        #expect(selector.migrations(after: 3, candidates, childrenPerGeneration: 2).isEmpty)
    }

    @Test func membershipIsRebuiltIdenticallyWhateverTheOrderOfTheArchive() {
        var rng = SeededGenerator(seed: 3)
        var candidates = [seedCandidate]
        for id in 1..<60 {
            let generation = (id + 1) / 2
            candidates.append(
                child(
                    id, parent: Int(rng.next() % UInt64(id)), generation: generation, slot: (id + 1) % 2,
                    score: rng.unit()))
        }
        let settings = IslandSettings(count: 3, migrationInterval: 5, migrationRate: 0.2)
        let once = IslandMap.build(candidates, settings: settings, childrenPerGeneration: 2, planning: 31)
        let again = IslandMap.build(
            candidates.shuffled(using: &rng), settings: settings, childrenPerGeneration: 2,
            planning: 31)
        #expect(once == again)
        #expect(once.migrations.count >= 6)  // 6 migration points, 3 islands, each sending at least its best
        #expect(Set(once.migrations.map(\.afterGeneration)) == [5, 10, 15, 20, 25, 30])
    }

    @Test func parentsAreDrawnFromTheSlotsIslandOnly() {
        let candidates = [
            seedCandidate, child(1, parent: 0, generation: 1, slot: 0, score: 0.3),
            child(2, parent: 0, generation: 1, slot: 1, score: 0.9),
            child(3, parent: 0, generation: 1, slot: 2, score: 0.8),
        ]
        // Greedy inside 3 islands: each slot takes its own island's best, not the archive's best (v2).
        let selector = IslandSelector(
            inner: GreedySelector(), settings: IslandSettings(count: 3, migrationInterval: 50))
        var rng = SeededGenerator(seed: 1)
        let context = SelectionContext(generation: 2, childrenPerGeneration: 3)
        #expect(selector.select(candidates, count: 3, context: context, rng: &rng).map(\.number) == [1, 2, 3])
        // Random inside islands never leaves the island of the slot.
        let random = IslandSelector(inner: RandomSelector(), settings: IslandSettings(count: 3, migrationInterval: 50))
        for slot in 0..<3 {
            var slotContext = context
            slotContext.firstSlot = slot
            let drawn = Set(
                (0..<200).flatMap { _ in random.select(candidates, count: 1, context: slotContext, rng: &rng) })
            #expect(drawn == [VariantID(0), VariantID(slot + 1)])
        }
    }

    @Test func sameSeedSamePicksAndAnotherSeedOthers() {
        var candidates = [seedCandidate]
        for id in 1..<40 {
            candidates.append(
                child(id, parent: 0, generation: (id + 3) / 4, slot: (id - 1) % 4, score: Double(id % 7) / 7))
        }
        let selector = IslandSelector(inner: HGMSelector(), settings: IslandSettings(count: 4, migrationInterval: 3))
        func picks(_ seed: UInt64) -> [VariantID] {
            var rng = SeededGenerator(seed: seed)
            return selector.select(
                candidates, count: 40, context: SelectionContext(generation: 11, childrenPerGeneration: 4),
                rng: &rng)
        }
        #expect(picks(7) == picks(7))
        #expect(picks(7) != picks(8))
    }

    @Test func aHostileSlotNumberCannotEscapeTheRing() {
        // A damaged index with a negative or huge slot still lands on a real island.
        let candidates = [
            seedCandidate, child(1, parent: 0, generation: 1, slot: -7, score: 1),
            child(2, parent: 0, generation: 1, slot: Int.max / 4, score: 1),
        ]
        let map = IslandMap.build(candidates, settings: IslandSettings(count: 3), childrenPerGeneration: 2, planning: 2)
        #expect(map.members.count == 3)
        #expect(Set(map.members.flatMap { $0 }) == [VariantID(0), VariantID(1), VariantID(2)])
    }
}

@Suite struct SelectorConfigTests {
    func parse(_ selector: String) throws -> RunConfig {
        try ConfigLoader.parse(
            "seed: s\nsuites: [demo]\noperators: [{name: crossover}]\nselector: \(selector)\n", path: "c.yaml",
            environment: [:])
    }

    @Test func islandsAndMapElitesAreConfigured() throws {
        let islands = try parse("{name: dgm, islands: {count: 3, migration_interval: 5, migration_rate: 0.2}}")
        #expect(islands.selector.islands == IslandConfig(count: 3, migrationInterval: 5, migrationRate: 0.2))
        let wrapped = try makeSelector(islands.selector)
        #expect(wrapped.name == "islands(dgm)")
        #expect(
            (wrapped as? IslandSelector)?.settings == IslandSettings(count: 3, migrationInterval: 5, migrationRate: 0.2)
        )

        let elites = try parse(
            "{name: map-elites, features: [{name: code_size, bins: 8, min: 0, max: 400}, {name: diversity}]}")
        let selector = try #require(try makeSelector(elites.selector) as? MapElitesSelector)
        #expect(
            selector.features == [
                FeatureDimension(name: "code_size", bins: 8, min: 0, max: 400),
                FeatureDimension(name: "diversity", bins: 8),
            ])
        #expect(selector.needsCodeSize)
        // Saved with the run and read back on --resume.
        let saved = try JSONDecoder().decode(RunConfig.self, from: try JSONEncoder().encode(elites))
        #expect(saved.selector == elites.selector)
    }

    @Test func badSelectorSettingsNameTheKey() {
        func message(_ selector: String) -> String {
            do {
                _ = try parse(selector)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("{name: hgm, islands: {count: 1}}").contains("islands.count must be at least 2"))
        #expect(message("{name: hgm, islands: {migration_rate: 2}}").contains("migration_rate"))
        #expect(message("{name: hgm, islands: {cuont: 3}}").contains("unknown key 'cuont' in selector.islands"))
        #expect(message("{name: map-elites, features: [{name: x, bins: 0}]}").contains("bins must be between"))
        #expect(message("{name: map-elites, features: [{name: x, min: 5, max: 1}]}").contains("min must be below max"))
        #expect(message("{name: map-elites, features: [{name: x, bns: 3}]}").contains("unknown key 'bns'"))
        #expect(message("{name: hgm, features: [{name: x}]}").contains("features are for name: map-elites"))
        #expect(message("{name: hgm, islands: {count: 4}}") == "no error")
    }
}
