import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

/// Figures for scripts/bench-sandbox.sh; skipped unless EVOLVE_BENCH is set. Prints, never asserts a time.
@Suite("Benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["EVOLVE_BENCH"] != nil))
struct SandboxBenchmark {
    static var runs: Int { Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_RUNS"] ?? "") ?? 200 }
    static var taskCount: Int { Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_TASKS"] ?? "") ?? 200 }

    @Test func startUpOverhead() async throws {
        let scratch = try Scratch()
        let workspace = scratch.file("ws")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        let spec = SandboxSpec(command: .argv(["/bin/true"]), workspace: workspace)
        let sandbox = Sandbox()
        // Warm up: the first runs pay for page-cache misses and the one-time cgroup probe.
        for _ in 0..<10 {
            _ = try await sandbox.run(spec)
            _ = try bareRun(["/bin/true"])
        }
        // bubblewrap alone, with the very same mounts and namespaces but no limits, no handshake, no capture.
        var plain = try sandbox.bwrapArguments(for: spec)
        for flag in ["--info-fd", "--block-fd"] {
            if let i = plain.firstIndex(of: flag) { plain.removeSubrange(i...(i + 1)) }
        }
        var bare: [Double] = []
        var bwrapOnly: [Double] = []
        var boxed: [Double] = []
        for _ in 0..<Self.runs {
            // Interleaved, so that background noise hits every series alike.
            bare.append(try bareRun(["/bin/true"]))
            bwrapOnly.append(try bareRun([sandbox.bwrapPath] + plain))
            let start = monotonicNow()
            let result = try await sandbox.run(spec)
            boxed.append(monotonicNow() - start)
            #expect(result.succeeded)
        }
        let overhead = median(boxed) - median(bare)
        print("BENCH start-up (\(Self.runs) runs each of /bin/true, median / p90):")
        print("BENCH   bare process (posix_spawn + wait)   \(ms(median(bare))) / \(ms(p90(bare)))")
        print("BENCH   bwrap alone, same mounts            \(ms(median(bwrapOnly))) / \(ms(p90(bwrapOnly)))")
        print("BENCH   Sandbox.run (limits, capture)       \(ms(median(boxed))) / \(ms(p90(boxed)))")
        print(
            "BENCH   overhead per sandboxed step: \(ms(overhead)) over bare (\(ms(median(boxed) - median(bwrapOnly))) of it the engine's, the rest bubblewrap and the kernel)"
        )
        print("BENCH   limits enforced by: \(Sandbox.enforcement)")
    }

    @Test func throughputOfTrivialTasks() async throws {
        let scratch = try Scratch()
        let suiteDir = scratch.file("suites/trivial")
        try scratch.write(
            "suites/trivial/suite.yaml", "name: trivial\ncheck: \"true\"\ntimeout_s: 30\ncheck_timeout_s: 30\n")
        for i in 0..<Self.taskCount {
            try scratch.write("suites/trivial/tasks/t\(String(format: "%03d", i))/prompt.md", "nothing to do\n")
            try scratch.write("suites/trivial/tasks/t\(String(format: "%03d", i))/workspace/a.txt", "a\n")
        }
        let suite = try Suite.load(from: suiteDir)
        let agent = try scratch.shellAgent("idle", script: "true\n")
        for workers in [1, 2, 4, 8] {
            let archive = try Archive.create(at: scratch.file("archive-\(workers)"), seed: agent)
            let service = EvaluationService(archive: archive, workers: workers)
            let start = monotonicNow()
            let report = try await service.evaluate(EvaluationRequest(variant: try archive.resolve("v0"), suite: suite))
            let seconds = monotonicNow() - start
            #expect(report.passed == Self.taskCount)
            print(
                "BENCH throughput: workers=\(workers): \(Self.taskCount) tasks (2 sandboxed steps each) in "
                    + String(format: "%.2f s = %.1f tasks/s", seconds, Double(Self.taskCount) / seconds))
        }
    }

    // MARK: - Helpers

    /// Spawns `argv` directly (posix_spawn, output to /dev/null) and waits: the processes to compare with.
    private func bareRun(_ arguments: [String]) throws -> Double {
        let start = monotonicNow()
        let pid = try Spawn(
            executable: arguments[0], arguments: arguments, environment: [],
            fileActions: [.open(1, path: "/dev/null", flags: O_WRONLY), .open(2, path: "/dev/null", flags: O_WRONLY)]
        ).start()
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw EvolveError(.io, "\(arguments[0]) failed with status \(status)") }
        return monotonicNow() - start
    }

    private func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    private func p90(_ xs: [Double]) -> Double { xs.sorted()[min(xs.count - 1, xs.count * 9 / 10)] }
    private func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
}
