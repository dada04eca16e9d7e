import EvolveSandbox

/// How an agent runs in a sandbox: its command with its source read-only at `/agent`, a statement at
/// `/task/prompt.md`, a writable workspace at `/work`, and, when there is a gateway, the relay and a token of
/// its own (never a real key). The evaluator runs a task this way and the `self` operator a self-improvement,
/// so an agent finds the same places and variables in both.
public struct AgentStep: Sendable {
    /// Where the agent's source, the statement and the workspace appear inside the sandbox.
    public static let agentMount = "/agent"
    public static let taskFileInSandbox = "/task/prompt.md"
    public static let workspaceMount = "/work"

    /// A line for `/bin/sh -c`, run in the workspace.
    public var command: String
    /// Host folder with the agent's source; mounted read-only.
    public var agentSource: String
    /// Host path of the statement the agent reads (`EVOLVE_TASK_FILE`).
    public var statement: String
    /// Host folder the agent may write: the task's workspace, or the copy of its source it improves.
    public var workspace: String
    /// `EVOLVE_TASK_ID`: the task's id, or `self-improve`.
    public var taskID: String
    /// The gateway's key for this step's token and budgets (a `TaskKey`'s text).
    public var tokenKey: String
    public var turnLimit: Int
    public var limits: SandboxLimits
    /// For logs and job names.
    public var label: String

    public init(
        command: String, agentSource: String, statement: String, workspace: String, taskID: String, tokenKey: String,
        turnLimit: Int, limits: SandboxLimits, label: String
    ) {
        self.command = command
        self.agentSource = agentSource
        self.statement = statement
        self.workspace = workspace
        self.taskID = taskID
        self.tokenKey = tokenKey
        self.turnLimit = turnLimit
        self.limits = limits
        self.label = label
    }

    /// The sandbox step, through the gateway's relay when there is one.
    public func spec(gateway: GatewayAccess?) -> SandboxSpec {
        var binds: [SandboxSpec.Bind] = [
            .init(source: agentSource, destination: Self.agentMount),
            .init(source: statement, destination: Self.taskFileInSandbox),
        ]
        var environment = [
            "EVOLVE_AGENT_DIR": Self.agentMount,
            "EVOLVE_TASK_FILE": Self.taskFileInSandbox,
            "EVOLVE_TURN_LIMIT": "\(turnLimit)",
            "EVOLVE_TASK_ID": taskID,
        ]
        var shell = SandboxSpec.Command.shell(command)
        if let gateway {
            binds.append(.init(source: gateway.socketPath, destination: GatewayAccess.socketInSandbox))  // read-only
            binds.append(.init(source: gateway.relayScriptPath, destination: gateway.relayDestination))
            environment["OPENAI_BASE_URL"] = "http://127.0.0.1:\(GatewayAccess.portInSandbox)/v1"
            environment["OPENAI_API_KEY"] = gateway.tokenForTask(tokenKey)
            shell = .argv(gateway.relayed(["/bin/sh", "-c", command]))
        }
        return SandboxSpec(
            command: shell, workspace: workspace, workspaceMount: Self.workspaceMount, binds: binds,
            environment: environment, limits: limits, label: label)
    }
}
