import EvolveApp
import EvolveArchive
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveSearch

func scored(_ id: Int, run: String?, generation: Int, score: Double?) -> Variant {
    Variant(
        id: VariantID(id), commit: "c\(id)", tree: "t\(id)", parents: [], generation: generation, operator: "test",
        run: run, status: .valid, reason: nil, score: score, summary: "", model: nil, costUSD: 0, createdAt: 0,
        slot: generation >= 1 ? 0 : nil, details: nil)
}

/// The smoke config with a different selector line, written next to the archive.
func smokeConfig(in dir: String, selector: String, scheduling: Scheduling = .deterministicPipeline) throws -> String {
    var text = try String(contentsOfFile: repoRoot + "/configs/smoke.yaml", encoding: .utf8)
        .replacingOccurrences(of: "selector: {name: novelty, k: 3, beta: 1.0}", with: "selector: \(selector)")
    switch scheduling {
    case .lockstep: text += "\nscheduler: lockstep\n"
    case .deterministicPipeline: text += "\ndeterministic: true\n"
    case .pipeline: break
    }
    let path = dir + "/smoke.yaml"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite struct StoppingRuleTests {
    @Test func patienceCountsGenerationsSinceTheBestLastImproved() {
        let variants = [
            scored(0, run: nil, generation: 0, score: 0.5), scored(1, run: "r1", generation: 1, score: 0.4),
            scored(2, run: "r1", generation: 2, score: 0.75), scored(3, run: "r1", generation: 3, score: 0.75),
            scored(4, run: "r1", generation: 4, score: 0.5), scored(5, run: "r2", generation: 5, score: 1),
        ]
        let r1 = Array(variants.prefix(5))
        let after4 = SearchService.bestByGeneration(r1, run: "r1", generations: 4)
        #expect(after4.best == 0.75 && after4.lastImprovement == 2)  // an equal score is no improvement
        let after1 = SearchService.bestByGeneration(r1, run: "r1", generations: 1)
        #expect(after1.best == 0.5 && after1.lastImprovement == 0)
        // Another run's variants count as "before": for r2, 0.75 is the best before it; its generation 5 raised it.
        let other = SearchService.bestByGeneration(variants, run: "r2", generations: 4)
        #expect(other.best == 0.75 && other.lastImprovement == 0)
        let r2 = SearchService.bestByGeneration(variants, run: "r2", generations: 5)
        #expect(r2.best == 1 && r2.lastImprovement == 5)
        #expect(SearchService.bestByGeneration([], run: "r1", generations: 3).lastImprovement == nil)
    }

    @Test func stoppingRulesAreConfigKeys() throws {
        let config = try ConfigLoader.parse(
            "seed: s\nsuites: [demo]\noperators: [{name: crossover}]\ntarget_score: 0.9\npatience: 5\n", path: "c.yaml",
            environment: [:])
        #expect(config.targetScore == 0.9 && config.patience == 5)
        for bad in ["target_score: 1.5", "target_score: 0", "patience: 0"] {
            #expect(throws: EvolveError.self) {
                try ConfigLoader.parse(
                    "seed: s\nsuites: [demo]\noperators: [{name: crossover}]\n\(bad)\n", path: "c.yaml",
                    environment: [:])
            }
        }
    }
}

@Suite(.serialized, .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct StoppingSearchTests {
    @Test func aTargetScoreTheSeedReachesStopsBeforeTheFirstGeneration() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-target")
        defer { Files.removeTree(dir) }
        // The smoke seed passes 2 of 4 tasks: 0.5.
        let prepared = try await smokeSearch(archive: dir + "/a", limits: SearchLimits(targetScore: 0.5))
        let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
        guard case .done(let why) = outcome.ending else {
            Issue.record("expected a stop at the target, got \(outcome.ending)")
            return
        }
        #expect(why.contains("target score 0.5 is reached by v0"))
        let archive = prepared.service.archive
        #expect(try archive.variantCount() == 1)
        #expect(try archive.lastRun()?.state == .finished)
        #expect(try archive.events(run: prepared.runID, kind: "finished").last?.message == "stopped: \(why)")
    }

    @Test(arguments: Scheduling.reproducible)
    func patienceEndsASearchThatStopsImproving(_ scheduling: Scheduling) async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-patience")
        defer { Files.removeTree(dir) }
        let full = try await smokeSearch(archive: dir + "/full", generations: 8, scheduling: scheduling)
        _ = try await full.service.run(runID: full.runID, resumed: false)
        let history = SearchService.bestByGeneration(
            try full.service.archive.allVariants(), run: full.runID,
            generations: 8)
        let last = try #require(history.lastImprovement)
        // With patience 1, the same search (same seed) stops right after the first generation without gain.
        let prepared = try await smokeSearch(
            archive: dir + "/a", generations: 8, limits: SearchLimits(patience: 1), scheduling: scheduling)
        let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
        let variants = try prepared.service.archive.allVariants()
        let ran = variants.map(\.generation).max() ?? 0
        if case .done(let why) = outcome.ending {
            #expect(why.contains("for 1 generation (patience 1)"))
            #expect(ran < 8)
            if scheduling == .lockstep {
                let stalled = SearchService.bestByGeneration(variants, run: prepared.runID, generations: ran)
                #expect(ran - (stalled.lastImprovement ?? 0) == 1)
            } else {
                // The pipeline stops planning when the first stalled generation closes; the children already
                // planned (at most max_pending of them) are still made and evaluated.
                let stalledAt = (1...ran).first { g in
                    g
                        - (SearchService.bestByGeneration(variants, run: prepared.runID, generations: g)
                            .lastImprovement ?? 0) >= 1
                }
                let at = try #require(stalledAt)
                let later = variants.filter { $0.run == prepared.runID && $0.generation > at }
                #expect(later.count <= prepared.service.settings.maxPending)
            }
        } else {
            // Only possible when every generation of the full search improved the best score.
            #expect(last == 8, "patience 1 did not stop a search whose best stalled after generation \(last)")
        }
    }

    @Test(arguments: Scheduling.reproducible)
    func islandsRecordTheirMigrationsOnceAndDrawFromTheSlotsIsland(_ scheduling: Scheduling) async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-islands")
        defer { Files.removeTree(dir) }
        let config = try smokeConfig(
            in: dir, selector: "{name: hgm, islands: {count: 2, migration_interval: 1, migration_rate: 0.5}}",
            scheduling: scheduling)
        let prepared = try await SearchSetup.prepare(
            SearchRequest(configPath: config, archivePath: dir + "/a", baseDirectory: repoRoot),
            observer: QuietObserver())
        #expect(prepared.service.selector.name == "islands(hgm)")
        _ = try await prepared.service.run(runID: prepared.runID, resumed: false)
        let archive = prepared.service.archive
        let events = try archive.events(run: prepared.runID, kind: "migration")
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.message.hasPrefix("after generation ") && $0.message.contains("island ") })
        #expect(Set(events.map(\.message)).count == events.count)  // never logged twice
        // Every planned parent belongs to its slot's island as rebuilt from the archive as the selector saw
        // it: the generations before (lockstep), or the children more than max_pending before (pipeline).
        let candidates = try Candidates.build(archive: archive, suites: prepared.service.suites)
        let settings = IslandSettings(count: 2, migrationInterval: 1, migrationRate: 0.5)
        let window = prepared.service.settings.maxPending
        for generation in 1...4 {
            let plan = try #require(try archive.plan(run: prepared.runID, generation: generation))
            for child in plan {
                let before = candidates.filter {
                    guard scheduling != .lockstep, let slot = $0.slot, $0.generation > 0 else {
                        return $0.generation < generation
                    }
                    return ($0.generation - 1) * 2 + slot < (generation - 1) * 2 + child.slot - window
                }
                let map = IslandMap.build(before, settings: settings, childrenPerGeneration: 2, planning: generation)
                let island = IslandMap.island(
                    generation: generation, slot: child.slot, childrenPerGeneration: 2, count: 2)
                #expect(map.members[island].contains(child.parents[0]), "generation \(generation) slot \(child.slot)")
            }
        }
    }

    @Test func anInterruptedIslandSearchResumesIntoTheSameArchive() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-islands-resume")
        defer { Files.removeTree(dir) }
        let config = try smokeConfig(
            in: dir, selector: "{name: novelty, k: 3, islands: {count: 3, migration_interval: 1, migration_rate: 0.5}}")
        func prepare(_ name: String, resume: Bool = false, observer: QuietObserver = QuietObserver()) async throws
            -> PreparedSearch
        {
            try await SearchSetup.prepare(
                SearchRequest(
                    configPath: resume ? nil : config, archivePath: dir + "/" + name, baseDirectory: repoRoot,
                    resume: resume),
                observer: observer)
        }
        let reference = try await prepare("ref")
        _ = try await reference.service.run(runID: reference.runID, resumed: false)
        let expected = try fingerprint(reference.service.archive)
        let expectedMigrations = try reference.service.archive.events(run: reference.runID, kind: "migration").map(
            \.message)

        let box = CancelBox()
        let observer = QuietObserver { event in
            if case .childRecorded(let generation, _, _) = event, generation == 3 { box.cancel() }
        }
        let prepared = try await prepare("a", observer: observer)
        let task = Task { try await prepared.service.run(runID: prepared.runID, resumed: false) }
        box.task = task
        guard case .interrupted = try await task.value.ending else {
            Issue.record("expected an interruption")
            return
        }
        let resumed = try await prepare("a", resume: true)
        _ = try await resumed.service.run(runID: resumed.runID, resumed: true)
        let got = try fingerprint(resumed.service.archive)
        #expect(
            got == expected, "resumed:\n\(got.joined(separator: "\n"))\nexpected:\n\(expected.joined(separator: "\n"))")
        #expect(
            try resumed.service.archive.events(run: resumed.runID, kind: "migration").map(\.message)
                == expectedMigrations)
        #expect(!expectedMigrations.isEmpty)
    }
}
