import EvolveArchive
import EvolveEvaluation
import EvolveSandbox
import EvolveSupport
import EvolveTasks
import Foundation

/// What `evolve eval` asks for.
public struct EvalRequest: Sendable {
    /// The run configuration to take defaults from; nil: `configs/default.yaml` when it exists (here, else in
    /// the evolve folder this executable was built in).
    public var configPath: String?
    public var archive: Archive
    /// A variant id (v12) or a commit prefix.
    public var id: String
    /// A suite name (in the config's suites folder) or a suite folder; nil: the config's first suite.
    public var suite: String?
    /// Only these tasks (no stages then).
    public var tasks: [String]?
    public var workers: Int?

    public init(configPath: String?, archive: Archive, id: String, suite: String?, tasks: [String]?, workers: Int?) {
        self.configPath = configPath
        self.archive = archive
        self.id = id
        self.suite = suite
        self.tasks = tasks
        self.workers = workers
    }
}

/// `evolve eval` wired as a search is: the same configuration defaults, the same evaluator, and the gateway
/// when agents use a model. Stop it (`stop()`) when the evaluation is over.
public struct PreparedEval: Sendable {
    public var variant: Variant
    public var suite: Suite
    public var config: RunConfig?
    public var limits: SandboxLimits
    public var workers: Int
    public var turnLimit: Int
    let environment: SearchEnvironment?
    public let service: EvaluationService

    /// Reads the configuration, the variant and the suite; starts the gateway (and a local model) only when
    /// `withEvaluator` and the configuration gives agents a model.
    public static func prepare(_ request: EvalRequest, withEvaluator: Bool = true) async throws -> PreparedEval {
        let config = try loadConfig(request.configPath)
        let variant = try request.archive.resolve(request.id)
        guard let suiteName = request.suite ?? config?.suites.first else {
            throw EvolveError(
                .usage, "which suite? pass --suite NAME", hint: "for example: evolve eval \(request.id) --suite smoke")
        }
        let suitePath = try Suite.locate(suiteName, searchPaths: [config?.suitesDir ?? "seeds/suites"])
        let suite = try Suite.load(from: suitePath)
        let limits = config?.sandbox ?? .standard
        try limits.validate()
        // An agent that uses a model reaches it through the gateway, as in a search.
        var evaluator = TaskEvaluator(limits: limits)
        var environment: SearchEnvironment?
        if withEvaluator, var withModel = config, withModel.agentModel != nil {
            withModel.operators = []
            let started = try await SearchEnvironment.start(config: withModel, archive: request.archive, runID: "eval")
            evaluator = started.evaluator
            environment = started
        }
        let workers = request.workers ?? config?.workers ?? 2
        return PreparedEval(
            variant: variant, suite: suite, config: config, limits: limits, workers: workers,
            turnLimit: config?.budget.turns ?? 30, environment: environment,
            service: EvaluationService(archive: request.archive, workers: workers, evaluator: evaluator))
    }

    /// Stops the gateway and the local model, if they were started.
    public func stop() { environment?.stop() }

    static func loadConfig(_ path: String?) throws -> RunConfig? {
        if let path { return try ConfigLoader.load(path) }
        // As a search: the default here, else the one of the evolve folder this executable was built in.
        guard let found = SearchSetup.defaultConfigLocation() else { return nil }
        let config = try ConfigLoader.load(found.path)
        return found.home.map { config.resolvingSourcePaths(against: $0) } ?? config
    }
}
