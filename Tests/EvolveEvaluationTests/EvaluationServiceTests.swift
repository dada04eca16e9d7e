import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

@Suite("Evaluation service")
struct EvaluationServiceTests {
    @Test func smokeAgentPassesTheTasksItHasRecipesFor() async throws {
        let scratch = try Scratch()
        let archive = try scratch.archive(seed: smokeAgentPath)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite())
        #expect(report.status("s01-add") == .passed)
        #expect(report.status("s02-greet") == .passed)
        #expect(report.status("s03-largest") == .failed)
        #expect(report.status("s04-vowels") == .failed)
        #expect(report.score == 0.5)
        #expect(report.ranCount == 4)
        #expect(report.skippedCount == 0)
        let recorded = try archive.outcomes(tree: report.tree, suite: "smoke")
        #expect(Set(recorded.map(\.task)) == ["s01-add", "s02-greet", "s03-largest", "s04-vowels"])
        #expect(recorded.first { $0.task == "s03-largest" }?.log.contains("no recipe for largest.py") == true)
        #expect(recorded.first { $0.task == "s01-add" }?.log.contains("── check step") == true)
    }

    @Test func anUnchangedTreeIsNeverEvaluatedTwice() async throws {
        let scratch = try Scratch()
        let archive = try scratch.archive(seed: smokeAgentPath)
        let suite = try scratch.smokeSuite()
        let first = try await evaluate(archive, suite: suite, tasks: ["s01-add", "s03-largest"])
        #expect(first.ranCount == 2)
        let second = try await evaluate(archive, suite: suite)
        #expect(second.ranCount == 2, "only the two tasks not yet evaluated run")
        #expect(second.skippedCount == 2)
        let third = try await evaluate(archive, suite: suite)
        #expect(third.ranCount == 0)
        #expect(third.skippedCount == 4)
        #expect(third.summary.contains("nothing to run"))
        #expect(third.score == second.score)
        #expect(try archive.outcomes(tree: third.tree, suite: "smoke").count == 4)
    }

    @Test func aFailedScreeningStageStopsTheEvaluation() async throws {
        let scratch = try Scratch()
        let idle = try scratch.shellAgent("idle", script: "echo doing nothing")
        let archive = try scratch.archive(seed: idle)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite())
        #expect(report.stoppedAfterStage == 0)
        #expect(report.ranCount == 2)
        #expect(report.rows.filter { $0.state == .notRun }.map(\.task) == ["s03-largest", "s04-vowels"])
        #expect(report.score == 0)
        #expect(try archive.outcomes(tree: report.tree, suite: "smoke").count == 2)
        #expect(report.summary.contains("stopped after stage 1"))
    }

    @Test func notRunTasksCountAsNotPassed() async throws {
        let scratch = try Scratch()
        // Passes s01 only: 1/2 reaches the 0.5 screening threshold, so the rest runs; score is over all 4.
        let one = try scratch.shellAgent(
            "one",
            script: #"[ "$EVOLVE_TASK_ID" = s01-add ] && printf 'def add(a, b):\n    return a + b\n' > calc.py; true"#)
        let archive = try scratch.archive(seed: one)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite())
        #expect(report.stoppedAfterStage == nil)
        #expect(report.passed == 1)
        #expect(report.score == 0.25)
    }

    @Test func selectedTasksOnly() async throws {
        let scratch = try Scratch()
        let archive = try scratch.archive(seed: smokeAgentPath)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["s02-greet"])
        #expect(report.rows.map(\.task) == ["s02-greet"])
        #expect(report.partial)
        #expect(report.score == 0.25, "the score's denominator is the whole suite")
        await #expect(throws: EvolveError.self) {
            _ = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["no-such-task"])
        }
    }

    @Test func theAgentSeesItsContractAndNotTheTests() async throws {
        let scratch = try Scratch()
        let agent = try scratch.shellAgent(
            "probe",
            script: """
                test -e tests && echo TESTS-VISIBLE
                ls -a
                echo agent_dir=$EVOLVE_AGENT_DIR task_file=$EVOLVE_TASK_FILE turns=$EVOLVE_TURN_LIMIT
                head -1 "$EVOLVE_TASK_FILE"
                touch "$EVOLVE_AGENT_DIR/x" 2>/dev/null || echo agent-dir-read-only
                env | sort | sed 's/^/env: /'
                """)
        let archive = try scratch.archive(seed: agent)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["s01-add"])
        let log = report.log("s01-add")
        #expect(!log.contains("TESTS-VISIBLE"))
        #expect(log.contains("agent_dir=/agent task_file=/task/prompt.md turns=30"))
        #expect(log.contains("file: calc.py"))
        #expect(log.contains("agent-dir-read-only"))
        #expect(!log.contains("env: OPENAI_API_KEY"), "no gateway, no key")
        #expect(report.status("s01-add") == .failed)
    }

    @Test func aBrokenAgentManifestFailsEveryTaskWithTheReason() async throws {
        let scratch = try Scratch()
        try scratch.write("agents/broken/agent.yaml", "name: broken\nrun_command: python3 agent.py\n")
        let archive = try scratch.archive(seed: scratch.file("agents/broken"))
        let report = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["s01-add", "s02-greet"])
        #expect(report.rows.allSatisfy { $0.outcome?.status == .crashed })
        #expect(report.detail("s01-add").contains("run_command"))
    }

    @Test func theGatewayIsReachedThroughTheRelay() async throws {
        let scratch = try Scratch()
        // A stand-in relay: checks the socket is there, then runs the command after "--".
        let relay = try scratch.write(
            "relay.py",
            """
            import os, sys
            sock, port = sys.argv[1], sys.argv[2]
            print("relay", sock, port, "socket-present" if os.path.exists(sock) else "socket-missing", flush=True)
            i = sys.argv.index("--")
            os.execvp(sys.argv[i + 1], sys.argv[i + 1:])
            """)
        let socket = try scratch.write("gateway.sock", "")
        let seen = TokenLog()
        let gateway = GatewayAccess(socketPath: socket, relayScriptPath: relay) { key in
            seen.add(key)
            return "token-for-\(key)"
        }
        let agent = try scratch.shellAgent("llm", script: "echo url=$OPENAI_BASE_URL key=$OPENAI_API_KEY")
        let archive = try scratch.archive(seed: agent)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["s01-add"], gateway: gateway)
        let log = report.log("s01-add")
        #expect(log.contains("relay /run/evolve/gateway.sock 8080 socket-present"))
        #expect(log.contains("url=http://127.0.0.1:8080/v1 key=token-for-v0/smoke/s01-add"))
        #expect(seen.keys == ["v0/smoke/s01-add"])
    }

    @Test func aCrashingAgentIsRecordedAsCrashed() async throws {
        let scratch = try Scratch()
        let agent = try scratch.shellAgent("segv", script: "echo about to crash; kill -SEGV $$\n")
        let archive = try scratch.archive(seed: agent)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["s01-add"])
        #expect(report.status("s01-add") == .crashed)
        #expect(report.detail("s01-add").contains("segmentation fault"))
        #expect(report.log("s01-add").contains("about to crash"))
    }

    @Test func aSlowCheckTimesOut() async throws {
        let scratch = try Scratch()
        try scratch.write("suites/slow/suite.yaml", "name: slow\ncheck: sleep 60\ncheck_timeout_s: 1\n")
        try scratch.write("suites/slow/tasks/t1/prompt.md", "wait\n")
        let suite = try Suite.load(from: scratch.file("suites/slow"))
        let archive = try scratch.archive(seed: smokeAgentPath)
        let report = try await evaluate(archive, suite: suite)
        #expect(report.status("t1") == .timeout)
        #expect(report.detail("t1").hasPrefix("check killed after 1 s"))
    }

    @Test func theJSONReportHasEveryRow() async throws {
        let scratch = try Scratch()
        let archive = try scratch.archive(seed: smokeAgentPath)
        let report = try await evaluate(archive, suite: try scratch.smokeSuite(), tasks: ["s01-add", "s03-largest"])
        let object = try JSONSerialization.jsonObject(with: Data(report.renderJSON().utf8)) as? [String: Any]
        #expect(object?["variant"] as? String == "v0")
        #expect(object?["score"] as? Double == 0.25)
        #expect(object?["ran"] as? Int == 2)
        let rows = object?["tasks"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["task"] as? String } == ["s01-add", "s03-largest"])
        #expect(rows.map { $0["status"] as? String } == ["passed", "failed"])
        #expect(report.renderTable().contains("s03-largest  failed"))
    }

    @Test func theWorkerPoolNeverExceedsItsTokens() async throws {
        let bucket = TokenBucket(tokens: 3)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    try await bucket.withToken {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await gauge.peak <= 3)
        #expect(await gauge.peak >= 1)
        #expect(await gauge.entries == 24)
    }
}

/// Counts how many bodies run at once.
actor Gauge {
    private(set) var current = 0
    private(set) var peak = 0
    private(set) var entries = 0

    func enter() {
        current += 1
        entries += 1
        peak = max(peak, current)
    }

    func leave() { current -= 1 }
}

final class TokenLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func add(_ key: String) { lock.withLock { stored.append(key) } }
    var keys: [String] { lock.withLock { stored } }
}
