import EvolveApp
import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation
import Testing

@testable import EvolveSearch

/// The in-memory candidate pool against the rebuild-from-the-archive path (`Candidates.build`): a seeded
/// search loop made by hand (children with one and two parents, invalid children, children that repeat a
/// tree already evaluated) must see the same candidates and draw the same parents with either.
@Suite struct CandidatePoolTests {
    static let taskIDs = ["t1", "t2", "t3", "t4"]

    static func suite(_ dir: String) -> Suite {
        Suite(
            name: "s", directory: dir, check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1, stages: [],
            tasks: taskIDs.map {
                SuiteTask(
                    id: $0, directory: dir, promptPath: dir, workspacePath: nil, testsPath: nil,
                    check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1)
            })
    }

    static func selectors() -> [any ParentSelector] {
        [
            DGMSelector(), HGMSelector(), GreedySelector(), RandomSelector(), NoveltySelector(k: 3, beta: 1),
            MapElitesSelector(features: MapElitesSelector.defaultFeatures),
            IslandSelector(inner: HGMSelector(), settings: IslandSettings(count: 2, migrationInterval: 2)),
        ]
    }

    /// Records the outcomes of a tree (once per tree, as the evaluator does) and marks the variant valid.
    static func evaluate(_ v: Variant, archive: Archive, rng: inout SeededGenerator) throws {
        for task in taskIDs {
            let pass = rng.next() % 3 != 0
            try archive.record(
                TaskOutcome(
                    tree: v.tree, suite: "s", task: task, status: pass ? .passed : .failed,
                    durationSeconds: 0, log: ""))
        }
        try archive.setScore(v.id, score: 0.5, status: .valid)
    }

    @Test func aSeededLoopDrawsTheSameParentsAsRebuildingEachGeneration() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-pool")
        defer { Files.removeTree(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try "x\n".write(toFile: dir + "/seed/a.txt", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        let suite = Self.suite(dir)
        var outcomesRNG = SeededGenerator(seed: 11, 1, 1)
        try Self.evaluate(try archive.variant(VariantID(0)), archive: archive, rng: &outcomesRNG)

        let pool = CandidatePool(archive: archive, suites: [suite], codeSize: true)
        // Pools that keep a selector's index, updated alongside: their draws must be the ones a pool read
        // afresh from the archive makes (a resumed run), and for random, greedy and DGM the list's draws.
        let indexed: [any ParentSelector] = [DGMSelector(), HGMSelector(), GreedySelector(), RandomSelector()]
        let indexedPools = indexed.map { CandidatePool(archive: archive, suites: [suite], selector: $0) }
        var drawsCompared = 0
        for generation in 1...8 {
            let kept = try pool.candidates()
            let rebuilt = try Candidates.build(archive: archive, suites: [suite], codeSize: true)
            #expect(kept == rebuilt, "generation \(generation): the pool differs from the archive")
            let uncounted = try Candidates.build(archive: archive, suites: [suite])
            for (selector, indexedPool) in zip(indexed, indexedPools) {
                #expect(indexedPool.drawsByIndex)
                #expect(try indexedPool.candidates() == uncounted)
                let fresh = CandidatePool(archive: archive, suites: [suite], selector: selector)
                var a = SeededGenerator(seed: 9, UInt64(generation), 1)
                var b = SeededGenerator(seed: 9, UInt64(generation), 1)
                var c = SeededGenerator(seed: 9, UInt64(generation), 1)
                let drawn = try indexedPool.select(count: 6, rng: &a)
                #expect(drawn == (try fresh.select(count: 6, rng: &b)), "generation \(generation), \(selector.name)")
                if !(selector is HGMSelector) {
                    #expect(drawn == selector.select(uncounted, count: 6, rng: &c), "\(selector.name)")
                }
            }
            let context = SelectionContext(generation: generation, childrenPerGeneration: 4)
            for selector in Self.selectors() {
                var a = SeededGenerator(seed: 5, UInt64(generation), 1)
                var b = SeededGenerator(seed: 5, UInt64(generation), 1)
                let fromPool = selector.select(kept, count: 4, context: context, rng: &a)
                let fromArchive = selector.select(rebuilt, count: 4, context: context, rng: &b)
                #expect(fromPool == fromArchive, "generation \(generation), \(selector.name)")
                drawsCompared += 1
            }
            var rng = SeededGenerator(seed: 5, UInt64(generation), 1)
            let parents = DGMSelector().select(kept, count: 4, rng: &rng)
            var pending: [Variant] = []
            for (slot, parent) in parents.enumerated() {
                let base = try archive.variant(parent)
                var metadata = VariantMetadata(
                    generation: generation, operator: "test", summary: "s\(slot)",
                    slot: slot)
                var tree = base.tree
                var parentIDs = [parent]
                switch slot {
                case 0:  // a plain child
                    tree = try archive.writeTree(base: base.tree, changes: ["g\(generation).txt": .write("\(slot)")])
                case 1:  // the same content in every generation: later ones repeat an evaluated tree
                    tree = try archive.writeTree(
                        base: try archive.variant(VariantID(0)).tree,
                        changes: ["same.txt": .write("same")])
                case 2:  // an invalid child
                    metadata.status = .invalid
                    metadata.reason = "empty diff"
                default:  // two parents
                    parentIDs.append(parents[0])
                    tree = try archive.writeTree(base: base.tree, changes: ["m\(generation).txt": .write("m")])
                }
                if metadata.status != .invalid { metadata.status = .pending }
                let child = try archive.record(parents: parentIDs, tree: tree, metadata: metadata)
                try pool.childRecorded(child)
                for p in indexedPools { try p.childRecorded(child) }
                if child.status == .pending { pending.append(child) }
            }
            // Outcomes arrive out of id order, as concurrent evaluations finish.
            for child in pending.reversed() {
                try Self.evaluate(child, archive: archive, rng: &outcomesRNG)
                try pool.outcomesArrived(try archive.variant(child.id))
                for p in indexedPools { try p.outcomesArrived(try archive.variant(child.id)) }
            }
        }
        #expect(drawsCompared == 8 * Self.selectors().count)
        let final = try pool.candidates()
        #expect(final == (try Candidates.build(archive: archive, suites: [suite], codeSize: true)))
        // A resumed run reads the archive afresh and sees the same.
        #expect(final == (try CandidatePool(archive: archive, suites: [suite], codeSize: true).candidates()))
        #expect(final.count > 20)
        #expect(final.contains { $0.cladePasses > $0.outcomes.filter { $0 }.count })
    }

    @Test func aRecordedChildCountsBeforeItsOutcomesArrive() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-pool")
        defer { Files.removeTree(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try "x\n".write(toFile: dir + "/seed/a.txt", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        var rng = SeededGenerator(seed: 3, 1, 1)
        try Self.evaluate(try archive.variant(VariantID(0)), archive: archive, rng: &rng)
        let pool = CandidatePool(archive: archive, suites: [Self.suite(dir)])
        #expect(try pool.candidates().map(\.children) == [0])
        let tree = try archive.writeTree(base: try archive.variant(VariantID(0)).tree, changes: ["b": .write("b")])
        let child = try archive.record(
            parents: [VariantID(0)], tree: tree,
            metadata: VariantMetadata(
                generation: 1, operator: "t", status: .pending,
                summary: "c"))
        try pool.childRecorded(child)
        // Pending: the parent has a child, the child is no candidate yet.
        #expect(try pool.candidates().map(\.id) == [VariantID(0)])
        #expect(try pool.candidates().first?.children == 1)
        try Self.evaluate(child, archive: archive, rng: &rng)
        try pool.outcomesArrived(try archive.variant(child.id))
        #expect(try pool.candidates().map(\.id) == [VariantID(0), child.id])
    }
}
