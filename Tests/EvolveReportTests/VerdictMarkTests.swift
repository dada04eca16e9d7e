import EvolveArchive
import Foundation
import Testing

@testable import EvolveReport

@Suite struct VerdictMarkTests {
    func variant() -> Variant {
        Variant(
            id: VariantID(3), commit: String(repeating: "a", count: 40), tree: String(repeating: "b", count: 40),
            parents: [], generation: 1, operator: "llm", run: nil, status: .valid, reason: nil, score: 0.5,
            summary: "a child", model: nil, costUSD: 0, createdAt: 0)
    }

    func outcome(_ task: String, source: String, passed: Bool) -> TaskOutcome {
        TaskOutcome(
            tree: String(repeating: "b", count: 40), suite: "s", task: task, status: passed ? .passed : .failed,
            durationSeconds: 1, log: "",
            verdicts: TaskVerdicts(source: source, tests: [TestVerdict(name: "t", outcome: passed ? .passed : .failed)])
        )
    }

    @Test func theSidePanelMarksExitStatusVerdictsForgeable() {
        let forged = VariantDetail(variant: variant(), outcomes: [outcome("a", source: "exit-status", passed: true)])
        #expect(forged.html().contains("forgeable verdict"))
        #expect(forged.html().contains("1/1 tests"))
        let trusted = VariantDetail(variant: variant(), outcomes: [outcome("a", source: "runner", passed: true)])
        #expect(!trusted.html().contains("forgeable"))
        #expect(trusted.json().contains("\"verdict_source\":\"runner\""))
    }
}
