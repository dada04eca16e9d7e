import EvolveApp
import EvolveArchive
import EvolveSupport
import EvolveTasks
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveSearch

/// A search whose child leaves a tree deeper than `PATH_MAX` in every workspace (in `tests/` and elsewhere):
/// the child is recorded with `crashed` outcomes that say why, the search goes on past it, and a resumed run
/// evaluates it and finishes instead of failing on it again.
@Suite("A hostile child in a search", .enabled(if: hasBubblewrap))
struct HostileChildSearchTests {
    /// Writes a smoke-suite config whose scripted operator makes, in generation 1, a hostile child (slot 0) and
    /// an improving one (slot 1).
    func writeConfig(in folder: String) throws -> String {
        let deep = "[(os.mkdir('d'), os.chdir('d')) for _ in range(2100)]"
        let run =
            "python3 -c \"import os; os.makedirs('tests/t'); os.chdir('tests/t'); \(deep); os.chdir('/work');"
            + " os.mkdir('x'); os.chdir('x'); \(deep)\"; python3 $EVOLVE_AGENT_DIR/agent.py"
        let edits: [[String: String]] = [
            [
                "file": "agent.yaml", "summary": "hostile: trees deeper than PATH_MAX",
                "content": "name: smoke-agent\nrun: \(run)\n",
            ],
            [
                "file": "recipes/vowels.py.json", "summary": "add a recipe for vowels.py",
                "content": #"[{"search": "in \"aeiou\")", "replace": "in \"aeiouAEIOU\")"}]"# + "\n",
            ],
        ]
        let editsPath = "\(folder)/edits.json"
        try JSONEncoder().encode(edits).write(to: URL(fileURLWithPath: editsPath))
        let config = """
            archive: archive
            seed: seeds/agents/smoke-agent
            suites: [smoke]
            generations: 2
            children: 2
            workers: 2
            random_seed: 1
            selector: {name: greedy}
            operators: [{name: scripted, weight: 1.0, file: \(editsPath)}]
            budget: {evaluations: 1000}
            sandbox: {timeout_s: 30, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
            """
        let path = "\(folder)/hostile.yaml"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theSearchGoesOnPastTheChildAndResumes() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-hostile-search")
        defer { Files.removeTree(dir) }
        let config = try writeConfig(in: dir)
        func search(resume: Bool, limits: SearchLimits) async throws -> PreparedSearch {
            try await SearchSetup.prepare(
                SearchRequest(
                    configPath: config, archivePath: "\(dir)/a", baseDirectory: repoRoot, resume: resume,
                    limits: limits),
                observer: QuietObserver())
        }
        // Stopped by the budget right after the seed, before generation 1 …
        let first = try await search(resume: false, limits: SearchLimits(maxEvaluations: 4))
        let stopped = try await first.service.run(runID: first.runID, resumed: false)
        guard case .budget = stopped.ending else {
            Issue.record("expected a budget stop, got \(stopped.ending)")
            return
        }
        // … then resumed: the hostile child is evaluated, and the run finishes.
        let resumed = try await search(resume: true, limits: SearchLimits(maxEvaluations: 1000))
        let end = try await resumed.service.run(runID: resumed.runID, resumed: true)
        guard case .finished = end.ending else {
            Issue.record("the resumed search did not finish: \(end.ending)")
            return
        }
        let archive = resumed.service.archive
        let variants = try archive.allVariants()
        let hostile = try #require(variants.first { $0.summary.contains("hostile") })
        #expect(hostile.status == .valid)
        #expect(hostile.score == 0)
        let outcomes = try archive.outcomes(tree: hostile.tree, suite: "smoke")
        #expect(!outcomes.isEmpty, "the tasks the child ran (the suite's screening stage) have outcomes")
        for outcome in outcomes {
            #expect(outcome.status == .crashed)
            #expect(outcome.detail?.contains("folder depth limit") == true, "\(outcome.detail ?? "no detail")")
        }
        #expect(variants.contains { $0.generation == 2 }, "the search went on to generation 2")
        #expect(try #require(variants.compactMap(\.score).max()) > 0.5, "the improving child was scored")
    }
}
