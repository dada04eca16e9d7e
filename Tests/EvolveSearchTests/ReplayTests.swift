import EvolveArchive
import EvolveEvaluation
import EvolveLLM
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveApp
@testable import EvolveSearch

/// A model that answers with a fixed text and counts its calls.
final class CountingModel: LLMProvider, @unchecked Sendable {
    let model = "stub-agent-model"
    let kind = ProviderConfig.Kind.openai
    let label = "counting stub"
    let calls = Locked(0)
    let answer: String
    init(answer: String) { self.answer = answer }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        _ = calls.increment()
        return ChatResponse(
            content: answer, model: model, finishReason: "stop",
            usage: TokenUsage(inputTokens: 20, outputTokens: 5))
    }
}

@Suite(.serialized, .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct ReplayTests {
    /// An agent that asks its model (through the gateway) for the body of `add` and writes it.
    static let agent = #"""
        import json, os, urllib.request
        body = json.dumps({"model": "default", "messages": [{"role": "user", "content": open(os.environ["EVOLVE_TASK_FILE"]).read()}]}).encode()
        req = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", data=body,
            headers={"Authorization": "Bearer " + os.environ["OPENAI_API_KEY"], "Content-Type": "application/json"})
        answer = json.load(urllib.request.urlopen(req))["choices"][0]["message"]["content"]
        if os.path.exists("calc.py"):
            open("calc.py", "w").write("def add(a, b):\n    return " + answer.strip() + "\n")
        """#

    @Test func aReplayReproducesTheRecordedOutcomesWithoutTheModel() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-replay-test")
        defer { Files.removeTree(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try Self.agent.write(toFile: dir + "/seed/agent.py", atomically: true, encoding: .utf8)
        try "name: asker\nrun: python3 $EVOLVE_AGENT_DIR/agent.py\n".write(
            toFile: dir + "/seed/agent.yaml", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        let suite = try Suite.load(from: smokeSuitePath)
        let v0 = try archive.variant(VariantID(0))

        // The recorded evaluation: the model answers "a + b", which fixes s01-add.
        let model = CountingModel(answer: "a + b")
        let gateway = Gateway(provider: model, recorder: ArchiveCallRecorder(archive: archive, run: "r1"))
        let access = try gateway.serve(in: dir + "/gateway")
        defer { gateway.stop() }
        let service = EvaluationService(
            archive: archive, workers: 2,
            evaluator: TaskEvaluator(limits: SandboxLimits(timeoutSeconds: 20), gateway: access))
        let report = try await service.evaluate(
            EvaluationRequest(variant: v0, suite: suite, tasks: ["s01-add", "s02-greet"]))
        #expect(report.rows.first { $0.task == "s01-add" }?.outcome?.status == .passed)
        let recordedCalls = model.calls.increment() - 1
        #expect(recordedCalls == 2)
        #expect(try archive.calls().filter { $0.purpose == "agent" && $0.variant == v0.id }.count == 2)

        // The replay: the same outcomes, and the model is never asked again.
        let rows = try await EvaluationReplay.run(
            archive: archive, variant: v0, suite: suite, limits: SandboxLimits(timeoutSeconds: 20))
        #expect(rows.map(\.task) == ["s01-add", "s02-greet"])
        let allSame = rows.allSatisfy { $0.same }
        #expect(allSame)
        #expect(rows.first?.replayed.status == .passed)
        #expect(model.calls.increment() - 1 == recordedCalls + 1)  // only this test's own increment
        // Nothing was recorded by the replay.
        #expect(try archive.outcomes(tree: v0.tree, suite: "smoke").count == 2)
        #expect(try archive.calls().count == 2)
    }
}
