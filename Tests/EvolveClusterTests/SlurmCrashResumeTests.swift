import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// kill -9 of the engine while its steps run as Slurm jobs, then `--resume`: the jobs it left are found by
/// name and ended, every planned child exists once, no outcome recorded before the kill is redone, and no job
/// or step folder is left behind. Part of the serialized "Slurm cluster" suite.
extension SlurmClusterTests {
    @Test func killNineWhileJobsRunThenResume() async throws {
        try clusterReady.get()
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-slurm-crash")
        defer { Files.removeTree(folder) }
        let archive = "\(folder)/archive"
        let config = try writeSlurmSmokeConfig(in: folder, generations: 3)

        let process = try Child(evolveBinary, ["search", "--config", config])
        defer { process.stop() }
        // Wait until a child of generation 1 is recorded and a job of the run is live, then kill without warning.
        let client = SlurmClient()
        var killed = false
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline && process.isRunning {
            let children = try await offThePool { try Self.count(archive, "SELECT count(*) FROM variants") }
            let live = try await client.myJobs().filter {
                $0.name.hasPrefix("evolve.r1-") && !($0.state?.isFinished ?? true)
            }
            if children >= 2 && !live.isEmpty {
                process.signal(SIGKILL)
                killed = true
                break
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        await process.wait()
        #expect(killed, "the search ended before a job of it could be seen running")
        let before = try await offThePool {
            try run([
                "sqlite3", archive + "/index.sqlite",
                "SELECT tree_id || suite || task || created_at FROM evaluations ORDER BY 1",
            ]).out
        }

        let resumed = try await offThePool {
            try SlurmClient.runNow(evolveBinary, ["search", "--config", config, "--resume"])
        }
        #expect(resumed.status == 0, "resume on Slurm: \(resumed.text)")
        #expect(resumed.text.contains("Resuming run r1"), "\(resumed.text)")

        // Every planned child exists exactly once: 3 generations × 2 slots.
        let slots = try await offThePool {
            try run([
                "sqlite3", archive + "/index.sqlite",
                "SELECT generation, slot, count(*) FROM variants WHERE run_id = 'r1' GROUP BY generation, slot",
            ]).out
        }
        let rows = slots.split(separator: "\n")
        #expect(rows.count == 6, "\(slots)")
        #expect(rows.allSatisfy { $0.hasSuffix("|1") }, "\(slots)")
        // No outcome recorded before the kill was redone or lost.
        let after = try await offThePool {
            try run([
                "sqlite3", archive + "/index.sqlite",
                "SELECT tree_id || suite || task || created_at FROM evaluations ORDER BY 1",
            ]).out
        }
        let afterSet = Set(after.split(separator: "\n"))
        #expect(before.split(separator: "\n").allSatisfy { afterSet.contains($0) })
        // Nothing is left: no live job of the run, no step folder.
        let jobs = try await client.myJobs().filter { $0.name.hasPrefix("evolve.r1-") }
        #expect(!jobs.contains { !($0.state?.isFinished ?? true) }, "a job outlived the resumed search: \(jobs)")
        #expect(
            stepFoldersAreGone(in: "\(folder)/shared"),
            "step folders are removed after their steps")
        let status = try await offThePool { try evolve(["status", "--json", "--archive", archive]) }
        #expect(status.stdout.contains("\"state\":\"finished\""), "\(status.stdout)")
    }

    /// A count from the archive's index (0 while the index does not exist yet).
    static func count(_ archive: String, _ sql: String) throws -> Int {
        let out = try run(["sqlite3", archive + "/index.sqlite", sql]).out
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
