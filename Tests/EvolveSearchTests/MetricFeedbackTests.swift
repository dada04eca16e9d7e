import EvolveArchive
import EvolveEvaluation
import Foundation
import Testing

@testable import EvolveMutation

/// What the meta-agent reads of a check that reports metrics and artifacts.
@Suite("Metric feedback")
struct MetricFeedbackTests {
    @Test func artifactsAndMetricsReachTheFeedbackButNotTheCheckLog() {
        var verdicts = TaskVerdicts(
            source: "metrics", tests: [TestVerdict(name: "valid_packing", outcome: .failed)],
            metrics: ["sum_radii": 0, "valid": 0])
        verdicts.artifacts = ["check": "circles 3 and 7 overlap"]
        let outcome = TaskOutcome(
            tree: "t", suite: "circle-packing", task: "c01", status: .failed, durationSeconds: 1,
            log: "agent output\n── check step: HIDDEN-CHECK-OUTPUT\n", verdicts: verdicts)
        let text = Feedback.text(of: outcome, level: .verdicts)
        #expect(text.contains("agent output"))
        #expect(text.contains("check: circles 3 and 7 overlap"))
        #expect(text.contains("sum_radii = 0.0"))
        #expect(text.contains("FAIL  valid_packing"))
        #expect(!text.contains("HIDDEN-CHECK-OUTPUT"))
    }

    @Test func withoutArtifactsNoArtifactSection() {
        let outcome = TaskOutcome(
            tree: "t", suite: "s", task: "a", status: .passed, durationSeconds: 1, log: "",
            verdicts: TaskVerdicts(source: "runner", tests: [TestVerdict(name: "t", outcome: .passed)]))
        let text = Feedback.text(of: outcome, level: .verdicts)
        #expect(!text.contains("artifacts"))
        #expect(!text.contains("metrics"))
    }
}
