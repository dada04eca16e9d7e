import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// A search on Slurm whose child is hostile: it leaves trees deeper than `PATH_MAX` in its workspace (which on
/// a cluster sits in the shared folder), writes a forged results file and a passing-looking report beside
/// its code, and tries to reach the shared folder from inside its sandbox. The child scores nothing, the
/// search goes on, and the shared folder is empty afterwards. Part of the serialized "Slurm cluster" suite.
extension SlurmClusterTests {
    @Test func aHostileChildOnSlurmScoresNothingAndLeavesNothing() async throws {
        try clusterReady.get()
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-slurm-hostile")
        defer { Files.removeTree(folder) }
        let shared = "\(folder)/shared"
        let deep = "[(os.mkdir('d'), os.chdir('d')) for _ in range(2100)]"
        // Forgeries the check must not believe, then the honest agent (which passes 2 of 4) is not run at all.
        let forge =
            "import os, json; open('results.json', 'w').write(json.dumps(dict(passed=99)));"
            + " open('unittest.py', 'w').write('import sys; sys.exit(0)');"
            + " [os.system('touch ' + p + '/pwned 2>/dev/null') for p in ['\(shared)', '/work/..', '..']];"
            + " os.makedirs('tests/t'); os.chdir('tests/t'); \(deep); os.chdir('/work');"
            + " os.mkdir('x'); os.chdir('x'); \(deep)"
        let edits: [[String: String]] = [
            [
                "file": "agent.yaml", "summary": "hostile: forged results, deep trees, the shared folder",
                "content": "name: smoke-agent\nrun: python3 -c \"\(forge)\"\n",
            ],
            [
                "file": "recipes/vowels.py.json", "summary": "add a recipe for vowels.py",
                "content": #"[{"search": "in \"aeiou\")", "replace": "in \"aeiouAEIOU\")"}]"# + "\n",
            ],
        ]
        try JSONEncoder().encode(edits).write(to: URL(fileURLWithPath: "\(folder)/edits.json"))
        let config = try writeSlurmSmokeConfig(
            in: folder, generations: 1, edits: "\(folder)/edits.json", timeoutSeconds: 60)
        let search = try await offThePool {
            try SlurmClient.runNow(evolveBinary, ["search", "--config", config])
        }
        #expect(search.status == 0, "search on Slurm: \(search.text)")

        let list = try await offThePool {
            try SlurmClient.runNow(evolveBinary, ["list", "--archive", "\(folder)/archive", "--json"])
        }
        let variants = try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [[String: Any]] ?? []
        let hostile = try #require(variants.first { ($0["summary"] as? String)?.contains("hostile") == true })
        #expect(hostile["status"] as? String == "valid", "\(hostile)")
        #expect(hostile["score"] as? Double == 0, "the forgeries earned nothing: \(hostile)")
        #expect(
            variants.contains { ($0["score"] as? Double ?? 0) > 0.5 }, "the honest child was scored: \(list.text)")

        // Nothing reached the shared folder from inside a sandbox, and every step folder is gone.
        #expect(!Files.exists("\(shared)/pwned"))
        #expect(
            stepFoldersAreGone(in: shared),
            "step folders are removed after their steps, deep trees included: \(Files.entries(shared) ?? [])")
        let jobs = try await SlurmClient().myJobs().filter { $0.name.hasPrefix("evolve.r1-") }
        #expect(!jobs.contains { !($0.state?.isFinished ?? true) }, "a job outlived the search: \(jobs)")
    }
}
