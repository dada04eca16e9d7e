import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// kill -9 in the middle of a search, then `--resume`: nothing lost, nothing duplicated, nothing redone.
@Suite(.enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct CrashResumeTests {
    @Test func killNineDuringAGenerationThenResume() async throws {
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-crash")
        defer { Files.removeTree(scratch) }
        let archive = scratch + "/archive"
        let process = try Child(
            evolveBinary, ["search", "--config", "configs/smoke.yaml", "--archive", archive], directory: repoRoot)
        defer { process.stop() }
        // Wait until generation 2 has started recording children, then kill without warning. The watch runs on
        // a thread of its own: a task of the test pool waits behind every test still queued (tens of seconds on
        // 2 cores), long enough for the search to end unseen.
        let killedAt = try await offThePool { () -> Int in
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline && process.isRunning {
                let count =
                    (try? run([
                        "sqlite3", archive + "/index.sqlite",
                        "SELECT count(*) FROM variants",
                    ]).out.trimmingCharacters(in: .whitespacesAndNewlines))
                    .flatMap { Int($0) } ?? 0
                if count >= 4 {
                    process.signal(SIGKILL)
                    process.wait()
                    return count
                }
                usleep(20_000)
            }
            process.wait()
            return -1
        }
        #expect(killedAt >= 4, "the search ended before it could be killed")
        let before = try run([
            "sqlite3", archive + "/index.sqlite",
            "SELECT tree_id || suite || task || created_at FROM evaluations ORDER BY 1",
        ]).out

        let resumed = try await evolve(["search", "--resume", "--archive", archive])
        #expect(resumed.status == 0, "resume failed: \(resumed.stderr)")
        #expect(resumed.stderr.contains("Resuming run r1"))

        // Every planned child exists exactly once: 1 seed + 4 generations × 2 slots.
        let slots = try run([
            "sqlite3", archive + "/index.sqlite",
            "SELECT generation, slot, count(*) FROM variants WHERE run_id = 'r1' GROUP BY generation, slot",
        ]).out
        let rows = slots.split(separator: "\n")
        #expect(rows.count == 8)
        #expect(rows.allSatisfy { $0.hasSuffix("|1") })
        // No completed evaluation was redone: what was recorded before the kill is still there, unchanged.
        let after = try run([
            "sqlite3", archive + "/index.sqlite",
            "SELECT tree_id || suite || task || created_at FROM evaluations ORDER BY 1",
        ]).out
        let afterSet = Set(after.split(separator: "\n"))
        #expect(before.split(separator: "\n").allSatisfy { afterSet.contains($0) })
        // Both halves of the archive are clean.
        #expect(try run(["git", "--git-dir", archive + "/repo.git", "fsck", "--strict"]).status == 0)
        #expect(try run(["sqlite3", archive + "/index.sqlite", "PRAGMA integrity_check"]).out.hasPrefix("ok"))
        let doctor = try await evolve(["doctor", "--archive", archive])
        #expect(doctor.status == 0)
        let status = try await evolve(["status", "--json", "--archive", archive])
        #expect(status.stdout.contains("\"state\":\"finished\""))
    }
}
