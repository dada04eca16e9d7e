import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

extension Scratch {
    /// A copy of the smoke suite, so a test (or a hostile agent, were it to escape) never touches the repository.
    func smokeSuite() throws -> Suite {
        try Suite.load(from: copyFixture(smokeSuitePath, to: "suites/smoke"))
    }

    /// An agent folder holding `agent.yaml` (running `agent.sh`) and the script.
    func shellAgent(_ name: String, script: String) throws -> String {
        try write("agents/\(name)/agent.yaml", "name: \(name)\nrun: sh $EVOLVE_AGENT_DIR/agent.sh\n")
        try write("agents/\(name)/agent.sh", script)
        return file("agents/\(name)")
    }

    /// A new archive whose v0 is the agent in `seed`.
    func archive(seed: String) throws -> Archive {
        try Archive.create(at: file("archive-\(UUID().uuidString.prefix(6))"), seed: seed)
    }
}

/// Evaluates the seed (v0) of `archive` on `suite`.
func evaluate(
    _ archive: Archive, suite: Suite, tasks: [String]? = nil, workers: Int = 2,
    limits: SandboxLimits = SandboxLimits(timeoutSeconds: 20), gateway: GatewayAccess? = nil,
    ahead: Duration? = .milliseconds(250)
) async throws -> EvaluationReport {
    let service = EvaluationService(
        archive: archive, workers: workers,
        evaluator: TaskEvaluator(limits: limits, gateway: gateway, checkAhead: ahead), prepareAhead: ahead)
    let variant = try archive.resolve("v0")
    return try await service.evaluate(EvaluationRequest(variant: variant, suite: suite, tasks: tasks))
}

extension EvaluationReport {
    func status(_ task: String) -> OutcomeStatus? { rows.first { $0.task == task }?.outcome?.status }
    func detail(_ task: String) -> String { rows.first { $0.task == task }?.outcome?.detail ?? "" }
    func log(_ task: String) -> String { rows.first { $0.task == task }?.outcome?.log ?? "" }
}

/// Every byte the archive holds, readable: the SQLite files as they are, and every git object decompressed.
func archiveContents(_ archive: Archive) throws -> String {
    var text = ""
    let root = archive.path
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let name = enumerator?.nextObject() as? String {
        let full = "\(root)/\(name)"
        if !name.contains("repo.git"), let data = FileManager.default.contents(atPath: full) {
            text += String(decoding: data, as: UTF8.self)
        }
    }
    let git = Spawn.command("/usr/bin/git", ["-C", "\(root)/repo.git", "cat-file", "--batch-all-objects", "--batch"])
    let data = try git.run(errorOutput: .discarded, timeout: .seconds(300)).output
    text += String(decoding: data, as: UTF8.self)
    return text
}

/// A snapshot of a folder's files (path → contents), to show that nothing changed.
func snapshot(_ root: String) -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let name = enumerator?.nextObject() as? String {
        if let data = FileManager.default.contents(atPath: "\(root)/\(name)") { files[name] = data }
    }
    return files
}

/// The fix for s02-greet, for agents that behave on the second task.
let solveGreet = #"printf 'def greet(name):\n    return "Hello, " + name + "!"\n' > greet.py"#
