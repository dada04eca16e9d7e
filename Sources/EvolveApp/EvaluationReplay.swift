import EvolveArchive
import EvolveEvaluation
import EvolveLLM
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import Foundation

/// `evolve eval --replay`: runs a variant's tasks again with the model's recorded answers instead of the
/// model, and compares each outcome with the recorded one. Nothing is recorded: a replay checks that an
/// evaluation is reproducible without paying for (or even reaching) the model.
public enum EvaluationReplay {
    public struct Row: Sendable {
        public var task: String
        public var recorded: OutcomeStatus?
        public var replayed: TaskOutcome
        public var same: Bool { recorded == replayed.status }
    }

    public static func run(
        archive: Archive, variant: Variant, suite: Suite, tasks: [String]? = nil, limits: SandboxLimits,
        turnLimit: Int = 30, budget: TaskBudget = TaskBudget(), workers: Int = 2
    ) async throws -> [Row] {
        let calls = try archive.calls().filter { $0.variant == variant.id && $0.purpose == "agent" }
        let records = try calls.map { try RecordedCall(transcriptJSON: Data(try archive.blob($0.transcriptBlob).utf8)) }
        guard !records.isEmpty else {
            throw EvolveError(
                .notFound, "\(variant.id) has no recorded model calls to replay",
                hint: "a replay re-runs evaluations whose agent called its model through the gateway")
        }
        let gateway = Gateway(provider: ReplayProvider(records: records), budget: budget)
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-replay")
        defer {
            gateway.stop()
            Files.removeTree(folder)
        }
        let access = try gateway.serve(in: folder + "/gateway")
        let evaluator = TaskEvaluator(limits: limits, gateway: access, turnLimit: turnLimit)
        let source = folder + "/\(variant.id)"
        try archive.checkout(variant.id, into: source)
        chmod(folder, 0o755)
        let manifest: Result<AgentManifest, EvolveError>
        do {
            manifest = .success(try AgentManifest.load(fromDirectory: source))
        } catch let error as EvolveError {
            manifest = .failure(error)
        }
        let agent = TaskEvaluator.Agent(
            sourceDirectory: source, manifest: manifest, tree: variant.tree,
            label: variant.id.description)
        let recorded = Dictionary(
            try archive.outcomes(tree: variant.tree, suite: suite.name).filter { $0.attempt == 0 }.map {
                ($0.task, $0.status)
            },
            uniquingKeysWith: { a, _ in a })
        // Tasks to replay: those asked for, else those whose agent made recorded calls.
        let withCalls = Set(calls.compactMap { $0.taskKey.flatMap { TaskKey($0).taskID } })
        let selected = suite.tasks.filter { tasks?.contains($0.id) ?? withCalls.contains($0.id) }
        let pool = TokenBucket(tokens: max(1, workers))
        return try await withThrowingTaskGroup(of: Row.self) { group in
            for task in selected {
                group.addTask {
                    let outcome = try await pool.withToken {
                        try await evaluator.evaluate(task, suite: suite.name, agent: agent)
                    }
                    return Row(task: task.id, recorded: recorded[task.id], replayed: outcome)
                }
            }
            var rows: [Row] = []
            for try await row in group { rows.append(row) }
            return rows.sorted { $0.task < $1.task }
        }
    }
}
