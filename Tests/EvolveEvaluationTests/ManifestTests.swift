import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

@Suite("Suite and agent manifests")
struct ManifestTests {
    @Test func loadsTheSmokeSuite() throws {
        let suite = try Suite.load(from: smokeSuitePath)
        #expect(suite.name == "smoke")
        #expect(suite.taskIDs == ["s01-add", "s02-greet", "s03-largest", "s04-vowels"])
        #expect(suite.timeoutSeconds == 20)
        #expect(suite.stages == [SuiteStage(tasks: .first(2), threshold: 0.5), SuiteStage(tasks: .all)])
        #expect(suite.task("s04-vowels")?.checkTimeoutSeconds == 15)
        #expect(suite.task("s01-add")?.checkTimeoutSeconds == 20)
        #expect(suite.task("s01-add")?.testsPath?.hasSuffix("s01-add/tests") == true)
        #expect(suite.task("s01-add")?.check == "python3 -m unittest discover -s tests")
    }

    @Test func everySuiteAndAgentInTheRepositoryLoads() throws {
        let suites = "\(repoRoot)/seeds/suites"
        let names = (Files.entries(suites) ?? []).filter { Files.exists("\(suites)/\($0)/suite.yaml") }
        #expect(names.contains("smoke"))
        for name in names {
            let suite = try Suite.load(from: "\(suites)/\(name)")
            #expect(!suite.tasks.isEmpty)
        }
        let agents = "\(repoRoot)/seeds/agents"
        for name in (Files.entries(agents) ?? []) where Files.exists("\(agents)/\(name)/agent.yaml") {
            let agent = try AgentManifest.load(fromDirectory: "\(agents)/\(name)")
            #expect(!agent.run.isEmpty)
        }
    }

    @Test func locatesSuitesByNameOrPath() throws {
        let byName = try Suite.locate("smoke", searchPaths: ["\(repoRoot)/seeds/suites"])
        #expect(byName.hasSuffix("seeds/suites/smoke"))
        #expect(try Suite.locate(smokeSuitePath) == smokeSuitePath)
        do {
            _ = try Suite.locate("nope", searchPaths: ["\(repoRoot)/seeds/suites"])
            Issue.record("an unknown suite was found")
        } catch let error as EvolveError {
            #expect(error.kind == .notFound)
            #expect(error.hint?.contains("smoke") == true)
        }
    }

    @Test func anUnknownKeyIsReportedWithFileAndLine() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\ncheck: true\ntimeuot_s: 5\n")
        try scratch.write("s/tasks/t1/prompt.md", "do it")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("suite.yaml:3"))
        #expect(message.contains("timeuot_s"))
    }

    @Test func aBadValueNamesTheKey() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\ntimeout_s: soon\n")
        try scratch.write("s/tasks/t1/prompt.md", "do it")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("suite.yaml:2"))
        #expect(message.contains("timeout_s"))
        #expect(message.contains("soon"))
    }

    @Test func aTaskOverrideIsCheckedToo() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\n")
        try scratch.write("s/tasks/t1/prompt.md", "do it")
        try scratch.write("s/tasks/t1/task.yaml", "meta: {difficulty: easy}\ncheck_timeout_s: -1\n")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("task.yaml:2"))
        #expect(message.contains("check_timeout_s"))
    }

    @Test func aTaskWithoutAPromptIsRefused() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\n")
        try scratch.write("s/tasks/t1/workspace/a.py", "")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("t1 has no prompt.md"))
    }

    @Test func brokenYAMLGivesTheLine() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\nstages: [{tasks: 2, threshold: 0.5}\n")
        try scratch.write("s/tasks/t1/prompt.md", "do it")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("suite.yaml:"))
    }

    @Test func badStagesAreExplained() throws {
        let scratch = try Scratch()
        try scratch.write("s/suite.yaml", "name: s\nstages:\n  - {tasks: 1, threshold: 1.5}\n")
        try scratch.write("s/tasks/t1/prompt.md", "do it")
        let message = errorMessage { _ = try Suite.load(from: scratch.file("s")) }
        #expect(message.contains("suite.yaml:3"))
        #expect(message.contains("threshold"))
    }

    @Test func agentManifestNeedsARunCommand() {
        let message = errorMessage { _ = try AgentManifest.parse("name: x\n", path: "seed/agent.yaml") }
        #expect(message.contains("seed/agent.yaml"))
        #expect(message.contains("'run'"))
        let typo = errorMessage { _ = try AgentManifest.parse("name: x\nrun: a\nself_improv: b\n", path: "agent.yaml") }
        #expect(typo.contains("agent.yaml:3"))
        #expect(typo.contains("self_improv"))
    }

    @Test func agentManifestParses() throws {
        let agent = try AgentManifest.parse(
            "name: coder\nrun: python3 agent.py\nself_improve: python3 agent.py --improve\n")
        #expect(
            agent == AgentManifest(name: "coder", run: "python3 agent.py", selfImprove: "python3 agent.py --improve"))
    }

    @Test func stagesSplitTheSuiteInOrder() {
        let ids = (1...10).map { "t\($0)" }
        let plan = SuiteStage.plan(
            [SuiteStage(tasks: .first(3), threshold: 0.4), SuiteStage(tasks: .all)], taskIDs: ids)
        #expect(plan.map(\.tasks) == [["t1", "t2", "t3"], Array(ids[3...])])
        #expect(plan.map(\.threshold) == [0.4, nil])
        let named = SuiteStage.plan([SuiteStage(tasks: .named(["t5", "t2"]), threshold: 1)], taskIDs: ids)
        #expect(named.first?.tasks == ["t2", "t5"])
        #expect(named.count == 2, "tasks no stage names run last")
        #expect(SuiteStage.plan([], taskIDs: ids).map(\.tasks) == [ids])
    }
}

/// The description of the error `body` throws, or "" (and a recorded issue) when it throws none.
func errorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        Issue.record("expected an error")
        return ""
    } catch {
        return "\(error)"
    }
}
