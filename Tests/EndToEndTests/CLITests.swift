import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// The command line as a user meets it: the built binary, its output and its exit status.
@Suite struct CLITests {
    let scratch: String

    init() throws { scratch = try Files.makeTemporaryDirectory(prefix: "evolve-cli") }

    func makeArchive() async throws -> String {
        let archive = scratch + "/archive"
        let result = try await evolve(["init", "--seed", smokeAgentPath, "--archive", archive])
        #expect(result.status == 0)
        return archive
    }

    @Test func initListShowLineageCheckout() async throws {
        defer { Files.removeTree(scratch) }
        let archive = try await makeArchive()
        let list = try await evolve(["list", "--json", "--archive", archive])
        #expect(list.status == 0)
        let variants = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(variants?.count == 1)
        #expect(variants?.first?["id"] as? String == "v0")
        #expect(variants?.first?["status"] as? String == "pending")
        for key in ["id", "commit", "parents", "generation", "status", "reason", "operator", "score"] {
            #expect(variants?.first?.keys.contains(key) == true, "list --json lacks \(key)")
        }
        let show = try await evolve(["show", "v0", "--json", "--archive", archive])
        let shown = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect(shown?["id"] as? String == "v0")
        #expect((shown?["diff"] as? String)?.contains("+++ b/agent.py") == true)
        let commit = try #require(shown?["commit"] as? String)
        // A commit prefix works wherever an id does.
        let lineage = try await evolve(["lineage", String(commit.prefix(7)), "--format", "json", "--archive", archive])
        #expect(lineage.status == 0)
        #expect(lineage.stdout.contains("\"path\":[\"v0\"]"))
        let out = scratch + "/out"
        #expect(try await evolve(["checkout", "v0", "--into", out, "--archive", archive]).status == 0)
        #expect(FileManager.default.fileExists(atPath: out + "/agent.py"))
        let tree = try run(["sh", "-c", "git init -q . && git add -A && git write-tree"], in: out)
        #expect(tree.out.trimmingCharacters(in: .whitespacesAndNewlines) == shown?["tree"] as? String)
    }

    @Test func badInputGetsAClearErrorAndAStatus() async throws {
        defer { Files.removeTree(scratch) }
        let archive = try await makeArchive()
        let cases: [([String], Int32, String)] = [
            (["show", "v42", "--archive", archive], 1, "no variant matches"),
            (["lineage", "v0", "--format", "svg", "--archive", archive], 64, "format"),
            (["list", "--archive", scratch + "/nowhere"], 1, "there is no archive"),
            (["list", "--archive", repoRoot + "/seeds"], 1, "is not an evolve archive"),
            (["init", "--seed", scratch + "/missing-seed", "--archive", scratch + "/a2"], 1, "does not exist"),
            (["init", "--seed", smokeAgentPath, "--archive", archive], 1, "already exists"),
            (["search", "--generations", "0", "--archive", archive], 64, "at least 1"),
            (["frobnicate"], 64, "Unexpected argument"),
        ]
        for (arguments, status, message) in cases {
            let result = try await evolve(arguments)
            #expect(result.status == status, "evolve \(arguments.joined(separator: " ")) exited \(result.status)")
            #expect(result.stderr.contains(message), "evolve \(arguments.first!): \(result.stderr)")
        }
        // A checkout target that is a file is refused, and the file is untouched.
        let file = scratch + "/a-file"
        try "keep".write(toFile: file, atomically: true, encoding: .utf8)
        let checkout = try await evolve(["checkout", "v0", "--into", file, "--archive", archive])
        #expect(checkout.status == 1)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep")
        // A damaged index is reported with what to do, never a crash.
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: archive + "/index.sqlite"))
        try? FileManager.default.removeItem(atPath: archive + "/index.sqlite-wal")
        try? FileManager.default.removeItem(atPath: archive + "/index.sqlite-shm")
        let damaged = try await evolve(["list", "--archive", archive])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("doctor --rebuild-index"))
        #expect(try await evolve(["doctor", "--rebuild-index", "--archive", archive]).status == 0)
        #expect(try await evolve(["show", "v0", "--archive", archive]).status == 0)
    }

    /// Outcomes are kept by tree: an invalid child whose edit changed nothing shows its parent's, and says so.
    @Test(.enabled(if: hasBubblewrap, "needs bubblewrap"))
    func showSaysWhoseOutcomesAnUnevaluatedChildShows() async throws {
        defer { Files.removeTree(scratch) }
        let config = """
            archive: \(scratch)/archive
            seed: \(smokeAgentPath)
            suites: [smoke]
            suites_dir: \(repoRoot)/seeds/suites
            generations: 1
            children: 3
            operators: [{name: scripted, weight: 1.0, file: \(repoRoot)/configs/edits/smoke.json}]
            sandbox: {timeout_s: 20, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
            """
        try Files.writeAtomically(Data(config.utf8), to: scratch + "/run.yaml")
        let search = try await evolve(["search", "--config", scratch + "/run.yaml", "--scheduler", "lockstep"])
        #expect(search.status == 0, "\(search.stderr)")
        // Slot 2 replays the edit whose search text is not there: invalid, with v0's source.
        let unchanged = try await evolve(["show", "v3", "--archive", scratch + "/archive"]).stdout
        #expect(unchanged.contains("status invalid (the search text is not in agent.py)"), "\(unchanged)")
        #expect(unchanged.contains("Outcomes on smoke: 2/4 passed (by a variant with the same source)\n"))
        let seed = try await evolve(["show", "v0", "--archive", scratch + "/archive"]).stdout
        #expect(seed.contains("Outcomes on smoke: 2/4 passed\n"), "\(seed)")
    }

    /// Run from another folder with no --config, evolve runs the default of the folder it was built in: its
    /// seed and suite from there, the archive here.
    @Test(.enabled(if: hasBubblewrap, "needs bubblewrap"))
    func theDefaultRunsFromAnyFolder() async throws {
        defer { Files.removeTree(scratch) }
        let work = scratch + "/elsewhere"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let search = try await evolve(["search", "--generations", "1", "--max-evaluations", "1"], in: work)
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stderr.contains("with the seed \(repoRoot)/seeds/agents/demo as v0"), "\(search.stderr)")
        #expect(Files.exists(work + "/archive/index.sqlite"))
        let status = try await evolve(["status"], in: work)
        #expect(status.stdout.hasPrefix("Run r1: "), "\(status.stdout)")
        // eval takes the same default: the demo suite is found in evolve's folder.
        let eval = try await evolve(["eval", "v0", "--tasks", "d01-clamp", "--json"], in: work)
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("d01-clamp"), "\(eval.stdout)")
    }

    @Test func helpReadsWell() async throws {
        defer { Files.removeTree(scratch) }
        let help = try await evolve(["--help"])
        #expect(help.status == 0)
        for command in ["init", "search", "status", "stop", "list", "show", "lineage", "checkout", "eval"] {
            #expect(help.stdout.contains("  \(command)"), "--help does not list \(command)")
        }
        let searchHelp = try await evolve(["search", "--help"])
        #expect(searchHelp.stdout.contains("--resume"))
        #expect(searchHelp.stdout.contains("--budget-usd"))
    }
}
