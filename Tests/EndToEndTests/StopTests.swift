import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// `evolve stop`: the search holding the archive stops as after Ctrl-C, and nothing else is ever signalled.
@Suite("evolve stop")
struct StopTests {
    @Test(.enabled(if: hasBubblewrap, "needs bubblewrap"))
    func stopEndsTheRunningSearchAsCtrlCWould() async throws {
        try await offThePool { try Self.stopARunningSearch() }
    }

    static func stopARunningSearch() throws {
        let scratch = try Scratch()
        let archive = scratch.file("archive")
        let search = try Child(
            evolveBinary,
            ["search", "--config", "configs/smoke.yaml", "--archive", archive, "--generations", "5000"],
            directory: repoRoot)
        defer { search.stop() }
        var running = false
        for _ in 0..<600 where !running && search.isRunning {
            running =
                (try? evolve(["status", "--archive", archive]))?.stdout.hasPrefix("Run r1: running (pid ") ?? false
            if !running { usleep(100_000) }
        }
        #expect(running, "the search never showed as running")

        let stop = try evolve(["stop", "--archive", archive])
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout.hasPrefix("Stopped run r1 (interrupted)."), "\(stop.stdout)")
        #expect(stop.stderr.contains("Stopping the search (pid \(search.pid))"), "\(stop.stderr)")
        #expect(search.wait() == 130, "the search should end as after Ctrl-C (130)")
        let status = try evolve(["status", "--archive", archive])
        #expect(status.stdout.hasPrefix("Run r1: interrupted"), "\(status.stdout)")
        let again = try evolve(["stop", "--archive", archive])
        #expect(again.status == 0 && again.stdout.contains("No search is running"), "\(again.stdout)")
    }

    /// writer.lock names a pid, but only the process the kernel shows holding the lock is signalled: a pid
    /// written into the file (forged, or reused) is never sent anything.
    @Test func onlyTheProcessHoldingTheLockIsSignalled() throws {
        let scratch = try Scratch()
        _ = try scratch.write("seed/a.txt", "x\n")
        let archive = scratch.file("archive")
        #expect(try evolve(["init", "--seed", scratch.file("seed"), "--archive", archive]).status == 0)
        let victim = try Child("/usr/bin/sleep", ["600"])
        defer { victim.stop() }
        try Files.writeAtomically(Data("pid \(victim.pid), evolve search\n".utf8), to: archive + "/writer.lock")
        let holder = try holdLockFromAnotherProcess(archive + "/writer.lock")
        defer { holder.stop() }

        let stop = try evolve(["stop", "--archive", archive, "--wait", "20"])
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stderr.contains("(pid \(holder.pid))"), "\(stop.stderr)")
        #expect(holder.wait() != 0, "the holder was not stopped by the signal")
        #expect(victim.isRunning, "a process that does not hold the lock was signalled")
    }
}
