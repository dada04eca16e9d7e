import EvolveArchive
import EvolveCluster
import EvolveEvaluation
import EvolveLLM
import EvolveMutation
import EvolveSandbox
import EvolveSearch
import EvolveSupport
import EvolveTasks
import Foundation

/// The services a search needs beyond the archive, started for one run and stopped when it ends:
/// the local model server (`provider: local`), the meta-agent's provider, and the gateway that sandboxed
/// agents reach their model through. Every call is recorded in the archive.
public final class SearchEnvironment: @unchecked Sendable {
    /// Operators that need a model or the sandbox (`llm`, `self`), by name.
    public let operators: [String: any MutationOperator]
    /// The evaluator, with the gateway wired in when agents use a model.
    public let evaluator: TaskEvaluator
    private let lock = NSLock()
    private var stops: [@Sendable () -> Void]

    private init(operators: [String: any MutationOperator], evaluator: TaskEvaluator, stops: [@Sendable () -> Void]) {
        self.operators = operators
        self.evaluator = evaluator
        self.stops = stops
    }

    /// Starts what `config` needs. `metaProvider` replaces the configured meta-agent (tests use a stub).
    public static func start(
        config: RunConfig, archive: Archive, runID: String, metaProvider: (any LLMProvider)? = nil,
        resumed: Bool = false, note: @Sendable (String) -> Void = { Terminal.note($0) }
    ) async throws -> SearchEnvironment {
        var stops: [@Sendable () -> Void] = []
        do {
            let usesLLM = config.operators.contains { $0.kind == .llm }
            let needsLocal =
                (usesLLM && metaProvider == nil && config.metaAgent?.provider == .local)
                || config.agentModel?.provider == .local
            let transport = CurlTransport()
            var localServer: LocalModelServer?
            if needsLocal {
                let files = try LocalModelFiles.locate()
                let server = LocalModelServer(files: files)
                note("Starting the local model (\(URL(fileURLWithPath: files.modelPath).lastPathComponent))…")
                try await server.start()
                stops.append { server.stop() }
                localServer = server
                note("Local model ready at \(server.baseURL)")
            }
            let recorder = ArchiveCallRecorder(archive: archive, run: runID)

            var gatewayAccess: GatewayAccess?
            var stepGateway: StepGateway?
            if let agentModel = config.agentModel {
                let provider = try ProviderFactory.make(agentModel, transport: transport, localServer: localServer)
                let gateway = Gateway(
                    provider: provider, prices: config.prices, recorder: recorder,
                    budget: TaskBudget(turns: config.budget.turns, tokens: config.budget.tokensPerTask),
                    costLimitUSD: config.budget.usd)
                let folder = try Files.makeTemporaryDirectory(prefix: "evolve-gateway")
                stops.append { Files.removeTree(folder) }
                if case .slurm(let settings) = config.executor, let address = try settings.parsedGatewayAddress() {
                    // Nodes without this machine's /tmp: TCP only, no socket here for any step to bind.
                    let served = try gateway.serve(
                        in: folder, host: address.host, port: address.port,
                        allowAllInterfaces: address.isAllInterfaces)
                    gatewayAccess = served.access
                    stepGateway = StepGateway(
                        host: address.hostForNodes, port: served.port, socketInSandbox: GatewayAccess.socketInSandbox)
                    var listening = address
                    listening.port = served.port
                    note("Gateway listening on TCP \(listening) for the nodes (every call needs its task's token)")
                    if address.isAllInterfaces {
                        note(
                            "Warning: the gateway listens on every interface (\(address.host)): anyone who reaches "
                                + "this machine can try tokens; nodes connect to \(address.hostForNodes)")
                    }
                } else {
                    gatewayAccess = try gateway.serve(in: folder)
                }
                stops.append { gateway.stop() }
            }

            let executor = try await Self.executor(
                config.executor, run: Self.clusterRunName(runID, archive: archive.path), resumed: resumed, note: note)
            if let slurm = executor as? SlurmExecutor {
                slurm.gateway = stepGateway
                // The end of the search (or Ctrl-C) leaves no job of this run behind.
                stops.append { Self.blocking { try? await slurm.cancelRun() } }
            }

            var operators: [String: any MutationOperator] = [:]
            for op in config.operators where operators[op.name] == nil {
                switch op.kind {
                case .llm:
                    guard let meta = config.metaAgent else {
                        throw EvolveError(.config, "the llm operator needs meta_agent: in the config")
                    }
                    let provider =
                        try metaProvider
                        ?? ProviderFactory.make(meta, transport: transport, localServer: localServer)
                    guard let format = EditFormat(configName: op.format ?? "whole-file") else {
                        throw EvolveError(
                            .config, "the edit format '\(op.format ?? "")' is unknown",
                            hint: "use whole-file, search-replace or unified-diff")
                    }
                    operators[op.name] = LLMOperator(
                        provider: provider, format: format, model: meta.model, temperature: meta.temperature,
                        maxTokens: meta.maxTokens, reflexionRounds: op.reflexion ?? 0,
                        sourceCap: op.maxSourceBytes ?? LLMOperator.defaultSourceCap,
                        suitesDirectory: config.suitesDir, prices: config.prices, recorder: recorder)
                case .selfImprove:
                    var limits = config.sandbox
                    limits.timeoutSeconds = max(limits.timeoutSeconds, 300)
                    operators[op.name] = SelfImproveOperator(
                        sandbox: executor, limits: limits, gateway: gatewayAccess, turnLimit: config.budget.turns,
                        suitesDirectory: config.suitesDir)
                case .crossover, .scripted, nil:
                    continue
                }
            }
            let evaluator = TaskEvaluator(
                sandbox: executor, limits: config.sandbox, gateway: gatewayAccess, turnLimit: config.budget.turns)
            return SearchEnvironment(operators: operators, evaluator: evaluator, stops: stops)
        } catch {
            for stop in stops.reversed() { stop() }
            throw error
        }
    }

    /// The step executor the config names. A resumed run on Slurm first cancels its jobs still queued or
    /// running from before the crash (their steps run again) and keeps the results of those that finished.
    static func executor(
        _ config: ExecutorConfig, run: String, resumed: Bool, note: @Sendable (String) -> Void
    ) async throws -> any StepExecutor {
        switch config {
        case .local:
            return Sandbox()
        case .slurm(let settings):
            let executor = try SlurmExecutor(settings: settings, run: run)
            if resumed {
                let found = try await executor.recover()
                if !found.cancelled.isEmpty || !found.finished.isEmpty {
                    note(
                        "Slurm: cancelled \(found.cancelled.count) job(s) of run \(run) still queued or running; "
                            + "\(found.finished.count) finished job(s) keep their results")
                }
            }
            note("Steps run as Slurm jobs (shared folder \(settings.sharedDir), at most \(settings.maxJobs) at once)")
            return executor
        }
    }

    /// The run's name on a cluster: the run id and a short fingerprint of the archive's path, so that two
    /// archives' runs `r1` never take each other's jobs for their own (jobs are found by name after a crash).
    static func clusterRunName(_ runID: String, archive: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Files.absolute(archive).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return runID + "-" + String(hash, radix: 16).prefix(8)
    }

    /// Runs async work to its end from synchronous code (a stop action), off the caller's thread.
    static func blocking(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await work()
            done.signal()
        }
        done.wait()
    }

    /// Stops everything that was started, newest first. Safe to call twice.
    public func stop() {
        lock.lock()
        let all = stops.reversed()
        stops.removeAll()
        lock.unlock()
        for s in all { s() }
    }

    deinit { stop() }
}
