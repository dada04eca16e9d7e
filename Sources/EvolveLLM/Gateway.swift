import EvolveSupport
import EvolveTasks
import Foundation
import Logging

/// The engine's OpenAI-compatible endpoint for sandboxed agents.
///
/// Agents call `POST /v1/chat/completions` with a per-task token as their API key. The gateway maps the
/// token to a task and its `TaskBudget`, forwards the request to the configured provider (whose real key
/// never leaves the engine), counts tokens and cost, adds a reminder as the task nears its turn limit,
/// refuses politely past it, grants extensions on request, and reports every call to the `CallRecorder`.
/// The protocol is described for agent authors in docs/llm.md.
public final class Gateway: @unchecked Sendable {
    public let provider: any LLMProvider
    public let prices: PriceTable
    public let recorder: (any CallRecorder)?
    public let defaultBudget: TaskBudget
    /// Refuse every call once the run has spent this many dollars.
    public let costLimitUSD: Double?
    /// What each client may hold of the server (connections, body size, bytes in flight per task).
    public let limits: HTTPServerLimits
    /// The `max_tokens` reserved (and forwarded) for a call that names none.
    public let defaultMaxTokens: Int
    let logger: Logger

    /// Words an assistant reply may contain to ask for more turns.
    public static let extensionMarker = "REQUEST_EXTENSION"
    /// A request header that asks for more turns (any value).
    public static let extensionHeader = "X-Evolve-Extension"
    /// How the reminder appended to an answer begins.
    public static let reminderPrefix = "[evolve gateway]"

    private let secret: String
    let ledger = BudgetLedger()
    let callNumbers = TurnCounter()
    private let lock = NSLock()
    private var server: HTTPServer?
    private var boundSocket: String?

    public init(
        provider: any LLMProvider, prices: PriceTable = PriceTable(), recorder: (any CallRecorder)? = nil,
        budget: TaskBudget = TaskBudget(), costLimitUSD: Double? = nil, limits: HTTPServerLimits = .standard,
        defaultMaxTokens: Int = 4096, logger: Logger = Logger(label: "evolve.llm.gateway")
    ) {
        self.limits = limits
        self.defaultMaxTokens = defaultMaxTokens
        self.logger = logger
        self.provider = provider
        self.prices = prices
        self.recorder = recorder
        self.defaultBudget = budget
        self.costLimitUSD = costLimitUSD
        var generator = SystemRandomNumberGenerator()
        secret = (0..<4).map { _ in String(generator.next(), radix: 16) }.joined()
    }

    deinit { stop() }

    // MARK: - Serving

    /// Serves on a Unix socket (the sandbox reaches it through the relay).
    public func listen(unixSocket path: String) throws {
        let server = makeServer()
        try server.listen(unixSocket: path)
        lock.withLock {
            self.server = server
            boundSocket = path
        }
    }

    /// Serves on 127.0.0.1 (tests and benchmarks); returns the port.
    @discardableResult
    public func listen(port: UInt16 = 0) throws -> UInt16 {
        try listen(host: "127.0.0.1", port: port)
    }

    /// Serves on TCP at `host`, an IP address of this machine (port 0 picks a free one), and returns the
    /// port: for agents on other machines (a cluster's nodes). Every call still needs its task's token.
    /// Every interface (`0.0.0.0`, `::`) only with `allowAllInterfaces`.
    @discardableResult
    public func listen(host: String, port: UInt16, allowAllInterfaces: Bool = false) throws -> UInt16 {
        let server = makeServer()
        let bound = try server.listen(host: host, port: port, allowAllInterfaces: allowAllInterfaces)
        lock.withLock { self.server = server }
        return bound
    }

    private func makeServer() -> HTTPServer {
        HTTPServer(
            limits: limits,
            admit: { [weak self] request in
                self?.admit(request) ?? .refuse(.json(503, object: ["error": ["message": "the gateway has stopped"]]))
            },
            handler: { [weak self] request in
                await self?.handle(request) ?? .json(503, object: ["error": ["message": "the gateway has stopped"]])
            })
    }

    /// The server in use, if listening (tests look at its connection counts).
    public var httpServer: HTTPServer? { lock.withLock { server } }

    /// Serves on `<folder>/gateway.sock`, writes the relay to `<folder>/relay.py`, and returns what the
    /// evaluator needs. The folder is made private (0700) if it does not exist.
    public func serve(in folder: String) throws -> GatewayAccess {
        let relay = try writeRelay(in: folder)
        try listen(unixSocket: "\(folder)/gateway.sock")
        return access(relayScriptPath: relay)
    }

    /// Serves on TCP only, at `host:port` (see `listen(host:port:allowAllInterfaces:)`), writes the relay to
    /// `folder`, and returns what the evaluator needs with the port bound. The access names no socket: a
    /// remote executor binds its node's own relay socket where the gateway's socket goes in the sandbox.
    public func serve(
        in folder: String, host: String, port: UInt16, allowAllInterfaces: Bool = false
    ) throws -> (access: GatewayAccess, port: UInt16) {
        let relay = try writeRelay(in: folder)
        let bound = try listen(host: host, port: port, allowAllInterfaces: allowAllInterfaces)
        return (access(relayScriptPath: relay), bound)
    }

    /// Makes `folder` private (0700) if it does not exist and writes the relay there.
    private func writeRelay(in folder: String) throws -> String {
        if !Files.isDirectory(folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw EvolveError(.io, "cannot make the gateway folder \(folder): \(error.localizedDescription)")
            }
        }
        return try GatewayRelay.write(to: folder)
    }

    /// The socket being served, if any.
    public var socketPath: String? { lock.withLock { boundSocket } }

    /// What the evaluator binds into each sandbox. Call after `listen(unixSocket:)` or use `serve(in:)`.
    public func access(relayScriptPath: String) -> GatewayAccess {
        GatewayAccess(
            socketPath: socketPath ?? "", relayScriptPath: relayScriptPath,
            tokenForTask: { [self] task in token(forTask: task) },
            endTask: { [weak self] task in self?.endTask(task) })
    }

    /// Stops serving. Calls in flight finish; new connections are refused.
    public func stop() {
        let server = lock.withLock {
            let running = self.server
            self.server = nil
            return running
        }
        server?.stop()
    }

    // MARK: - Tasks and budgets

    /// The token for a task (the same one until the task ends), registering the task with the default
    /// budget.
    public func token(forTask task: String) -> String {
        ledger.register(task: task, budget: defaultBudget, replace: false) { tokenText(task, issue: $0) }
    }

    /// Registers a task with its own budget (replacing what it had) and returns its token.
    @discardableResult
    public func register(task: String, budget: TaskBudget) -> String {
        ledger.register(task: task, budget: budget, replace: true) { tokenText(task, issue: $0) }
    }

    /// Ends a task: its token is revoked at once (every later request with it gets 401, even on a
    /// connection already open); its usage stays readable. Asking for the task's token again issues a
    /// new one.
    public func endTask(_ task: String) {
        ledger.revoke(task: task)
    }

    /// What a task has used, or nil for a task never registered.
    public func usage(forTask task: String) -> TaskUsage? { ledger.usage(task) }

    /// Everything that went through this gateway.
    public var totals: GatewayTotals { ledger.snapshot }

    private func tokenText(_ task: String, issue: Int) -> String {
        "evk-" + SHA256.hex("\(secret)\u{0}\(task)\u{0}\(issue)").prefix(40)
    }

    // MARK: - Routing

    /// Answers one HTTP request (the server calls this; tests may too).
    public func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        var path = String(request.path.split(separator: "?", maxSplits: 1).first ?? "")
        if path.hasPrefix("/v1/") { path.removeFirst(3) }
        switch (request.method, path) {
        case ("GET", "/health"):
            return .json(200, object: ["status": "ok"])
        case ("POST", "/chat/completions"):
            return await withTask(request) { await self.chat(request, task: $0) }
        case ("GET", "/models"):
            return await withTask(request) { _ in
                .json(
                    200,
                    object: [
                        "object": "list",
                        "data": [["id": self.provider.model, "object": "model", "owned_by": "evolve"]],
                    ])
            }
        case ("POST", "/evolve/extension"):
            return await withTask(request) { self.extensionEndpoint(task: $0) }
        case ("GET", "/evolve/budget"):
            return await withTask(request) { task in
                let usage = self.ledger.usage(task)
                return .json(200, (try? CanonicalJSON.encoder.encode(usage)) ?? Data("{}".utf8))
            }
        case (_, "/chat/completions"), (_, "/models"), (_, "/evolve/extension"), (_, "/evolve/budget"):
            return Self.error(
                405,
                "use \(path == "/chat/completions" || path == "/evolve/extension" ? "POST" : "GET") for \(request.path)",
                type: "invalid_request_error")
        default:
            return Self.error(
                404, "the evolve gateway has no \(request.method) \(request.path); it serves POST /v1/chat/completions",
                type: "invalid_request_error")
        }
    }

    /// The server's check of a request's headers, before its body is read: a known token, or the
    /// health check (charged to one shared key).
    func admit(_ request: HTTPServerRequest) -> HTTPServerAdmission {
        let path = request.path.split(separator: "?").first.map(String.init) ?? ""
        if request.method == "GET", path == "/health" || path == "/v1/health" {
            return .accept(key: " anonymous")
        }
        guard let task = task(of: request) else { return .refuse(Self.unknownToken) }
        return .accept(key: task)
    }

    private func task(of request: HTTPServerRequest) -> String? {
        var token = request.headers["authorization"] ?? request.headers["x-api-key"] ?? ""
        if token.lowercased().hasPrefix("bearer ") {
            token = String(token.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return token.isEmpty ? nil : ledger.task(forToken: token)
    }

    static var unknownToken: HTTPServerResponse {
        error(
            401, "unknown gateway token: use the OPENAI_API_KEY the engine gave this task (it ends with the task)",
            type: "invalid_request_error", code: "invalid_api_key")
    }

    private func withTask(
        _ request: HTTPServerRequest, _ body: (String) async -> HTTPServerResponse
    ) async -> HTTPServerResponse {
        guard let task = task(of: request) else { return Self.unknownToken }
        return await body(task)
    }

    static func error(_ status: Int, _ message: String, type: String, code: String? = nil, extra: [String: Any] = [:])
        -> HTTPServerResponse
    {
        var error: [String: Any] = ["message": message, "type": type]
        if let code { error["code"] = code }
        var object: [String: Any] = ["error": error]
        for (key, value) in extra { object[key] = value }
        return .json(status, object: object)
    }
}
