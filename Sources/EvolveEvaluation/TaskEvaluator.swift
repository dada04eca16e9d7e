import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import Foundation

/// Runs one task of a suite for one agent: the agent step in a sandbox (tests hidden), then the check step in
/// a fresh sandbox (hidden tests copied in, agent gone). The outcome comes from the check's exit status, unless
/// the agent step broke a limit.
public struct TaskEvaluator: Sendable {
    /// Everything about the agent under evaluation that every task shares.
    public struct Agent: Sendable {
        /// Host folder with the agent's source (a checkout of its tree); mounted read-only.
        public var sourceDirectory: String
        /// The agent's `agent.yaml`, or why it could not be read (every task then fails with that reason).
        public var manifest: Result<AgentManifest, EvolveError>
        /// The tree id outcomes are recorded under.
        public var tree: String
        /// For gateway tokens and logs, e.g. "v12".
        public var label: String

        public init(sourceDirectory: String, manifest: Result<AgentManifest, EvolveError>, tree: String, label: String)
        {
            self.sourceDirectory = sourceDirectory
            self.manifest = manifest
            self.tree = tree
            self.label = label
        }
    }

    /// Where the agent's source, the task statement and the workspace appear inside the sandbox.
    public static let agentMount = AgentStep.agentMount
    public static let taskFileInSandbox = AgentStep.taskFileInSandbox
    public static let workspaceMount = AgentStep.workspaceMount

    /// Where each sandboxed step runs: this machine (`Sandbox`, the default) or a cluster node.
    public var sandbox: any StepExecutor
    /// Memory, processes, file size and output; the wall time comes from the suite or the task.
    public var limits: SandboxLimits
    public var gateway: GatewayAccess?
    public var turnLimit: Int
    /// How long an agent step runs before the check step's sandbox is built beside it (nil: never ahead, the
    /// check's sandbox is built when the agent step has ended). Building it while the agent waits on a model
    /// takes it off the task's path; a step shorter than this never pays for a sandbox it might not need.
    public var checkAhead: Duration?

    public init(
        sandbox: any StepExecutor = Sandbox(), limits: SandboxLimits = .standard, gateway: GatewayAccess? = nil,
        turnLimit: Int = 30, checkAhead: Duration? = .milliseconds(250)
    ) {
        self.sandbox = sandbox
        self.limits = limits
        self.gateway = gateway
        self.turnLimit = turnLimit
        self.checkAhead = checkAhead
    }

    /// A task made ready ahead of its turn (`prepare`): its folder, its workspace, and its agent step's
    /// sandbox built and held. Evaluate it once with `evaluate(_:)`, or `discard(_:)` it.
    public struct PreparedTask: Sendable {
        public let task: SuiteTask
        let suite: String
        let agent: Agent
        let run: String?
        /// The scratch folder and the held agent step, or why they could not be made (reported when the task
        /// is evaluated, as if it had failed then).
        let ready: Result<(scratch: String, agentStep: PreparedStep?), any Error>
    }

    /// Drops a prepared task unrun: kills its held sandbox, revokes its gateway token, removes its folder.
    public func discard(_ prepared: PreparedTask) {
        guard case .success(let ready) = prepared.ready else { return }
        ready.agentStep?.discard()
        endAgentToken(prepared.task, suite: prepared.suite, agent: prepared.agent)
        ScratchFolders.shared.discard(ready.scratch)
    }

    /// Revokes the gateway token of the task's agent step (issued when its sandbox was specified).
    private func endAgentToken(_ task: SuiteTask, suite: String, agent: Agent) {
        gateway?.endTask(TaskKey.task(agent: agent.label, suite: suite, task: task.id).description)
    }

    /// Gets the task ready to run without starting the agent: a scratch folder, the task's starting files in
    /// its workspace, and the agent step's sandbox built and held (`StepExecutor.prepare`). Never throws: what
    /// fails here is reported by `evaluate(_:)`.
    public func prepare(_ task: SuiteTask, suite: String, agent: Agent, run: String? = nil) -> PreparedTask {
        PreparedTask(
            task: task, suite: suite, agent: agent, run: run,
            ready: Result {
                let scratch = try ScratchFolders.shared.make(prefix: "evolve-task")
                guard case .success(let manifest) = agent.manifest else { return (scratch, nil) }
                do {
                    let workspace = "\(scratch)/workspace"
                    try copyTree(task.workspacePath, to: workspace)
                    let step = sandbox.prepare(
                        agentStep(task, suite: suite, agent: agent, manifest: manifest, workspace: workspace))
                    return (scratch, step)
                } catch {
                    ScratchFolders.shared.discard(scratch)
                    throw error
                }
            })
    }

    /// Runs the task; throws only when cancelled or when the sandbox cannot start. Whatever the agent left in
    /// its workspace (a tree deeper than `PATH_MAX`, millions of files, FIFOs, links, unreadable folders …)
    /// ends the task as `crashed` with the reason, and the task's scratch folder is removed in every case.
    public func evaluate(_ task: SuiteTask, suite: String, agent: Agent, run: String? = nil) async throws -> TaskOutcome
    {
        try await evaluate(prepare(task, suite: suite, agent: agent, run: run))
    }

    /// Runs a prepared task (see `evaluate(_:suite:agent:run:)`); its time counts from this call.
    public func evaluate(_ prepared: PreparedTask) async throws -> TaskOutcome {
        let started = Date()
        let (task, suite, agent, run) = (prepared.task, prepared.suite, prepared.agent, prepared.run)
        var result: TaskOutcome
        var scratch: String?
        do {
            let ready = try prepared.ready.get()
            scratch = ready.scratch
            result = try await evaluate(
                task, suite: suite, agent: agent, run: run, scratch: ready.scratch, agentStep: ready.agentStep,
                started: started)
        } catch {
            if let scratch { ScratchFolders.shared.discard(scratch) }
            guard let reason = Self.containedFailure(error) else { throw error }
            return TaskOutcome(
                tree: agent.tree, suite: suite, task: task.id, status: .crashed,
                durationSeconds: Date().timeIntervalSince(started), log: "engine: \(error)\n", detail: reason, run: run)
        }
        do {
            if let scratch { try ScratchFolders.shared.remove(scratch) }
        } catch {
            result.status = .crashed
            result.detail = "the task's folder cannot be removed: \(error)"
        }
        return result
    }

    /// Why an engine error ends just this task (as `crashed`), or nil when it must stop the evaluation: a
    /// cancellation, or a sandbox that cannot start (every task would fail the same way, and outcomes are kept).
    static func containedFailure(_ error: any Error) -> String? {
        if error is CancellationError || Task.isCancelled { return nil }
        if let lost = error as? StepLost { return lost.description }
        if let error = error as? EvolveError, error.kind == .sandbox || error.kind == .interrupted { return nil }
        return "engine error while running the task: \(error)"
    }

    private func evaluate(
        _ task: SuiteTask, suite: String, agent: Agent, run: String?, scratch: String, agentStep: PreparedStep?,
        started: Date
    ) async throws -> TaskOutcome {
        func outcome(_ status: OutcomeStatus, _ log: String, _ detail: String?) -> TaskOutcome {
            TaskOutcome(
                tree: agent.tree, suite: suite, task: task.id, status: status,
                durationSeconds: Date().timeIntervalSince(started), log: log, detail: detail, run: run)
        }
        guard let agentStep else {
            // `prepare` holds no step only when the agent has no usable agent.yaml.
            if case .failure(let error) = agent.manifest {
                return outcome(.crashed, "agent.yaml: \(error)", "the agent cannot be run: \(error.message)")
            }
            throw EvolveError(.sandbox, "the agent step of \(task.id) was not prepared")
        }
        let workspace = "\(scratch)/workspace"
        let format = task.resultsFormat
        let checkLimits = limits(task.checkTimeoutSeconds)
        let checkFolder = "\(scratch)/check"
        let resultsFolder = "\(scratch)/results"
        let checkSpec: @Sendable () throws -> SandboxSpec = { [self] in
            try self.checkStep(
                task, format: format, folder: checkFolder, resultsFolder: resultsFolder, limits: checkLimits
            ).labelled(Self.stepLabel(agent: agent.label, suite: suite, task: task.id, step: "check"))
        }

        // 1. The agent step: the agent's source read-only, the statement, the gateway if any; no tests. Once it
        //    has run for `checkAhead`, the check step's sandbox is built beside it (its folders empty until the
        //    agent is done) and held.
        let agentResult: SandboxResult
        let builtAhead: PreparedStep?
        do {
            (agentResult, builtAhead) = try await withCheckBuiltAhead { [sandbox] in
                try Self.makeCheckFolders(task, check: checkFolder, results: resultsFolder)
                return sandbox.prepare(try checkSpec())
            } running: {
                try await agentStep.run()
            }
        } catch {
            endAgentToken(task, suite: suite, agent: agent)
            throw error
        }
        var heldCheck = builtAhead
        defer { heldCheck?.discard() }
        // The step is over: its token is revoked.
        endAgentToken(task, suite: suite, agent: agent)
        var log = section("agent", agentResult, limits(task.timeoutSeconds))
        if agentResult.termination == .killed { throw CancellationError() }
        if let status = Self.limitStatus(agentResult.termination) {
            return outcome(status, log, "agent step " + agentResult.summary(limits: limits(task.timeoutSeconds)))
        }
        if let signal = agentResult.signal, Self.crashSignals.contains(signal) {
            return outcome(.crashed, log, "agent step " + agentResult.summary(limits: limits(task.timeoutSeconds)))
        }

        // 2. The check step: a folder without the agent's tests/, the hidden tests and the trusted runner mounted
        //    read-only outside it, a results folder of its own; a new sandbox without the agent's source or the
        //    gateway. The verdicts come from the results, never from the exit status alone (unless the suite's
        //    check leaves nothing else to read, which the outcome then says).
        let expected: [String]?
        do {
            expected = try expectedTests(task, format: format)
        } catch let error as EvolveError {
            return outcome(.failed, log, "cannot list the hidden tests: \(error.message)")
        }
        if heldCheck == nil { try Self.makeCheckFolders(task, check: checkFolder, results: resultsFolder) }
        do {
            try fillCheckWorkspace(checkFolder, from: workspace)
        } catch let error as TreeCopyError {
            return outcome(.crashed, log, "the workspace the agent left cannot be checked: \(error)")
        }
        if let name = format.resultsFileInCheckFolder { unlink("\(checkFolder)/\(name)") }
        let check: SandboxResult
        if let held = heldCheck {
            heldCheck = nil
            check = try await held.run()
        } else {
            check = try await sandbox.run(try checkSpec())
        }
        log += section("check", check, checkLimits)
        if check.termination == .killed { throw CancellationError() }
        let verdicts = readVerdicts(
            format: format, expected: expected, check: check, checkFolder: checkFolder, resultsFolder: resultsFolder,
            redactor: HiddenTextRedactor.forTask(task))
        var judged = judge(verdicts.verdicts, problem: verdicts.problem, check: check, limits: checkLimits)
        let agentNoteworthy =
            agentResult.exitStatus != 0 || agentResult.forksRefused > 0 || agentResult.outputBytesDropped > 0
        if judged.status != .passed, agentNoteworthy, let detail = judged.detail {
            judged.detail = "agent \(agentResult.summary(limits: limits)); \(detail)"
        }
        var result = outcome(judged.status, log, judged.detail)
        result.verdicts = verdicts.verdicts
        return result
    }

    // MARK: - Steps

    /// A step's name where it runs remotely (a Slurm job's name carries it), e.g. `v12.pyfix.t03.check`.
    static func stepLabel(agent: String, suite: String, task: String, step: String) -> String {
        "\(agent).\(suite).\(task).\(step)"
    }

    func agentStep(_ task: SuiteTask, suite: String, agent: Agent, manifest: AgentManifest, workspace: String)
        -> SandboxSpec
    {
        AgentStep(
            command: manifest.run, agentSource: agent.sourceDirectory, statement: task.promptPath,
            workspace: workspace, taskID: task.id,
            tokenKey: TaskKey.task(agent: agent.label, suite: suite, task: task.id).description,
            turnLimit: turnLimit, limits: limits(task.timeoutSeconds),
            label: Self.stepLabel(agent: agent.label, suite: suite, task: task.id, step: "agent")
        ).spec(gateway: gateway)
    }

    /// The step's limits: the suite's (or task's) time, never above the configured sandbox time.
    private func limits(_ seconds: Double) -> SandboxLimits {
        var limits = self.limits
        limits.timeoutSeconds = min(seconds, limits.timeoutSeconds)
        return limits
    }

    /// Signals that mean the program crashed rather than chose to fail.
    static let crashSignals: Set<Int32> = [4, 6, 7, 8, 11, 24, 25, 31]

    static func limitStatus(_ termination: SandboxResult.Termination) -> OutcomeStatus? {
        switch termination {
        case .timeout: return .timeout
        case .memory: return .memory
        case .outputCap: return .outputCap
        case .exited, .killed: return nil
        }
    }

    private func section(_ step: String, _ result: SandboxResult, _ limits: SandboxLimits) -> String {
        let seconds = String(format: "%.2f s", result.wallSeconds)
        var text = "── \(step) step: \(result.summary(limits: limits)), \(seconds) ──\n\(result.output)"
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    // MARK: - Files

    /// The limits of every copy out of a workspace, from the sandbox's (`file_size_mb`, `workspace_mb`,
    /// `workspace_files`).
    var workspaceCopyLimits: TreeCopyLimits {
        TreeCopyLimits(
            maxEntries: limits.workspaceFiles, maxTotalBytes: Int64(limits.workspaceMB) << 20,
            maxFileBytes: Int64(limits.fileSizeMB) << 20)
    }

    /// Copies a task's starting files into a fresh folder (an empty one when the task has none).
    private func copyTree(_ source: String?, to destination: String) throws {
        if let source {
            try TreeCopy.copy(from: source, to: destination, limits: workspaceCopyLimits)
        } else {
            try DirectoryHandle.makeDirectory(path: destination, permissions: 0o755)
        }
    }

    /// Makes the check's empty folders: the one it runs in (with an empty `tests/` where the hidden tests are
    /// mounted read-only, when the task has any) and its results folder (writable by the sandbox's user).
    /// Folders already there (made by a check built ahead that then failed) are kept.
    static func makeCheckFolders(_ task: SuiteTask, check: String, results: String) throws {
        for folder in [check] + (task.testsPath != nil ? ["\(check)/tests"] : []) + [results]
        where !Files.isDirectory(folder) {
            try makeFolder(folder)
        }
        chmod(results, 0o777)
    }

    /// Fills the check's folder with a fresh copy of what the agent left in `agentWorkspace`, bounded by
    /// `workspaceCopyLimits`, without its `tests/` (links copied as links, FIFOs, sockets and devices left out).
    /// The agent's folder itself is never checked, so nothing it holds reaches the check step but plain files,
    /// folders and links. Throws `TreeCopyError`.
    private func fillCheckWorkspace(_ checkFolder: String, from agentWorkspace: String) throws {
        try TreeCopy.copy(
            from: agentWorkspace, to: checkFolder, limits: workspaceCopyLimits, skippingTopLevel: ["tests"],
            intoExistingFolder: true)
    }

    /// Runs `step` and, if it is still running after `checkAhead`, `build` beside it; returns the step's result
    /// and what `build` made (nil when it did not run or failed: the check is then built when needed). If the
    /// step throws, a check built ahead is discarded.
    private func withCheckBuiltAhead(
        _ build: @escaping @Sendable () throws -> PreparedStep, running step: () async throws -> SandboxResult
    ) async throws -> (SandboxResult, PreparedStep?) {
        guard let lead = checkAhead else { return (try await step(), nil) }
        let ahead = Task { () -> PreparedStep? in
            try? await Task.sleep(for: lead)
            return Task.isCancelled ? nil : try? build()
        }
        let result: SandboxResult
        do {
            result = try await step()
        } catch {
            ahead.cancel()
            await ahead.value?.discard()
            throw error
        }
        ahead.cancel()
        return (result, await ahead.value)
    }
}
