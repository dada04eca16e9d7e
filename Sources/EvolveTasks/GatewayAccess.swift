/// How a sandboxed agent step reaches the LLM gateway.
///
/// The gateway (EvolveLLM) serves an OpenAI-compatible API on a Unix socket on the host. The evaluator
/// (EvolveEvaluation) binds that socket (read-only: connecting still works, but no agent can chmod,
/// remove or replace it for the others) and the relay into the sandbox, which otherwise has no network,
/// and runs the agent under the relay (`relayed(_:)`):
///
///     /run/evolve/relay /run/evolve/gateway.sock 8080 -- sh -c '<agent run command>'
///
/// (`python3 /run/evolve/relay.py ...` when the relay is the Python fallback.)
///
/// The relay listens on the sandbox's own 127.0.0.1:8080, forwards each connection to the socket, runs
/// the command, and exits with its status. The agent sees `OPENAI_BASE_URL=http://127.0.0.1:8080/v1` and
/// `OPENAI_API_KEY=<per-task token>`; never a real key.
public struct GatewayAccess: Sendable {
    /// Host path of the gateway's Unix socket.
    public var socketPath: String
    /// Host path of the relay: the compiled one, or a Python script (a path ending in `.py`).
    public var relayScriptPath: String
    /// The per-task token for a task key (for example `v12/pyfix/t03`); the gateway maps it to budgets.
    public var tokenForTask: @Sendable (String) -> String
    /// Ends a task by its key: its token is revoked, so a process the sandbox left behind can spend nothing
    /// more. Call it once the task's step is over.
    public var endTask: @Sendable (String) -> Void

    /// Where the socket, the relay and the port appear inside the sandbox.
    public static let socketInSandbox = "/run/evolve/gateway.sock"
    public static let relayInSandbox = "/run/evolve/relay.py"
    public static let compiledRelayInSandbox = "/run/evolve/relay"
    public static let portInSandbox = 8080

    public init(
        socketPath: String, relayScriptPath: String, tokenForTask: @escaping @Sendable (String) -> String,
        endTask: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.socketPath = socketPath
        self.relayScriptPath = relayScriptPath
        self.tokenForTask = tokenForTask
        self.endTask = endTask
    }

    /// Where the relay is bound inside the sandbox.
    public var relayDestination: String {
        relayScriptPath.hasSuffix(".py") ? Self.relayInSandbox : Self.compiledRelayInSandbox
    }

    /// `command` run under the relay, as the sandbox's command line.
    public func relayed(_ command: [String]) -> [String] {
        let relay = relayScriptPath.hasSuffix(".py") ? ["python3", Self.relayInSandbox] : [Self.compiledRelayInSandbox]
        return relay + [Self.socketInSandbox, "\(Self.portInSandbox)", "--"] + command
    }
}
