import EvolveArchive
import EvolveEvaluation
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveMutation

/// A solution that reads the hidden tests and prints them (and raises them as its error) during the check:
/// the meta-agent's prompts and the self-improvement statement must show its verdicts, never the test text.
@Suite(.serialized, .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct FeedbackLeakTests {
    /// Lines of smoke/s01-add's hidden test file.
    static let hiddenLines = ["self.assertEqual(add(-4, 1), -3)", "self.assertAlmostEqual(add(0.5, 0.25), 0.75)"]

    static let leakingAgent = """
        cat > calc.py <<'EOF'
        import glob
        HIDDEN = "".join(open(p).read() for p in glob.glob("/evolve/tests/*.py") + glob.glob("tests/*.py"))
        print(HIDDEN)
        def add(a, b):
            raise ValueError(HIDDEN)
        EOF
        echo "agent: wrote calc.py"
        """

    /// Evaluates the leaking agent on s01-add of a copy of the smoke suite (with `feedback` if given) and
    /// returns the parent report the mutation operators build their prompts from.
    func leakedReport(feedback: String?, in dir: String) async throws -> (ParentReport, Variant, Archive) {
        let suites = "\(dir)/suites"
        try FileManager.default.createDirectory(atPath: suites, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(repoRoot)/seeds/suites/smoke", toPath: "\(suites)/smoke")
        if let feedback {
            let yaml = "\(suites)/smoke/suite.yaml"
            try (try String(contentsOfFile: yaml, encoding: .utf8) + "feedback: \(feedback)\n")
                .write(toFile: yaml, atomically: true, encoding: .utf8)
        }
        let seed = "\(dir)/agent"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        try "name: leak\nrun: sh $EVOLVE_AGENT_DIR/agent.sh\n".write(
            toFile: "\(seed)/agent.yaml", atomically: true, encoding: .utf8)
        try Self.leakingAgent.write(toFile: "\(seed)/agent.sh", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: "\(dir)/archive", seed: seed)
        let variant = try archive.resolve("v0")
        let suite = try Suite.load(from: "\(suites)/smoke")
        let service = EvaluationService(
            archive: archive, workers: 1, evaluator: TaskEvaluator(limits: SandboxLimits(timeoutSeconds: 20)))
        let report = try await service.evaluate(EvaluationRequest(variant: variant, suite: suite, tasks: ["s01-add"]))
        #expect(report.rows.first?.outcome?.status == .failed)
        #expect(report.rows.first?.outcome?.log.contains(Self.hiddenLines[0]) == true, "the leak happened")
        let parent = try ParentReport.load(
            archive: archive, tree: variant.tree, suites: ["smoke"], suitesDirectory: suites)
        return (parent, variant, archive)
    }

    func prompts(_ report: ParentReport, variant: Variant, archive: Archive) throws -> [String] {
        let failure = try #require(report.failures.first)
        let file = SourceFile(path: "agent.sh", contents: Self.leakingAgent)
        let source = AgentSource(tree: variant.tree, files: [file])
        let digest = try ArchiveDigest.build(archive: archive, parent: variant, suites: ["smoke"])
        let full = MetaPrompt.full(
            parent: variant, source: source, report: report, focus: failure, digest: digest, runLine: nil,
            format: .searchReplace, sourceCap: 100_000)
        let focused = MetaPrompt.focused(file: file, failure: failure)
        let statement = SelfImproveOperator.statement(agent: "leak", report: report, focus: failure)
        return [full, focused].map { $0.messages.map(\.content).joined(separator: "\n") } + [statement]
    }

    @Test func promptsShowVerdictsNotTheHiddenTests() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-leak")
        defer { Files.removeTree(dir) }
        let (report, variant, archive) = try await leakedReport(feedback: nil, in: dir)
        for text in try prompts(report, variant: variant, archive: archive) {
            for line in Self.hiddenLines { #expect(!text.contains(line), "a prompt holds hidden test text: \(line)") }
            #expect(text.contains("test_calc.TestAdd.test_"), "the verdicts are shown")
            #expect(text.contains("ValueError"))
        }
        #expect(report.failures.first?.log.contains("agent: wrote calc.py") == true, "the agent's own output stays")
    }

    @Test func feedbackFullShowsTheCheckOutput() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-leak")
        defer { Files.removeTree(dir) }
        let (report, _, _) = try await leakedReport(feedback: "full", in: dir)
        #expect(report.failures.first?.log.contains(Self.hiddenLines[0]) == true)
    }
}
