/// How a sandboxed agent step reaches the LLM gateway.
///
/// The gateway (EvolveLLM) serves an OpenAI-compatible API on a Unix socket on the host. The evaluator
/// (EvolveEvaluation) binds that socket and a relay script into the sandbox, which otherwise has no
/// network, and runs the agent under the relay:
///
///     python3 /run/evolve/relay.py /run/evolve/gateway.sock 8080 -- sh -c '<agent run command>'
///
/// The relay listens on the sandbox's own 127.0.0.1:8080, forwards each connection to the socket, runs
/// the command, and exits with its status. The agent sees `OPENAI_BASE_URL=http://127.0.0.1:8080/v1` and
/// `OPENAI_API_KEY=<per-task token>`; never a real key.
public struct GatewayAccess: Sendable {
    /// Host path of the gateway's Unix socket.
    public var socketPath: String
    /// Host path of the relay script (Python, standard library only).
    public var relayScriptPath: String
    /// The per-task token for a task key (for example `v12/pyfix/t03`); the gateway maps it to budgets.
    public var tokenForTask: @Sendable (String) -> String

    /// Where the socket, the relay and the port appear inside the sandbox.
    public static let socketInSandbox = "/run/evolve/gateway.sock"
    public static let relayInSandbox = "/run/evolve/relay.py"
    public static let portInSandbox = 8080

    public init(socketPath: String, relayScriptPath: String, tokenForTask: @escaping @Sendable (String) -> String) {
        self.socketPath = socketPath
        self.relayScriptPath = relayScriptPath
        self.tokenForTask = tokenForTask
    }
}
