import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// Figures for scripts/bench-slurm.sh --tasks N: wall time of N trivial tasks (an agent step and a check
/// step each, both `true`) through the local sandbox and through the Slurm executor, with the same number
/// of steps in flight. Skipped unless EVOLVE_BENCH is set; it prints figures and asserts only that every
/// step succeeded.
@Suite(
    "Slurm benchmark",
    .enabled(
        if: ProcessInfo.processInfo.environment["EVOLVE_BENCH"] != nil && slurmInstalled,
        "set EVOLVE_BENCH=1 (scripts/bench-slurm.sh --tasks N) on a machine with Slurm"))
struct SlurmBenchmark {
    static let tasks = Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_TASKS"] ?? "") ?? 200
    static let inFlight = Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_IN_FLIGHT"] ?? "") ?? 8

    @Test func trivialTasksLocalAgainstSlurm() async throws {
        let fixture = try ClusterFixture()
        let local = try await Self.measure(Sandbox(), fixture: fixture)
        var settings = fixture.executor.settings
        settings.maxJobs = Self.inFlight
        let slurm = try await Self.measure(
            try SlurmExecutor(settings: settings, run: fixture.executor.run), fixture: fixture)
        let n = Double(Self.tasks)
        print(
            String(
                format: "bench-slurm: %d trivial tasks (agent + check step), %d in flight:", Self.tasks, Self.inFlight))
        print(String(format: "bench-slurm:   local  %7.1f s  (%6.0f ms per task)", local, local / n * 1000))
        print(String(format: "bench-slurm:   slurm  %7.1f s  (%6.0f ms per task)", slurm, slurm / n * 1000))
        print(
            String(
                format: "bench-slurm:   overhead of the Slurm executor: %+.0f ms per task", (slurm - local) / n * 1000))
    }

    /// scripts/bench-slurm.sh --stop-slurmd: 8 steps of `sleep 5` (4 in flight); slurmd is stopped 2 s in and
    /// started again 20 s later. Prints how each step ended and when.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EVOLVE_BENCH_STOP_SLURMD"] != nil))
    func slurmdStoppedInTheMiddleOfARun() async throws {
        let fixture = try ClusterFixture()
        let start = Date()
        let script = repoRoot + "/scripts/slurm-local.sh"
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                let workspace = try fixture.workspace()
                group.addTask {
                    let spec = SandboxSpec(command: .shell("sleep 5"), workspace: workspace, label: "s\(index)")
                    let line: String
                    do {
                        line = "step \(index): \(try await fixture.executor.run(spec).summary(limits: spec.limits))"
                    } catch {
                        line = "step \(index): error \(error)"
                    }
                    return line + String(format: " at %.1f s", Date().timeIntervalSince(start))
                }
            }
            group.addTask {
                try await Task.sleep(nanoseconds: 2_000_000_000)
                let pid =
                    (try? String(contentsOfFile: "/run/slurmd.pid", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                _ = try SlurmClient.runNow("/bin/kill", [pid])
                let stopped = String(format: "slurmd (pid %@) stopped at %.1f s", pid, Date().timeIntervalSince(start))
                try await Task.sleep(nanoseconds: 20_000_000_000)
                _ = try SlurmClient.runNow(script, ["start"])
                return stopped + String(format: "; started again at %.1f s", Date().timeIntervalSince(start))
            }
            var lines: [String] = []
            for try await line in group { lines.append(line) }
            return lines
        }
        for line in outcomes { print("bench-slurm: " + line) }
        #expect(outcomes.count == 9)
    }

    static func measure(_ executor: any StepExecutor, fixture: ClusterFixture) async throws -> Double {
        let start = Date()
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var failures = 0
            func add() throws {
                let index = next
                next += 1
                let workspace = try fixture.workspace(["task.txt": "\(index)"])
                group.addTask {
                    var bad = 0
                    for step in ["agent", "check"] {
                        let spec = SandboxSpec(
                            command: .argv(["true"]), workspace: workspace,
                            label: "b\(index).\(step).\(UUID().uuidString.prefix(6))")
                        if !(try await executor.run(spec)).succeeded { bad += 1 }
                    }
                    return bad
                }
            }
            while next < min(inFlight, tasks) { try add() }
            while let bad = try await group.next() {
                failures += bad
                if next < tasks { try add() }
            }
            return failures
        }
        #expect(failures == 0)
        return Date().timeIntervalSince(start)
    }
}
