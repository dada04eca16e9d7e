import EvolveArchive
import EvolveSandbox
import EvolveSupport
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
    public static let agentMount = "/agent"
    public static let taskFileInSandbox = "/task/prompt.md"
    public static let workspaceMount = "/work"

    public var sandbox: Sandbox
    /// Memory, processes, file size and output; the wall time comes from the suite or the task.
    public var limits: SandboxLimits
    public var gateway: GatewayAccess?
    public var turnLimit: Int

    public init(
        sandbox: Sandbox = Sandbox(), limits: SandboxLimits = .standard, gateway: GatewayAccess? = nil,
        turnLimit: Int = 30
    ) {
        self.sandbox = sandbox
        self.limits = limits
        self.gateway = gateway
        self.turnLimit = turnLimit
    }

    /// Runs the task; throws only when the engine (not the agent) failed, or when cancelled.
    public func evaluate(_ task: SuiteTask, suite: String, agent: Agent, run: String? = nil) async throws -> TaskOutcome
    {
        let started = Date()
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

        let scratch = try ScratchFolders.shared.make(prefix: "evolve-task")
        defer { ScratchFolders.shared.remove(scratch) }
        let workspace = "\(scratch)/workspace"
        try copyTree(task.workspacePath, to: workspace)

        // 1. The agent step: the agent's source read-only, the statement, the gateway if any; no tests.
        let agentResult = try await sandbox.run(
            agentStep(task, suite: suite, agent: agent, manifest: manifest, workspace: workspace))
        gateway?.endTask("\(agent.label)/\(suite)/\(task.id)")  // the step is over: its token is revoked
        var log = section("agent", agentResult, limits(task.timeoutSeconds))
        if agentResult.termination == .killed { throw CancellationError() }
        if let status = Self.limitStatus(agentResult.termination) {
            return outcome(status, log, "agent step " + agentResult.summary(limits: limits(task.timeoutSeconds)))
        }
        if let signal = agentResult.signal, Self.crashSignals.contains(signal) {
            return outcome(.crashed, log, "agent step " + agentResult.summary(limits: limits(task.timeoutSeconds)))
        }

        // 2. The check step: the hidden tests replace whatever the agent left under tests/; a new sandbox
        //    without the agent's source or the gateway.
        try restoreTests(task, workspace: workspace)
        let checkLimits = limits(task.checkTimeoutSeconds)
        let check = try await sandbox.run(
            SandboxSpec(
                command: .shell(task.check), workspace: workspace, workspaceMount: Self.workspaceMount,
                limits: checkLimits))
        log += section("check", check, checkLimits)
        if check.termination == .killed { throw CancellationError() }
        let detail = "check " + check.summary(limits: checkLimits)
        if let status = Self.limitStatus(check.termination) { return outcome(status, log, detail) }
        if check.succeeded { return outcome(.passed, log, nil) }
        if let signal = check.signal, Self.crashSignals.contains(signal) { return outcome(.crashed, log, detail) }
        let agentNoteworthy =
            agentResult.exitStatus != 0 || agentResult.forksRefused > 0 || agentResult.outputBytesDropped > 0
        return outcome(
            .failed, log, agentNoteworthy ? "agent \(agentResult.summary(limits: limits)); \(detail)" : detail)
    }

    // MARK: - Steps

    func agentStep(_ task: SuiteTask, suite: String, agent: Agent, manifest: AgentManifest, workspace: String)
        -> SandboxSpec
    {
        var binds: [SandboxSpec.Bind] = [
            .init(source: agent.sourceDirectory, destination: Self.agentMount),
            .init(source: task.promptPath, destination: Self.taskFileInSandbox),
        ]
        var environment = [
            "EVOLVE_AGENT_DIR": Self.agentMount,
            "EVOLVE_TASK_FILE": Self.taskFileInSandbox,
            "EVOLVE_TURN_LIMIT": "\(turnLimit)",
            "EVOLVE_TASK_ID": task.id,
        ]
        var command = SandboxSpec.Command.shell(manifest.run)
        if let gateway {
            binds.append(.init(source: gateway.socketPath, destination: GatewayAccess.socketInSandbox))  // read-only
            binds.append(.init(source: gateway.relayScriptPath, destination: gateway.relayDestination))
            environment["OPENAI_BASE_URL"] = "http://127.0.0.1:\(GatewayAccess.portInSandbox)/v1"
            environment["OPENAI_API_KEY"] = gateway.tokenForTask("\(agent.label)/\(suite)/\(task.id)")
            command = .argv(gateway.relayed(["/bin/sh", "-c", manifest.run]))
        }
        return SandboxSpec(
            command: command, workspace: workspace, workspaceMount: Self.workspaceMount, binds: binds,
            environment: environment, limits: limits(task.timeoutSeconds))
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

    /// Copies a task's starting files into a fresh folder (an empty one when the task has none).
    private func copyTree(_ source: String?, to destination: String) throws {
        do {
            if let source {
                try FileManager.default.copyItem(atPath: source, toPath: destination)
            } else {
                try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
            }
        } catch {
            throw EvolveError(.io, "cannot prepare the workspace \(destination): \(error.localizedDescription)")
        }
    }

    /// Removes whatever the agent left at `tests` (a folder, a file, a link) and copies the hidden tests in.
    private func restoreTests(_ task: SuiteTask, workspace: String) throws {
        let target = "\(workspace)/tests"
        if Files.exists(target) {
            var st = stat()
            if lstat(target, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR {
                unlink(target)
            } else {
                try? FileManager.default.removeItem(atPath: target)
            }
            guard !Files.exists(target) else {
                throw EvolveError(.io, "cannot clear \(target) before copying the hidden tests in")
            }
        }
        guard let tests = task.testsPath else { return }
        do {
            try FileManager.default.copyItem(atPath: tests, toPath: target)
        } catch {
            throw EvolveError(.io, "cannot copy the hidden tests of \(task.id): \(error.localizedDescription)")
        }
    }
}
