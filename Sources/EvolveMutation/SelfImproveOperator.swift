import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import Foundation

/// `self`: the parent agent improves itself (DGM, SICA).
///
/// The parent's source is checked out twice: a read-only copy it runs from (`EVOLVE_AGENT_DIR`, as in a task)
/// and a writable copy that is its workspace. It gets an improvement task built from its failures (which tasks,
/// their statements, the end of their logs) in `EVOLVE_TASK_FILE`, the gateway if there is one, and runs its
/// `self_improve` command from `agent.yaml` in the sandbox. Whatever the workspace holds afterwards (less
/// `__pycache__` and other droppings) is the child; no change, no `self_improve` line or an unreadable
/// `agent.yaml` make an invalid child.
public struct SelfImproveOperator: MutationOperator {
    public let name = OperatorKind.selfImprove.rawValue
    public let arity = 1

    /// Where the run happens: this machine (`Sandbox`, the default) or a cluster node.
    public let sandbox: any StepExecutor
    /// The improvement step's limits; its wall time is usually longer than a task's.
    public let limits: SandboxLimits
    public let gateway: GatewayAccess?
    public let turnLimit: Int
    /// Overrides the request's suites folder when set.
    public let suitesDirectory: String?
    /// A workspace larger than this afterwards makes an invalid child.
    public let maxSourceBytes: Int

    /// Where things appear inside the sandbox (the same places as in a task).
    static let agentMount = AgentStep.agentMount
    static let workspaceMount = AgentStep.workspaceMount
    static let taskFileInSandbox = AgentStep.taskFileInSandbox

    public init(
        sandbox: any StepExecutor = Sandbox(), limits: SandboxLimits = SandboxLimits(timeoutSeconds: 600),
        gateway: GatewayAccess? = nil, turnLimit: Int = 30, suitesDirectory: String? = nil,
        maxSourceBytes: Int = 16 * 1024 * 1024
    ) {
        self.sandbox = sandbox
        self.limits = limits
        self.gateway = gateway
        self.turnLimit = turnLimit
        self.suitesDirectory = suitesDirectory
        self.maxSourceBytes = maxSourceBytes
    }

    // MARK: - Making a child

    public func mutate(_ request: MutationRequest) async throws -> MutationResult {
        let parent = request.parents[0]
        let archive = request.archive
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-self")
        defer { Files.removeTree(scratch) }
        let original = scratch + "/agent"
        let workspace = scratch + "/source"
        try archive.checkout(parent.id, into: original)
        try archive.checkout(parent.id, into: workspace)

        let manifest: AgentManifest
        do {
            manifest = try AgentManifest.load(fromDirectory: original)
        } catch let error as EvolveError {
            return .invalid(
                reason: "the agent's agent.yaml cannot be read: \(error.message)",
                MutationInfo(summary: "self-improvement of \(parent.id)"))
        }
        guard let command = manifest.selfImprove, !command.trimmingCharacters(in: .whitespaces).isEmpty else {
            return .invalid(
                reason: "the agent has no self_improve command",
                MutationInfo(summary: "self-improvement of \(parent.id)"))
        }

        let report = try ParentReport.load(
            archive: archive, tree: parent.tree, suites: request.suites,
            suitesDirectory: suitesDirectory ?? request.suitesDirectory)
        let focus = report.focus(seed: request.seed)
        let taskFile = scratch + "/improve.md"
        try Files.writeAtomically(
            Data(Self.statement(agent: manifest.name, report: report, focus: focus).utf8), to: taskFile)

        let spec = step(
            command: command, original: original, workspace: workspace, taskFile: taskFile, key: request.key)
        let result = try await sandbox.run(spec)
        gateway?.endTask(TaskKey.selfImprove(child: request.key).description)  // the step is over: its token is revoked
        if result.termination == .killed { throw CancellationError() }
        let how = "\(result.summary(limits: limits)), " + String(format: "%.1f s", result.wallSeconds)
        var info = MutationInfo(
            summary: "self-improvement" + (focus.map { " for \($0.key)" } ?? "") + " (\(how))")

        Self.removeDroppings(workspace)
        let size = Self.treeSize(workspace)
        guard size <= maxSourceBytes else {
            info.rawAnswer = Self.tail(result.output)
            return .invalid(reason: "the improved source is \(size) bytes, over the \(maxSourceBytes)-byte cap", info)
        }
        let tree: String
        do {
            tree = try archive.writeTree(fromDirectory: workspace)
        } catch let error as EvolveError where error.kind == .io || error.kind == .git {
            info.rawAnswer = Self.tail(result.output)
            return .invalid(reason: "the improved source cannot be stored: \(error.message)", info)
        }
        guard tree != parent.tree else {
            info.rawAnswer = Self.tail(result.output)
            return .invalid(reason: "the self-improvement step changed nothing (\(how))", info)
        }
        return .tree(tree, info)
    }

    // MARK: - The sandboxed step

    /// The agent's `self_improve` line with its pristine source read-only at `/agent` and the writable copy as
    /// the working directory, through the gateway's relay when there is one.
    func step(command: String, original: String, workspace: String, taskFile: String, key: String) -> SandboxSpec {
        AgentStep(
            command: command, agentSource: original, statement: taskFile, workspace: workspace,
            taskID: "self-improve", tokenKey: TaskKey.selfImprove(child: key).description, turnLimit: turnLimit,
            limits: limits,
            label: "\(key).self-improve"
        ).spec(gateway: gateway)
    }

    // MARK: - The improvement task

    /// What the agent reads: its goal, its record, and its failures with the end of their logs.
    static func statement(agent: String, report: ParentReport, focus: TaskFailure?) -> String {
        var text = """
            # Improve yourself

            You are the AI agent `\(agent)`. The current directory is a writable copy of your own source code; \
            the copy you are running from is read-only at $EVOLVE_AGENT_DIR. Edit the source in the current \
            directory so that the next version of you solves more tasks. Keep `agent.yaml` working and keep \
            what already works; make one focused change that generalises, not a special case for one task. \
            Your edited source must still run.


            """
        for (suite, count) in report.taskCounts.sorted(by: { $0.key < $1.key }) {
            let passed = report.passed.filter { $0.hasPrefix(suite + "/") }.count
            text += "On the task suite `\(suite)` (\(count) tasks) you passed \(passed).\n"
        }
        var failures = report.failures
        if let focus, let index = failures.firstIndex(of: focus) { failures.insert(failures.remove(at: index), at: 0) }
        guard !failures.isEmpty else {
            return text + "\nNo failed task is recorded. Make yourself more capable or more robust.\n"
        }
        text += "\n## The tasks you failed (\(failures.count); start with the first)\n"
        var budget = 24_000
        for (number, failure) in failures.enumerated() {
            var part = "\n### \(failure.key): \(failure.status.rawValue)"
            if let detail = failure.detail { part += " (\(detail))" }
            part += "\n"
            if number < 3, let statement = failure.statement {
                part += "The task said:\n\n" + statement.prefix(1500) + "\n\n"
            }
            part += "The end of the log:\n```\n\(LogTrim.tail(failure.log, lines: number == 0 ? 40 : 15))\n```\n"
            if part.utf8.count > budget && number > 0 {
                text +=
                    "\n(\(failures.count - number) more: "
                    + failures[number...].prefix(12).map(\.key)
                    .joined(separator: ", ") + ")\n"
                break
            }
            budget -= part.utf8.count
            text += part
        }
        return text
    }

    // MARK: - Files

    /// Removes what running Python or a shell leaves behind and git cannot store (`__pycache__`, `*.pyc`,
    /// sockets, pipes).
    static func removeDroppings(_ directory: String) {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var doomed: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let full = directory + "/" + relative
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            let name = (relative as NSString).lastPathComponent
            if kind == S_IFDIR && name == "__pycache__" {
                doomed.append(full)
                enumerator?.skipDescendants()
            } else if kind == S_IFREG && name.hasSuffix(".pyc") {
                doomed.append(full)
            } else if kind != S_IFDIR && kind != S_IFREG && kind != S_IFLNK {
                doomed.append(full)
            }
        }
        for path in doomed { Files.removeTree(path) }
    }

    static func treeSize(_ directory: String) -> Int {
        var total = 0
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            var st = stat()
            if lstat(directory + "/" + relative, &st) == 0, st.st_mode & S_IFMT == S_IFREG { total += Int(st.st_size) }
        }
        return total
    }

    static func tail(_ output: String) -> String {
        LogTrim.tail(output, lines: 80)
    }
}
