import EvolveApp
import EvolveArchive
import EvolveLLM
import EvolveSupport
import EvolveTasks
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveSearch

/// A scripted meta-agent: answers each call with a whole file that adds a recipe to the smoke agent.
struct ScriptedMetaAgent: LLMProvider {
    let model = "stub-meta"
    let kind = ProviderConfig.Kind.openai
    let label = "scripted stub"
    let counter = Locked(0)

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let n = counter.increment()
        let recipe =
            #"[{"search": "if v < best:", "replace": "if v > best:"}, {"search": "    best = values[0]", "replace": "    if not values:\n        return None\n    best = values[0]"}]"#
        // Different files each time, so no child duplicates another.
        let content = "recipes/largest.py.json\n```json\n\(recipe)\n```\n\nnotes/n\(n).txt\n```\nchild \(n)\n```\n"
        return ChatResponse(
            content: content, model: model, finishReason: "stop",
            usage: TokenUsage(inputTokens: 1000, outputTokens: 500))
    }
}

/// A meta-agent that hangs until cancelled, then reports it as its own error (as libcurl calls do).
struct HangingMetaAgent: LLMProvider {
    let model = "stub-meta"
    let kind = ProviderConfig.Kind.openai
    let label = "hanging stub"

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        while !Task.isCancelled { try? await Task.sleep(nanoseconds: 5_000_000) }
        throw EvolveError(.llm, "the call to the stub was cancelled")
    }
}

@Suite(.serialized, .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct MetaAgentSearchTests {
    func writeConfig(_ dir: String) throws -> String {
        let path = dir + "/meta.yaml"
        try """
        seed: \(repoRoot)/seeds/agents/smoke-agent
        suites: [smoke]
        suites_dir: \(repoRoot)/seeds/suites
        generations: 2
        children: 2
        workers: 2
        operators: [{name: llm, weight: 1, format: whole-file}]
        meta_agent: {provider: openai, base_url: "http://127.0.0.1:9/v1", api_key_env: NONE, model: stub-meta}
        prices: {stub-meta: {input: 1.0, output: 2.0}}
        sandbox: {timeout_s: 20, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func everyMetaAgentCallIsRecordedCostedAndAttachedToItsChild() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-meta")
        defer { Files.removeTree(dir) }
        var request = SearchRequest(configPath: try writeConfig(dir), archivePath: dir + "/archive", baseDirectory: nil)
        request.metaProvider = ScriptedMetaAgent()
        let prepared = try await SearchSetup.prepare(request, observer: QuietObserver())
        defer { prepared.environment.stop() }
        let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
        let archive = prepared.service.archive
        let children = try archive.allVariants().filter { $0.generation > 0 }
        #expect(children.count == 4)
        #expect(children.allSatisfy { $0.operator == "llm" && $0.model == "stub-meta" })
        #expect(children.contains { $0.status == .valid && ($0.score ?? 0) > 0.5 })
        // One call per child, each attached to the child it made; $1/M in, $2/M out → $0.002 a call.
        let calls = try archive.calls(run: prepared.runID)
        #expect(calls.count == 4)
        let attached: Set<VariantID> = Set(calls.compactMap { $0.variant })
        #expect(attached == Set(children.map { $0.id }))
        for call in calls {
            #expect(call.purpose == "meta" && call.tokensIn == 1000 && call.tokensOut == 500)
            #expect(abs(call.costUSD - 0.002) < 1e-12)
        }
        #expect(abs(outcome.cost - 0.008) < 1e-9)
        #expect(abs(try archive.runCost(prepared.runID) - 0.008) < 1e-9)
        #expect(try archive.runTokens(prepared.runID) == 6000)
        // The transcript is kept and readable.
        let transcripts = try archive.callTranscripts(variant: children[0].id)
        #expect(transcripts.first?.contains("recipes/largest.py.json") == true)
    }

    @Test func budgetUSDStopsTheSearchAtTheLimit() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-meta-budget")
        defer { Files.removeTree(dir) }
        var request = SearchRequest(
            configPath: try writeConfig(dir), archivePath: dir + "/archive", baseDirectory: nil,
            generations: 5, limits: SearchLimits(budgetUSD: 0.003))
        request.metaProvider = ScriptedMetaAgent()
        let prepared = try await SearchSetup.prepare(request, observer: QuietObserver())
        defer { prepared.environment.stop() }
        let outcome = try await prepared.service.run(runID: prepared.runID, resumed: false)
        guard case .budget(let why) = outcome.ending else {
            Issue.record("expected a budget stop, got \(outcome.ending)")
            return
        }
        #expect(why.contains("$0.00"))
        // Generation 1 spent $0.004 (two calls), over the $0.003 budget: no generation 2 was started.
        #expect(try prepared.service.archive.allVariants().map(\.generation).max() == 1)
    }

    @Test func ctrlCDuringAModelCallIsAnInterruptionNotAFailure() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-meta-cancel")
        defer { Files.removeTree(dir) }
        var request = SearchRequest(configPath: try writeConfig(dir), archivePath: dir + "/archive", baseDirectory: nil)
        request.metaProvider = HangingMetaAgent()
        let box = CancelBox()
        let observer = QuietObserver { event in
            if case .childStarted = event { box.cancel() }
        }
        let prepared = try await SearchSetup.prepare(request, observer: observer)
        defer { prepared.environment.stop() }
        let task = Task { try await prepared.service.run(runID: prepared.runID, resumed: false) }
        box.task = task
        let outcome = try await task.value
        guard case .interrupted = outcome.ending else {
            Issue.record("expected an interruption, got \(outcome.ending)")
            return
        }
        #expect(try prepared.service.archive.lastRun()?.state == .interrupted)
    }
}
