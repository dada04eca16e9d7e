import EvolveApp
import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveSearch

/// The steady-state scheduler: no generation barrier, bounded pending work, and the same crash safety as
/// lockstep when nothing about its timing is reproducible.
@Suite(.serialized, .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct PipelineTests {
    /// Where each child settled (recorded invalid, or scored) and started, in event order.
    struct Timeline {
        var started: [String: Int] = [:]
        var settled: [String: Int] = [:]
        var mostUnsettled = 0

        init(_ events: [SearchEvent]) {
            var open = 0
            for (i, event) in events.enumerated() {
                switch event {
                case .childStarted(let g, let slot, _, _):
                    started["\(g)/\(slot)"] = i
                    open += 1
                    mostUnsettled = max(mostUnsettled, open)
                case .childRecorded(let g, let slot, let v) where v.status == .invalid:
                    settled["\(g)/\(slot)"] = i
                    open -= 1
                case .childScored(let g, let slot, _):
                    settled["\(g)/\(slot)"] = i
                    open -= 1
                default: break
                }
            }
        }

        /// Whether some child of generation g + 1 started before every child of g had settled.
        func overlaps(after g: Int) -> Bool {
            let lastSettled = settled.filter { $0.key.hasPrefix("\(g)/") }.map(\.value).max() ?? 0
            let firstStarted = started.filter { $0.key.hasPrefix("\(g + 1)/") }.map(\.value).min() ?? .max
            return firstStarted < lastSettled
        }
    }

    @Test(arguments: [Scheduling.pipeline, .lockstep])
    func thePipelineHasNoGenerationBarrierAndBoundsPendingChildren(_ scheduling: Scheduling) async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-pipeline")
        defer { Files.removeTree(dir) }
        let observer = QuietObserver()
        let prepared = try await smokeSearch(archive: dir + "/a", observer: observer, scheduling: scheduling)
        let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
        guard case .finished = outcome.ending else {
            Issue.record("the search did not finish: \(outcome.ending)")
            return
        }
        let timeline = Timeline(observer.events)
        #expect(timeline.started.count == 8 && timeline.settled.count == 8)
        let overlapping = (1...3).filter { timeline.overlaps(after: $0) }
        if scheduling == .lockstep {
            #expect(overlapping.isEmpty, "lockstep started a generation early after \(overlapping)")
        } else {
            // Generation 1 has a slow (evaluated) child: generation 2 starts while it runs.
            #expect(timeline.overlaps(after: 1))
            #expect(timeline.mostUnsettled <= prepared.service.settings.maxPending)
        }
        // Generations still close in order, once each.
        let closed = observer.events.compactMap { event -> Int? in
            if case .generationDone(let s) = event { return s.generation }
            return nil
        }
        #expect(closed == [1, 2, 3, 4])
    }

    @Test func anInterruptedFreeRunningPipelineResumesWithNothingLostOrRedone() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-pipeline-resume")
        defer { Files.removeTree(dir) }
        let box = CancelBox()
        let observer = QuietObserver { event in
            if case .childRecorded(let generation, _, _) = event, generation == 2 { box.cancel() }
        }
        let prepared = try await smokeSearch(archive: dir + "/a", observer: observer, scheduling: .pipeline)
        let task = Task { try await prepared.service.run(runID: prepared.runID, resumed: false) }
        box.task = task
        guard case .interrupted = try await task.value.ending else {
            Issue.record("expected an interruption")
            return
        }
        let archive = prepared.service.archive
        let runsBefore = try archive.allVariants().filter { $0.run == prepared.runID }
        let outcomesBefore = try outcomeRows(archive)

        let resumed = try await smokeSearch(archive: dir + "/a", resume: true, scheduling: .pipeline)
        guard case .finished = try await resumed.service.run(runID: resumed.runID, resumed: true).ending else {
            Issue.record("the resumed search did not finish")
            return
        }
        let children = try archive.allVariants().filter { $0.run == prepared.runID }
        // Every planned child exists exactly once, none is left pending, and each plan was kept.
        let places = children.map { "\($0.generation)/\($0.slot ?? -1)" }
        #expect(places.sorted() == (1...4).flatMap { g in (0..<2).map { "\(g)/\($0)" } }.sorted())
        #expect(!children.contains { $0.status == .pending })
        for g in 1...4 { #expect(try archive.plan(run: prepared.runID, generation: g)?.count == 2) }
        // What was recorded before the interruption is unchanged, and no outcome was recorded twice.
        for before in runsBefore {
            let now = try archive.variant(before.id)
            #expect(now.tree == before.tree && now.parents == before.parents && now.slot == before.slot)
        }
        let outcomesAfter = try outcomeRows(archive)
        #expect(Set(outcomesAfter).count == outcomesAfter.count)
        #expect(Set(outcomesBefore).isSubset(of: Set(outcomesAfter)))
        let report = try archive.doctor(repair: false)
        #expect(report.isHealthy, "\(report.problems)")
    }

    @Test func aDollarBudgetCountsTheChildrenBeingMade() throws {
        // $0.002 spent over 1 child, 1 more being made: $0.004 would pass $0.003, so nothing more starts.
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-pipeline-budget")
        defer { Files.removeTree(dir) }
        let service = try SearchService(
            archive: try Archive.create(at: dir + "/a", seed: repoRoot + "/seeds/agents/smoke-agent"),
            settings: SearchSettings(
                generations: 1, children: 1, workers: 1, randomSeed: 0, suitesDir: "", selector: SelectorConfig(),
                operators: []),
            suites: [], evaluation: EvaluationService(archive: try Archive.open(at: dir + "/a"), workers: 1),
            operators: [:], observer: QuietObserver(), limits: SearchLimits(budgetUSD: 0.003))
        let run = try service.archive.startRun(config: "{}")
        #expect(try service.budgetReached(run, inFlight: 1, made: 1) == nil)  // nothing spent yet
        try service.archive.recordCall(
            LLMCallRow(
                run: run, variant: nil, taskKey: "k", purpose: "meta", model: "m", requestHash: "h", tokensIn: 1,
                tokensOut: 1, latencySeconds: 0, costUSD: 0.002, transcriptBlob: "", createdAt: 0),
            transcript: "")
        let why = try #require(try service.budgetReached(run, inFlight: 1, made: 1))
        #expect(why.contains("would be spent by the 1 child being made"))
        #expect(try service.budgetReached(run, inFlight: 0, made: 1) == nil)
    }

    private func outcomeRows(_ archive: Archive) throws -> [String] {
        var rows: [String] = []
        for tree in Set(try archive.allVariants().map(\.tree)) {
            for o in try archive.outcomes(tree: tree, suite: "smoke") {
                rows.append("\(tree) \(o.task) \(o.attempt) \(o.status.rawValue)")
            }
        }
        return rows
    }
}
