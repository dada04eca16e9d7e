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

    public init(
        sandbox: any StepExecutor = Sandbox(), limits: SandboxLimits = .standard, gateway: GatewayAccess? = nil,
        turnLimit: Int = 30
    ) {
        self.sandbox = sandbox
        self.limits = limits
        self.gateway = gateway
        self.turnLimit = turnLimit
    }

    /// Runs the task; throws only when cancelled or when the sandbox cannot start. Whatever the agent left in
    /// its workspace (a tree deeper than `PATH_MAX`, millions of files, FIFOs, links, unreadable folders …)
    /// ends the task as `crashed` with the reason, and the task's scratch folder is removed in every case.
    public func evaluate(_ task: SuiteTask, suite: String, agent: Agent, run: String? = nil) async throws -> TaskOutcome
    {
        let started = Date()
        let scratch = try ScratchFolders.shared.make(prefix: "evolve-task")
        var result: TaskOutcome
        do {
            result = try await evaluate(task, suite: suite, agent: agent, run: run, scratch: scratch, started: started)
        } catch {
            ScratchFolders.shared.discard(scratch)
            guard let reason = Self.containedFailure(error) else { throw error }
            return TaskOutcome(
                tree: agent.tree, suite: suite, task: task.id, status: .crashed,
                durationSeconds: Date().timeIntervalSince(started), log: "engine: \(error)\n", detail: reason, run: run)
        }
        do {
            try ScratchFolders.shared.remove(scratch)
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
        _ task: SuiteTask, suite: String, agent: Agent, run: String?, scratch: String, started: Date
    ) async throws -> TaskOutcome {
        func outcome(_ status: OutcomeStatus, _ log: String, _ detail: String?) -> TaskOutcome {
            TaskOutcome(
                tree: agent.tree, suite: suite, task: task.id, status: status,
                durationSeconds: Date().timeIntervalSince(started), log: log, detail: detail, run: run)
        }
        let manifest: AgentManifest
        switch agent.manifest {
        case .success(let m): manifest = m
        case .failure(let error):
            return outcome(.crashed, "agent.yaml: \(error)", "the agent cannot be run: \(error.message)")
        }

        let workspace = "\(scratch)/workspace"
        try copyTree(task.workspacePath, to: workspace)

        // 1. The agent step: the agent's source read-only, the statement, the gateway if any; no tests.
        let agentResult = try await sandbox.run(
            agentStep(task, suite: suite, agent: agent, manifest: manifest, workspace: workspace))
        // The step is over: its token is revoked.
        gateway?.endTask(TaskKey.task(agent: agent.label, suite: suite, task: task.id).description)
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
        let format = task.resultsFormat
        let expected: [String]?
        do {
            expected = try expectedTests(task, format: format)
        } catch let error as EvolveError {
            return outcome(.failed, log, "cannot list the hidden tests: \(error.message)")
        }
        let checkFolder: String
        do {
            checkFolder = try prepareCheckWorkspace(task, agentWorkspace: workspace, scratch: scratch)
        } catch let error as TreeCopyError {
            return outcome(.crashed, log, "the workspace the agent left cannot be checked: \(error)")
        }
        let resultsFolder = "\(scratch)/results"
        try Self.makeFolder(resultsFolder)
        chmod(resultsFolder, 0o777)
        if let name = format.resultsFileInCheckFolder { unlink("\(checkFolder)/\(name)") }
        let checkLimits = limits(task.checkTimeoutSeconds)
        let check = try await sandbox.run(
            try checkStep(task, format: format, folder: checkFolder, resultsFolder: resultsFolder, limits: checkLimits)
                .labelled(Self.stepLabel(agent: agent.label, suite: suite, task: task.id, step: "check")))
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

    /// Returns the folder the check runs in: a fresh copy of what the agent left in `agentWorkspace`, bounded
    /// by `workspaceCopyLimits`, without its `tests/` (links copied as links, FIFOs, sockets and devices left
    /// out), with an empty `tests/` where the hidden tests are mounted read-only. The agent's folder itself is
    /// never checked, so nothing it holds reaches the check step but plain files, folders and links. Throws
    /// `TreeCopyError`.
    private func prepareCheckWorkspace(_ task: SuiteTask, agentWorkspace: String, scratch: String) throws -> String {
        let checkWorkspace = "\(scratch)/check"
        try TreeCopy.copy(
            from: agentWorkspace, to: checkWorkspace, limits: workspaceCopyLimits, skippingTopLevel: ["tests"])
        if task.testsPath != nil { try Self.makeFolder("\(checkWorkspace)/tests") }
        return checkWorkspace
    }
}
