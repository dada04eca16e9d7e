import EvolveArchive
import EvolveLLM
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveMutation

// MARK: - Test doubles and fixtures

/// A unit-test double for a model: answers from a script, in order (the last one repeats), and keeps every
/// request it was sent. An answer of `nil` throws the way a provider does after its retries.
final class ScriptedProvider: LLMProvider, @unchecked Sendable {
    let model = "scripted-model"
    let kind = ProviderConfig.Kind.openai
    let label = "the scripted provider"
    private let lock = NSLock()
    private let answers: [String?]
    private var sent: [ChatRequest] = []

    init(_ answers: [String?]) {
        self.answers = answers
    }

    var requests: [ChatRequest] { lock.withLock { sent } }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let answer: String? = lock.withLock {
            sent.append(request)
            return answers[min(sent.count - 1, answers.count - 1)]
        }
        guard let answer else {
            throw EvolveError(.llm, "the scripted provider answered HTTP 503: overloaded (gave up after 4 attempts)")
        }
        return ChatResponse(
            content: answer, model: "scripted-model-2025", finishReason: "stop",
            usage: TokenUsage(inputTokens: 1000, outputTokens: 200))
    }
}

/// An archive whose seed is the demo agent (plus extra files), with recorded outcomes on the demo suite.
final class DemoArchive {
    static let suites = repoRoot + "/seeds/suites"

    let scratch: Scratch
    let archive: Archive
    let seed: Variant

    init(extraFiles: [String: String] = [:], agentYAML: String? = nil) throws {
        scratch = try Scratch(prefix: "evolve-llm-test")
        let seedDir = try scratch.copyFixture("seeds/agents/demo", to: "seed")
        var extra = extraFiles
        if let agentYAML { extra["agent.yaml"] = agentYAML }
        for (path, text) in extra { try scratch.write("seed/" + path, text) }
        archive = try Archive.create(at: scratch.file("archive"), seed: seedDir)
        seed = try archive.variant(VariantID(0))
    }

    static let clampLog = """
        ── agent step: exit 0, 0.05 s ──
        clamp: 7 cases
        ── check step: exit 1, 0.04 s ──
        F
        ======================================================================
        FAIL: test_output (test_output.TestOutput.test_output)
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/work/tests/test_output.py", line 33, in test_output
            self.fail("%s in funcs/clamp.py is wrong. %s\\n%s" % (FUNCTION, SPEC, "\\n".join(wrong)))
        AssertionError: clamp(x, lo, hi) in funcs/clamp.py is wrong. Return lo if x is below lo, hi if x is above hi, and x otherwise.
          clamp(5, 0, 10) returned 10, expected 5
          clamp(2.5, 1, 3) returned 3, expected 2.5

        ----------------------------------------------------------------------
        Ran 1 test in 0.001s

        FAILED (failures=1)
        """

    /// Records outcomes for a tree: the named tasks failed (with `log`, or a generic one), the rest passed.
    func recordOutcomes(tree: String? = nil, failed: [String: String], passed: [String]) throws {
        for (task, log) in failed {
            // The verdict the trusted runner reports for such a log: the assertion's message, nothing else of it.
            let message =
                log.components(separatedBy: "AssertionError: ").dropFirst().first?
                .components(separatedBy: "\n\n").first ?? log
            let verdicts = TaskVerdicts(
                source: "runner",
                tests: [
                    TestVerdict(
                        name: "test_output.TestOutput.test_output", outcome: .failed, exceptionType: "AssertionError",
                        message: message)
                ])
            try archive.record(
                TaskOutcome(
                    tree: tree ?? seed.tree, suite: "demo", task: task, status: .failed, durationSeconds: 0.1, log: log,
                    detail: "check exit 1", verdicts: verdicts))
        }
        for task in passed {
            try archive.record(
                TaskOutcome(
                    tree: tree ?? seed.tree, suite: "demo", task: task, status: .passed, durationSeconds: 0.1, log: "ok"
                ))
        }
    }

    func request(seed: UInt64 = 1, key: String = "r1/g1/s0") -> MutationRequest {
        MutationRequest(
            archive: archive, parents: [self.seed], generation: 1, slot: 0, seed: seed, suites: ["demo"],
            suitesDirectory: Self.suites, key: key)
    }

    /// The files of a result's tree (recorded as a child to read them back).
    func files(of result: MutationResult) throws -> [String: String]? {
        guard case .tree(let tree, _) = result else { return nil }
        let child = try archive.record(
            parents: [seed.id], tree: tree, metadata: VariantMetadata(generation: 1, operator: "llm", summary: "t"))
        return Dictionary(uniqueKeysWithValues: try archive.files(of: child.id).map { ($0.path, $0.contents) })
    }
}

extension MutationResult {
    var invalidReason: String? {
        if case .invalid(let reason, _) = self { return reason }
        return nil
    }

    var info: MutationInfo {
        switch self {
        case .tree(_, let info), .invalid(_, let info): return info
        }
    }
}

extension ChatRequest {
    var text: String { messages.map(\.content).joined(separator: "\n") }
}

let fixedClampFile =
    "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n"

// MARK: - Tests

@Suite("LLM operator")
struct LLMOperatorTests {
    @Test func focusedWholeFilePromptForTheDemoAndItsFix() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: ["d03-word-count"])
        let model = ScriptedProvider([
            "Here is the fix:\n\n```python\n\(fixedClampFile)```\n\nExample:\n```python\nprint(clamp(1, 0, 2))\n```\n"
        ])
        let result = try await LLMOperator(provider: model, format: .wholeFile).mutate(demo.request())
        #expect(try demo.files(of: result)?["funcs/clamp.py"] == fixedClampFile)
        #expect(result.info.summary == "llm edit of funcs/clamp.py for demo/d01-clamp (whole-file)")

        let prompt = try #require(model.requests.first).text
        #expect(prompt.contains("Make the function `clamp(x, lo, hi)` in the file `funcs/clamp.py` correct."))
        #expect(prompt.contains("    if x < hi:"))  // the current file
        #expect(prompt.contains("clamp(5, 0, 10) returned 10, expected 5"))  // the failure
        #expect(!prompt.contains("importlib"))  // agent.py is not shown: the prompt stays short
        #expect(!prompt.contains("FAILED (failures=1)"))
        #expect(prompt.utf8.count < 2000)
    }

    @Test func promptStylesCanBeForced() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: [])
        // Focused with a search-replace config: the prompt asks for the whole file, and that is what is read.
        let focused = ScriptedProvider(["```python\n\(fixedClampFile)```"])
        let result = try await LLMOperator(provider: focused, format: .searchReplace, style: .focused)
            .mutate(demo.request())
        #expect(try demo.files(of: result)?["funcs/clamp.py"] == fixedClampFile)
        #expect(focused.requests.first?.text.contains("<<<<<<< SEARCH") == false)
        // Full with a whole-file config: the whole source and the archive, not one file.
        let full = ScriptedProvider(["no"])
        _ = try await LLMOperator(provider: full, format: .wholeFile, style: .full).mutate(demo.request())
        let prompt = try #require(full.requests.first).text
        #expect(prompt.contains("importlib"))
        #expect(prompt.contains("# Failed tasks (1; work on the first)"))
    }

    @Test func siblingsFocusOnDifferentFailedTasks() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(
            failed: [
                "d01-clamp": DemoArchive.clampLog, "d05-max-of": "AssertionError: max_of in funcs/max_of.py is wrong",
            ],
            passed: [])
        var files = Set<String>()
        for seed in UInt64(0)..<12 {
            let model = ScriptedProvider(["no"])
            _ = try await LLMOperator(provider: model, format: .wholeFile).mutate(demo.request(seed: seed))
            let prompt = try #require(model.requests.first).text
            if prompt.contains("The file funcs/clamp.py has a bug") { files.insert("clamp") }
            if prompt.contains("The file funcs/max_of.py has a bug") { files.insert("max_of") }
        }
        #expect(files == ["clamp", "max_of"])
    }

    @Test func fullPromptHoldsFailuresArchiveAndCappedSource() async throws {
        let big = "# notes\n" + String(repeating: "x = 1  # padding\n", count: 600)  // ~10 KB
        let demo = try DemoArchive(extraFiles: ["notes_big.py": big])
        let longLog = (1...300).map { "log line \($0)" }.joined(separator: "\n") + "\n" + DemoArchive.clampLog
        try demo.recordOutcomes(failed: ["d01-clamp": longLog], passed: ["d02-is-palindrome"])
        // Two other variants: a better one and one that solves different tasks.
        let better = try demo.archive.record(
            parents: [demo.seed.id],
            tree: demo.archive.writeTree(base: demo.seed.tree, changes: ["funcs/clamp.py": .write(fixedClampFile)]),
            metadata: VariantMetadata(
                generation: 1, operator: "llm", status: .valid, score: 0.9, summary: "fix the clamp bound"))
        try demo.recordOutcomes(tree: better.tree, failed: [:], passed: ["d01-clamp", "d02-is-palindrome"])

        let model = ScriptedProvider([
            "funcs/clamp.py\n<<<<<<< SEARCH\n    if x < hi:\n=======\n    if x > hi:\n>>>>>>> REPLACE\n"
        ])
        let op = LLMOperator(provider: model, format: .searchReplace, sourceCap: 4096)
        let result = try await op.mutate(demo.request())
        #expect(try demo.files(of: result)?["funcs/clamp.py"] == fixedClampFile)

        let prompt = try #require(model.requests.first).text
        #expect(prompt.contains("## demo/d01-clamp: failed (check exit 1)"))
        #expect(prompt.contains("clamp(5, 0, 10) returned 10, expected 5"))
        #expect(!prompt.contains("log line 1\n"))  // the start of a long log is cut
        #expect(prompt.contains("v1 (score 0.90, llm, generation 1): fix the clamp bound"))
        #expect(prompt.contains("passes where this one fails: demo/d01-clamp"))
        #expect(prompt.contains("<<<<<<< SEARCH"))
        #expect(prompt.contains("It runs as `python3 $EVOLVE_AGENT_DIR/agent.py`"))
        // The file named in the failure comes first; the big file is over the cap and only named.
        let sourcePart = try #require(prompt.range(of: "# Source (")).lowerBound
        let shown = prompt[sourcePart...]
        #expect(shown.contains("\nfuncs/clamp.py\n```python"))
        #expect(shown.range(of: "funcs/clamp.py")!.lowerBound < shown.range(of: "agent.py\n```")!.lowerBound)
        #expect(!shown.contains("x = 1  # padding"))
        #expect(shown.contains("Not shown: notes_big.py ("))
        let header = shown.prefix { $0 != "\n" }
        let bytes = Int(header.components(separatedBy: ", ")[1].components(separatedBy: " of ")[0])!
        #expect(bytes <= 4096)
    }

    @Test func badAnswersMakeInvalidChildrenWithReasonAndRawAnswer() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: [])
        let huge = String(repeating: "y", count: 1_048_576)
        let cases: [(EditFormat, String, String)] = [
            (
                .wholeFile, "Hmm. I think the answer is 42. <|im_end|> ~~",
                "no edit found in the answer: it has no fenced code block (```)"
            ),
            (.wholeFile, "", "the answer is empty"),
            (.wholeFile, huge, "the answer is 1048576 bytes, over the 262144-byte cap"),
            (
                .searchReplace, "funcs/nope.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n",
                "the answer names funcs/nope.py, which the parent does not have"
            ),
            (
                .unifiedDiff,
                "--- a/funcs/clamp.py\n+++ b/funcs/clamp.py\n@@ -1,2 +1,2 @@\n-def clamp(a):\n+def clamp(b):\n",
                "hunk 1 of funcs/clamp.py does not apply: its context and removed lines are not in the file"
            ),
        ]
        for (format, answer, reason) in cases {
            let result = try await LLMOperator(provider: ScriptedProvider([answer]), format: format).mutate(
                demo.request())
            #expect(result.invalidReason == reason)
            if answer.utf8.count < 1000 { #expect(result.info.rawAnswer == answer) }
        }
        // A 1 MB answer is kept only up to the cap.
        let result = try await LLMOperator(provider: ScriptedProvider([huge]), format: .wholeFile).mutate(
            demo.request())
        #expect((result.info.rawAnswer?.utf8.count ?? 0) < 262_144 + 100)
    }

    @Test func aFailedModelCallIsAnInvalidChildNotAThrow() async throws {
        let demo = try DemoArchive()
        let result = try await LLMOperator(provider: ScriptedProvider([nil])).mutate(demo.request())
        #expect(
            result.invalidReason
                == "the model call failed: the scripted provider answered HTTP 503: overloaded (gave up after 4 attempts)"
        )
    }

    @Test func reflexionShowsTheErrorAndTakesTheRevisedAnswer() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: [])
        let model = ScriptedProvider(["I would change the comparison.", "```python\n\(fixedClampFile)```"])
        let result = try await LLMOperator(provider: model, format: .wholeFile, reflexionRounds: 1).mutate(
            demo.request())
        #expect(try demo.files(of: result)?["funcs/clamp.py"] == fixedClampFile)
        #expect(model.requests.count == 2)
        let second = try #require(model.requests.last)
        #expect(second.messages.count == 4)
        #expect(second.messages[2] == .assistant("I would change the comparison."))
        #expect(second.messages[3].content.hasPrefix("Your edit could not be used: no edit found in the answer"))
        #expect(second.messages[3].content.contains("the corrected funcs/clamp.py in full"))
    }

    @Test func reflexionSelfCheckKeepsAGoodEdit() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: [])
        for second in ["NO CHANGES", "Sorry, I cannot help with that."] {
            let model = ScriptedProvider(["```python\n\(fixedClampFile)```", second])
            let result = try await LLMOperator(provider: model, format: .wholeFile, reflexionRounds: 1)
                .mutate(demo.request())
            #expect(try demo.files(of: result)?["funcs/clamp.py"] == fixedClampFile)
            #expect(model.requests.last?.messages.last?.content.contains("reply with exactly NO CHANGES") == true)
        }
        // Both answers bad: the reason is the last one's, the raw answer holds both.
        let model = ScriptedProvider(["nothing", ""])
        let result = try await LLMOperator(provider: model, format: .wholeFile, reflexionRounds: 1).mutate(
            demo.request())
        #expect(result.invalidReason == "the answer is empty")
        #expect(result.info.rawAnswer?.contains("=== answer 1 of 2 ===\nnothing") == true)
    }

    @Test func costModelAndCallRecords() async throws {
        let demo = try DemoArchive()
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: [])
        let recorder = InMemoryCallRecorder()
        let prices = PriceTable(["scripted-model": ModelPrice(input: 1.0, output: 4.0)])
        let op = LLMOperator(
            provider: ScriptedProvider(["```python\n\(fixedClampFile)```"]), format: .wholeFile, temperature: 0.5,
            maxTokens: 700, prices: prices, recorder: recorder)
        let result = try await op.mutate(demo.request(key: "r1/g2/s1"))
        #expect(abs(result.info.costUSD - 0.0018) < 1e-12)  // 1000 × $1/M + 200 × $4/M
        #expect(result.info.model == "scripted-model-2025")
        let calls = await recorder.calls
        #expect(calls.count == 1)
        #expect(calls.first?.taskKey == "meta-agent/r1/g2/s1")
        #expect(calls.first?.request.contains("\"max_tokens\":700") == true)
    }
}

// MARK: - Self-improvement

@Suite("Self-improve operator")
struct SelfImproveOperatorTests {

    /// A tiny agent whose `self_improve` fixes its clamp and leaves a note of what it was asked.
    static let improver = """
        import os, sys
        task = open(os.environ["EVOLVE_TASK_FILE"]).read()
        assert os.getcwd() == "/work", os.getcwd()
        assert not os.access(os.environ["EVOLVE_AGENT_DIR"], os.W_OK), "the running copy must be read-only"
        src = open("funcs/clamp.py").read()
        open("funcs/clamp.py", "w").write(src.replace("if x < hi:", "if x > hi:"))
        open("NOTES.md", "w").write("asked about: " + ("demo/d01-clamp" if "demo/d01-clamp" in task else "?") + "\\n")
        os.makedirs("__pycache__", exist_ok=True)
        open("__pycache__/junk.pyc", "wb").write(b"x")
        print("improved myself")
        """

    @Test(.enabled(if: hasBubblewrap, "bubblewrap is not installed"))
    func theAgentEditsItsOwnSourceInTheSandbox() async throws {
        let demo = try DemoArchive(
            extraFiles: ["improve.py": Self.improver],
            agentYAML:
                "name: demo\nrun: python3 $EVOLVE_AGENT_DIR/agent.py\nself_improve: python3 $EVOLVE_AGENT_DIR/improve.py\n"
        )
        try demo.recordOutcomes(failed: ["d01-clamp": DemoArchive.clampLog], passed: ["d02-is-palindrome"])
        let op = SelfImproveOperator(limits: SandboxLimitsForTests.short)
        let result = try await op.mutate(demo.request())
        let files = try #require(try demo.files(of: result))
        #expect(files["funcs/clamp.py"] == fixedClampFile)
        #expect(files["NOTES.md"] == "asked about: demo/d01-clamp\n")
        #expect(files.keys.allSatisfy { !$0.contains("__pycache__") })
        #expect(result.info.summary.hasPrefix("self-improvement for demo/d01-clamp (exit 0"))
    }

    @Test(.enabled(if: hasBubblewrap, "bubblewrap is not installed"))
    func anAgentThatChangesNothingMakesAnInvalidChild() async throws {
        let demo = try DemoArchive(
            agentYAML: "name: demo\nrun: python3 agent.py\nself_improve: echo thinking; exit 3\n")
        let result = try await SelfImproveOperator(limits: SandboxLimitsForTests.short).mutate(demo.request())
        #expect(result.invalidReason?.hasPrefix("the self-improvement step changed nothing (exit 3, ") == true)
        #expect(result.info.rawAnswer?.contains("thinking") == true)
    }

    @Test func anAgentWithoutSelfImproveMakesAnInvalidChild() async throws {
        let demo = try DemoArchive()
        let result = try await SelfImproveOperator().mutate(demo.request())
        #expect(result.invalidReason == "the agent has no self_improve command")
    }

    @Test func theImprovementTaskNamesTheFailures() throws {
        let report = ParentReport(
            failures: [
                TaskFailure(
                    suite: "demo", task: "d01-clamp", status: .failed, detail: "check exit 1",
                    statement: "Fix clamp.", log: DemoArchive.clampLog)
            ], passed: ["demo/d02-is-palindrome"], taskCounts: ["demo": 10], exampleStatements: [:])
        let text = SelfImproveOperator.statement(agent: "demo", report: report, focus: report.failures.first)
        #expect(text.contains("On the task suite `demo` (10 tasks) you passed 1."))
        #expect(text.contains("### demo/d01-clamp: failed (check exit 1)"))
        #expect(text.contains("Fix clamp."))
        #expect(text.contains("clamp(5, 0, 10) returned 10, expected 5"))
    }
}

enum SandboxLimitsForTests {
    static let short = SandboxLimits(timeoutSeconds: 30, memoryMB: 512, pids: 64)
}
