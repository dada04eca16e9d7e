import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import Foundation

/// What to evaluate: one variant on one suite, all tasks (in stages) or a chosen few.
public struct EvaluationRequest: Sendable {
    public var variant: Variant
    public var suite: Suite
    /// Only these tasks (no stages then); nil for the whole suite.
    public var tasks: [String]?
    /// Overrides the suite's stages (for example from a run configuration); nil keeps the suite's.
    public var stages: [SuiteStage]?
    /// Run id stored with each outcome.
    public var run: String?
    /// Whether to store the score on the variant (and mark it valid) when the whole suite was evaluated.
    public var recordScore: Bool

    public init(
        variant: Variant, suite: Suite, tasks: [String]? = nil, stages: [SuiteStage]? = nil, run: String? = nil,
        recordScore: Bool = false
    ) {
        self.variant = variant
        self.suite = suite
        self.tasks = tasks
        self.stages = stages
        self.run = run
        self.recordScore = recordScore
    }
}

/// Evaluates variants of an archive on task suites: skips tasks already recorded for the variant's tree, runs
/// the rest in sandboxes on a bounded pool of workers, records each outcome the moment it is known, and
/// reports per-task rows and the score.
public final class EvaluationService: Sendable {
    public let archive: Archive
    public let evaluator: TaskEvaluator
    /// Shared by every evaluation this service runs.
    public let pool: TokenBucket
    /// How long a task waits for a worker before it gets ready ahead (`TaskEvaluator.prepare`: its workspace
    /// and its agent step's sandbox, built and held), so that it starts at once when a worker frees; nil:
    /// never ahead. At most `workers` tasks hold a prepared sandbox while they wait.
    public let prepareAhead: Duration?

    public init(
        archive: Archive, workers: Int, evaluator: TaskEvaluator = TaskEvaluator(),
        prepareAhead: Duration? = .milliseconds(250)
    ) {
        self.archive = archive
        self.evaluator = evaluator
        self.pool = TokenBucket(tokens: max(1, workers))
        self.prepareAhead = prepareAhead
    }

    /// Runs the request. `progress` is called once per task as its outcome is recorded (from any thread).
    public func evaluate(
        _ request: EvaluationRequest, progress: (@Sendable (TaskOutcome) -> Void)? = nil
    ) async throws -> EvaluationReport {
        let suite = request.suite
        let variant = request.variant
        let started = Date()
        if let wanted = request.tasks {
            let unknown = wanted.filter { suite.task($0) == nil }
            guard unknown.isEmpty else {
                throw EvolveError(
                    .usage, "suite \(suite.name) has no task \(unknown.joined(separator: ", "))",
                    hint: "its tasks are: \(suite.taskIDs.joined(separator: ", "))")
            }
        }

        // What is already known for this tree is never run again.
        var known: [String: TaskOutcome] = [:]
        for outcome in try archive.outcomes(tree: variant.tree, suite: suite.name) where known[outcome.task] == nil {
            known[outcome.task] = outcome
        }

        let plan: [(tasks: [String], threshold: Double?)]
        if let wanted = request.tasks {
            plan = [(suite.taskIDs.filter { wanted.contains($0) }, nil)]
        } else {
            plan = SuiteStage.plan(request.stages ?? suite.stages, taskIDs: suite.taskIDs)
        }

        let agent = try checkoutAgent(variant)
        defer { ScratchFolders.shared.discard(agent.scratch) }

        var results: [String: TaskOutcome] = [:]
        var fresh = Set<String>()
        var stoppedAfterStage: Int?
        for (index, stage) in plan.enumerated() {
            let toRun = stage.tasks.filter { known[$0] == nil }
            for id in stage.tasks { if let outcome = known[id] { results[id] = outcome } }
            let outcomes = try await runTasks(
                toRun, of: suite, agent: agent.agent, run: request.run, progress: progress)
            for outcome in outcomes {
                results[outcome.task] = outcome
                fresh.insert(outcome.task)
            }
            if let threshold = stage.threshold, index < plan.count - 1 {
                let sofar = plan[...index].flatMap(\.tasks)
                let passed = sofar.filter { results[$0]?.status.isPass == true }.count
                if Double(passed) / Double(max(sofar.count, 1)) < threshold {
                    stoppedAfterStage = index
                    break
                }
            }
        }

        let selected = plan.flatMap(\.tasks)
        let rows = selected.map { id in
            EvaluationReport.Row(
                task: id, outcome: results[id],
                state: results[id] == nil ? .notRun : (fresh.contains(id) ? .ran : .recorded))
        }
        let passed = rows.filter { $0.outcome?.status.isPass == true }.count
        var report = EvaluationReport(
            variant: variant.id, tree: variant.tree, suite: suite.name, rows: rows, passed: passed,
            suiteTaskCount: suite.tasks.count, ranCount: fresh.count,
            skippedCount: rows.filter { $0.state == .recorded }.count,
            stoppedAfterStage: stoppedAfterStage, partial: request.tasks != nil,
            seconds: Date().timeIntervalSince(started))
        report.objectives = suite.objectives
        if request.recordScore, request.tasks == nil {
            try archive.setScore(variant.id, score: report.score, status: .valid)
        }
        return report
    }

    // MARK: - Running

    /// Runs tasks with at most `pool.capacity` running at once and as many more waiting for a worker (those
    /// that wait long get ready ahead), recording each outcome as it comes.
    private func runTasks(
        _ ids: [String], of suite: Suite, agent: TaskEvaluator.Agent, run: String?,
        progress: (@Sendable (TaskOutcome) -> Void)?
    ) async throws -> [TaskOutcome] {
        guard !ids.isEmpty else { return [] }
        let evaluator = self.evaluator
        let pool = self.pool
        let archive = self.archive
        let prepareAhead = self.prepareAhead
        return try await withThrowingTaskGroup(of: TaskOutcome.self) { group in
            var pending = ids.compactMap { suite.task($0) }[...]
            var outcomes: [TaskOutcome] = []
            func startNext() {
                guard let task = pending.popFirst() else { return }
                group.addTask {
                    let outcome = try await pool.withToken(preparingAfter: prepareAhead) {
                        evaluator.prepare(task, suite: suite.name, agent: agent, run: run)
                    } _: { prepared in
                        do {
                            try Task.checkCancellation()
                        } catch {
                            if let prepared { evaluator.discard(prepared) }
                            throw error
                        }
                        return try await evaluator.evaluate(
                            prepared ?? evaluator.prepare(task, suite: suite.name, agent: agent, run: run))
                    }
                    try archive.record(outcome)
                    progress?(outcome)
                    return outcome
                }
            }
            let waiting = prepareAhead == nil ? 0 : pool.capacity
            for _ in 0..<min(pool.capacity + waiting, pending.count) { startNext() }
            while let outcome = try await group.next() {
                outcomes.append(outcome)
                startNext()
            }
            return outcomes
        }
    }

    /// Writes the variant's tree to a private folder and reads its agent.yaml.
    private func checkoutAgent(_ variant: Variant) throws -> (agent: TaskEvaluator.Agent, scratch: String) {
        let scratch = try ScratchFolders.shared.make(prefix: "evolve-agent")
        let source = "\(scratch)/\(variant.id)"
        do {
            try archive.checkout(variant.id, into: source, force: true)
        } catch {
            ScratchFolders.shared.discard(scratch)
            throw error
        }
        // The agent reads its source, never writes it: keep it readable for the sandbox's user.
        chmod(scratch, 0o755)
        let manifest: Result<AgentManifest, EvolveError>
        do {
            manifest = .success(try AgentManifest.load(fromDirectory: source))
        } catch let error as EvolveError {
            manifest = .failure(error)
        }
        return (
            TaskEvaluator.Agent(
                sourceDirectory: source, manifest: manifest, tree: variant.tree, label: "\(variant.id)"), scratch
        )
    }
}
