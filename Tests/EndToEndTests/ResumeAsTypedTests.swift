import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// `--resume` appended to the original command works when the flags match the saved run and names the flag
/// that differs when they do not.
@Suite("Resume as typed", .serialized)
struct ResumeAsTypedTests {
    @Test(.enabled(if: hasBubblewrap, "needs bubblewrap"))
    func theOriginalCommandWithResumeAppendedContinuesTheRun() async throws {
        try await offThePool { try Self.body() }
    }

    static func body() throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-resume-typed")
        defer { Files.removeTree(folder) }
        let archive = "\(folder)/archive"
        let original = [
            "search", "--config", "configs/smoke.yaml", "--archive", archive, "--seed", "7",
            "--children", "1",
        ]
        let first = try evolve(original + ["--generations", "1"])
        #expect(first.status == 0, "first run: \(first.stderr)")

        // While another process writes the archive (its writer lock held, as a running search holds it), a
        // resume or a new search on it is refused with that process named; readers go on.
        let holder = try holdLockFromAnotherProcess("\(archive)/writer.lock")
        defer { holder.stop() }
        for command in [original + ["--generations", "2", "--resume"], original + ["--generations", "1"]] {
            let refused = try evolve(command)
            #expect(refused.status == 1, "a second writer ran: \(refused.stderr)")
            #expect(refused.stderr.contains("is being written by another process"), "\(refused.stderr)")
        }
        #expect(try evolve(["list", "--archive", archive]).status == 0)
        let doctor = try evolve(["doctor", "--archive", archive])
        #expect(doctor.stdout.contains("A search is writing this archive now"), "\(doctor.stdout)")
        let repair = try evolve(["doctor", "--repair", "--archive", archive])
        #expect(repair.status == 1 && repair.stderr.contains("is being written by another process"))
        holder.stop()
        #expect(try !evolve(["doctor", "--archive", archive]).stdout.contains("is writing this archive"))

        // --generations counts from the run's start: as many as the finished run made is nothing to do, and
        // is refused rather than recorded as a run of 0 generations.
        let same = try evolve(original + ["--generations", "1", "--resume"])
        #expect(same.status == 64, "\(same.stderr)")
        #expect(same.stderr.contains("run r1 has planned 1 generation already"), "\(same.stderr)")
        #expect(same.stderr.contains("--generations 11"), "\(same.stderr)")

        // Same command, more generations, --resume appended: continues the same run.
        let resumed = try evolve(original + ["--generations", "2", "--resume"])
        #expect(resumed.status == 0, "resume: \(resumed.stderr)")
        let status = try evolve(["status", "--archive", archive, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["generation"] as? Int == 2, "status after resume: \(status.stdout)")

        // A different seed is another run: refused with the flag named, exit 64, nothing changed.
        let other = try evolve([
            "search", "--config", "configs/smoke.yaml", "--archive", archive, "--seed", "8",
            "--children", "1", "--generations", "3", "--resume",
        ])
        #expect(other.status == 64)
        #expect(other.stderr.contains("--seed"), "should name the differing flag: \(other.stderr)")
        #expect(!other.stderr.contains("--children"), "children matched: \(other.stderr)")

        // The scheduler's settings that decide what the archive holds are the run's too; how many model
        // calls run at once is not.
        for (flags, named) in [(["--deterministic"], "--deterministic"), (["--scheduler", "lockstep"], "--scheduler")] {
            let changed = try evolve(original + ["--generations", "3", "--resume"] + flags)
            #expect(changed.status == 64)
            #expect(changed.stderr.contains(named), "should name \(named): \(changed.stderr)")
        }
        let faster = try evolve(original + ["--generations", "3", "--proposals", "3", "--resume"])
        #expect(faster.status == 0, "--proposals may change on resume: \(faster.stderr)")
    }
}
