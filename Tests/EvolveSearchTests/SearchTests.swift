import EvolveApp
import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveSearch

/// Collects events silently (and counts them).
final class QuietObserver: SearchObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [SearchEvent] = []
    let onEvent: (@Sendable (SearchEvent) -> Void)?
    init(onEvent: (@Sendable (SearchEvent) -> Void)? = nil) { self.onEvent = onEvent }
    func event(_ event: SearchEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
        onEvent?(event)
    }
}

/// What two runs must agree on to be "the same archive" (commit ids also hold the wall-clock time).
func fingerprint(_ archive: Archive) throws -> [String] {
    try archive.allVariants().map {
        "\($0.id) \($0.tree) \($0.parents) \($0.status.rawValue) \($0.reason ?? "-") \($0.score.map { String($0) } ?? "-") \($0.operator) \($0.slot ?? -1)"
    }
}

/// How a test schedules its search: the two reproducible ones, and the free-running pipeline.
enum Scheduling: String, CaseIterable, Sendable {
    case lockstep, deterministicPipeline, pipeline

    static let reproducible: [Scheduling] = [.lockstep, .deterministicPipeline]

    func apply(to request: inout SearchRequest) {
        switch self {
        case .lockstep: request.scheduler = .lockstep
        case .deterministicPipeline: request.deterministic = true
        case .pipeline: break
        }
    }
}

func smokeSearch(
    archive: String, generations: Int? = nil, resume: Bool = false, limits: SearchLimits = SearchLimits(),
    observer: QuietObserver = QuietObserver(), scheduling: Scheduling = .deterministicPipeline
) async throws -> PreparedSearch {
    var request = SearchRequest(
        configPath: repoRoot + "/configs/smoke.yaml", archivePath: archive, baseDirectory: repoRoot,
        generations: generations, resume: resume, limits: limits)
    // A resume repeats the original command (with its flags) as a user would.
    scheduling.apply(to: &request)
    return try await SearchSetup.prepare(request, observer: observer)
}

@Suite struct CandidateTests {
    @Test func scoresChildrenAndCladesFromTheArchive() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-cand")
        defer { Files.removeTree(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try "x\n".write(toFile: dir + "/seed/a.txt", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        func child(_ parent: Int, _ n: Int) throws -> Variant {
            let tree = try archive.writeTree(
                base: try archive.variant(VariantID(parent)).tree, changes: ["f\(n)": .write("\(n)")])
            return try archive.record(
                parents: [VariantID(parent)], tree: tree,
                metadata: VariantMetadata(generation: 1, operator: "test", summary: "\(n)"))
        }
        let v1 = try child(0, 1)
        let v2 = try child(1, 2)
        let v3 = try child(0, 3)
        let bad = try archive.record(
            parents: [VariantID(0)], tree: try archive.variant(VariantID(0)).tree,
            metadata: VariantMetadata(
                generation: 1, operator: "test", status: .invalid,
                reason: "empty diff", summary: "x"))
        let tasks = ["t1", "t2"].map {
            SuiteTask(
                id: $0, directory: dir, promptPath: dir, workspacePath: nil, testsPath: nil, check: "true",
                timeoutSeconds: 1, checkTimeoutSeconds: 1)
        }
        let suite = Suite(
            name: "s", directory: dir, check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1, stages: [],
            tasks: tasks)
        let results: [(Variant, [Bool])] = [
            (try archive.variant(VariantID(0)), [true, false]), (v1, [true, true]), (v2, [false, false]),
            (v3, [true, false]),
        ]
        for (v, passes) in results {
            for (task, pass) in zip(["t1", "t2"], passes) {
                try archive.record(
                    TaskOutcome(
                        tree: v.tree, suite: "s", task: task, status: pass ? .passed : .failed,
                        durationSeconds: 0, log: ""))
            }
            try archive.setScore(v.id, score: Double(passes.filter { $0 }.count) / 2, status: .valid)
        }
        let candidates = try Candidates.build(archive: archive, suites: [suite])
        let byID = Dictionary(uniqueKeysWithValues: candidates.map { ($0.id, $0) })
        #expect(candidates.count == 4)
        #expect(byID[bad.id] == nil)
        #expect(byID[VariantID(0)]?.children == 3)  // v1, v3 and the invalid child
        #expect(byID[VariantID(1)]?.score == 1)
        #expect(byID[VariantID(1)]?.outcomes == [true, true])
        // Clades: v1 + v2 = 2 passes, 2 fails; v0 = everything = 4 passes, 4 fails.
        #expect(byID[VariantID(1)].map { ($0.cladePasses, $0.cladeFails) } ?? (0, 0) == (2, 2))
        #expect(byID[VariantID(0)].map { ($0.cladePasses, $0.cladeFails) } ?? (0, 0) == (4, 4))
        #expect(byID[VariantID(3)].map { ($0.cladePasses, $0.cladeFails) } ?? (0, 0) == (1, 1))
    }
}

@Suite(.serialized, .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct SearchTests {
    @Test(arguments: Scheduling.reproducible)
    func sameSeedGivesTheSameArchive(_ scheduling: Scheduling) async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-search")
        defer { Files.removeTree(dir) }
        var prints: [[String]] = []
        for name in ["a", "b"] {
            let prepared = try await smokeSearch(archive: "\(dir)/\(name)", scheduling: scheduling)
            let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
            guard case .finished = outcome.ending else {
                Issue.record("the search did not finish: \(outcome.ending)")
                return
            }
            prints.append(try fingerprint(prepared.service.archive))
        }
        #expect(prints[0] == prints[1])
        // 1 seed + 4 generations × 2 children, every child recorded, some invalid with a reason.
        #expect(prints[0].count == 9)
        let archive = try Archive.open(at: "\(dir)/a")
        let variants = try archive.allVariants()
        #expect(variants.contains { $0.status == .invalid && $0.reason?.contains("syntax error") == true })
        // No crossover is planned while the seed is the only parent there is (it could only cross v0 with v0):
        // the lockstep run plans some from generation 2; the deterministic pipeline's plans see the archive
        // max_pending children behind, the seed alone for most of this short run.
        #expect(!variants.contains { $0.reason?.contains("needs two different parents") == true })
        if scheduling == .lockstep {
            #expect(variants.contains { $0.operator == "crossover" && Set($0.parents).count == 2 })
        }
        // The search improved on the seed (the scripted edits add working recipes).
        let seed = try #require(variants.first?.score)
        #expect(try #require(variants.compactMap(\.score).max()) > seed)
    }

    /// From one seed, the first generation has one parent to draw: an operator of two parents is not planned
    /// then, however much it weighs (it would cross v0 with itself, an invalid child and a wasted slot).
    @Test func aCrossoverWaitsForASecondParent() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-one-parent")
        defer { Files.removeTree(dir) }
        let config = """
            archive: \(dir)/archive
            seed: \(repoRoot)/seeds/agents/smoke-agent
            suites: [smoke]
            suites_dir: \(repoRoot)/seeds/suites
            generations: 1
            children: 4
            workers: 2
            operators:
              - {name: scripted, weight: 0.05, file: \(repoRoot)/configs/edits/smoke.json}
              - {name: crossover, weight: 0.95}
            sandbox: {timeout_s: 20, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
            """
        try Files.writeAtomically(Data(config.utf8), to: "\(dir)/run.yaml")
        var request = SearchRequest(configPath: "\(dir)/run.yaml", archivePath: nil, baseDirectory: repoRoot)
        request.scheduler = .lockstep
        let prepared = try await SearchSetup.prepare(request, observer: QuietObserver())
        _ = try await prepared.service.run(runID: prepared.runID, resumed: false)
        let children = try prepared.service.archive.allVariants().filter { $0.generation == 1 }
        #expect(children.count == 4)
        #expect(children.allSatisfy { $0.operator == "scripted" }, "\(children.map(\.operator))")

        // Later generations have parents to cross. The greedy selector draws the best again and again; the
        // second parent is then another candidate, never the first one twice.
        let more = try await SearchSetup.prepare(
            SearchRequest(
                configPath: nil, archivePath: "\(dir)/archive", baseDirectory: nil, generations: 4, resume: true),
            observer: QuietObserver())
        _ = try await more.service.run(runID: more.runID, resumed: true)
        let crosses = try more.service.archive.allVariants().filter { $0.operator == "crossover" }
        #expect(crosses.count >= 6, "\(crosses.count) crossovers")
        for child in crosses {
            #expect(Set(child.parents).count == 2, "\(child.id) crosses \(child.parents)")
        }
    }

    @Test func maxEvaluationsStopsTheSearchAndResumeFinishesIt() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-budget")
        defer { Files.removeTree(dir) }
        let prepared = try await smokeSearch(archive: "\(dir)/a", limits: SearchLimits(maxEvaluations: 6))
        let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
        guard case .budget(let why) = outcome.ending else {
            Issue.record("expected a budget stop, got \(outcome.ending)")
            return
        }
        #expect(why.contains("6 evaluations"))
        let archive = prepared.service.archive
        #expect(try archive.lastRun()?.state == .budget)
        let evaluationsBefore = try archive.evaluationCount()
        #expect(evaluationsBefore < 20)
        // Resume with a larger limit: the run finishes, nothing recorded before is recorded again.
        let resumed = try await smokeSearch(
            archive: "\(dir)/a", resume: true, limits: SearchLimits(maxEvaluations: 1000))
        let end = try await resumed.service.run(runID: resumed.runID, resumed: true)
        guard case .finished = end.ending else {
            Issue.record("the resumed search did not finish: \(end.ending)")
            return
        }
        #expect(resumed.runID == prepared.runID)
        #expect(try archive.variantCount() == 9)
    }

    @Test(arguments: Scheduling.reproducible)
    func cancellingMidGenerationThenResumingLosesAndDuplicatesNothing(_ scheduling: Scheduling) async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-cancel")
        defer { Files.removeTree(dir) }
        // Reference: the same search without interruption.
        let reference = try await smokeSearch(archive: "\(dir)/ref", scheduling: scheduling)
        _ = try await reference.service.run(runID: reference.runID, resumed: false)
        let expected = try fingerprint(reference.service.archive)

        let box = CancelBox()
        let observer = QuietObserver { event in
            if case .childRecorded(let generation, _, _) = event, generation == 2 { box.cancel() }
        }
        let prepared = try await smokeSearch(archive: "\(dir)/a", observer: observer, scheduling: scheduling)
        let task = Task { try await prepared.service.run(runID: prepared.runID, resumed: false) }
        box.task = task
        let outcome = try await task.value
        guard case .interrupted = outcome.ending else {
            Issue.record("expected an interruption, got \(outcome.ending)")
            return
        }
        #expect(try prepared.service.archive.lastRun()?.state == .interrupted)
        let resumed = try await smokeSearch(archive: "\(dir)/a", resume: true, scheduling: scheduling)
        _ = try await resumed.service.run(runID: resumed.runID, resumed: true)
        #expect(try fingerprint(resumed.service.archive) == expected)
    }
}

/// Cancels a task from an event callback.
final class CancelBox: @unchecked Sendable {
    var task: Task<SearchOutcome, any Error>?
    func cancel() { task?.cancel() }
}
