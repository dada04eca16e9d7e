import EvolveCluster
import EvolveLLM
import EvolveMutation
import EvolveSandbox
import EvolveSearch
import EvolveSupport
import Foundation
import Yams

/// One run of the search, as `configs/<name>.yaml` describes it; flags override single keys.
/// The key names are fixed by DESIGN.md ("Run configuration").
public struct RunConfig: Codable, Sendable, Equatable {
    public var archive: String
    /// The seed agent's folder (imported as v0 when the archive is new).
    public var seed: String
    /// Suites the search evaluates on (names under `suites_dir`, or paths).
    public var suites: [String]
    public var suitesDir: String
    public var generations: Int
    /// Children made per generation.
    public var children: Int
    /// Sandboxes at once (parallel evaluation workers).
    public var workers: Int
    /// `pipeline` (the default: steady state, no generation barrier) or `lockstep` (generation by generation).
    public var scheduler: SchedulerKind
    /// Model calls at once in the pipeline (nil: as many as `workers`).
    public var proposals: Int?
    /// Children made but not yet evaluated, at most (nil: proposals + workers).
    public var maxPending: Int?
    /// The same seed gives the same archive in the pipeline (parents drawn from a fixed view, children
    /// recorded in order). Lockstep runs are always reproducible.
    public var deterministic: Bool
    public var randomSeed: UInt64
    public var selector: SelectorConfig
    public var operators: [OperatorConfig]
    /// The model that writes children (`llm` operator).
    public var metaAgent: ProviderConfig?
    /// The model that agents call through the gateway while they work on tasks.
    public var agentModel: ProviderConfig?
    public var budget: BudgetConfig
    public var sandbox: SandboxLimits
    /// USD per million tokens, by model name.
    public var prices: PriceTable
    /// Paths (or folder prefixes ending in `/`) that a mutation may not touch.
    public var protectedPaths: [String]
    /// Compile changed Python files before evaluating; a syntax error makes an invalid child.
    public var syntaxCheck: Bool
    /// Stop once a variant's score reaches this (0…1).
    public var targetScore: Double?
    /// Stop when the best score has not improved for this many generations.
    public var patience: Int?
    /// Where sandboxed steps run (this machine by default, or a Slurm cluster).
    public var executor: ExecutorConfig

    enum CodingKeys: String, CodingKey, CaseIterable {
        case archive, seed, suites, generations, children, workers, selector, operators, budget, sandbox, prices
        case suitesDir = "suites_dir"
        case randomSeed = "random_seed"
        case metaAgent = "meta_agent"
        case agentModel = "agent_model"
        case protectedPaths = "protected_paths"
        case syntaxCheck = "syntax_check"
        case targetScore = "target_score"
        case patience
        case executor
        case scheduler, proposals, deterministic
        case maxPending = "max_pending"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        archive = try c.decodeIfPresent(String.self, forKey: .archive) ?? "archive"
        seed = try c.decode(String.self, forKey: .seed)
        suites = try c.decode([String].self, forKey: .suites)
        suitesDir = try c.decodeIfPresent(String.self, forKey: .suitesDir) ?? "seeds/suites"
        generations = try c.decodeIfPresent(Int.self, forKey: .generations) ?? 10
        children = try c.decodeIfPresent(Int.self, forKey: .children) ?? 2
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? 2
        randomSeed = try c.decodeIfPresent(UInt64.self, forKey: .randomSeed) ?? 0
        selector = try c.decodeIfPresent(SelectorConfig.self, forKey: .selector) ?? SelectorConfig()
        operators =
            try c.decodeIfPresent([OperatorConfig].self, forKey: .operators) ?? [
                OperatorConfig(name: OperatorKind.llm.rawValue)
            ]
        metaAgent = try c.decodeIfPresent(ProviderConfig.self, forKey: .metaAgent)
        agentModel = try c.decodeIfPresent(ProviderConfig.self, forKey: .agentModel)
        budget = try c.decodeIfPresent(BudgetConfig.self, forKey: .budget) ?? BudgetConfig()
        sandbox = try c.decodeIfPresent(SandboxLimits.self, forKey: .sandbox) ?? SandboxLimits()
        prices = try c.decodeIfPresent(PriceTable.self, forKey: .prices) ?? PriceTable()
        protectedPaths = try c.decodeIfPresent([String].self, forKey: .protectedPaths) ?? []
        syntaxCheck = try c.decodeIfPresent(Bool.self, forKey: .syntaxCheck) ?? true
        targetScore = try c.decodeIfPresent(Double.self, forKey: .targetScore)
        patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        executor = try c.decodeIfPresent(ExecutorConfig.self, forKey: .executor) ?? .local
        scheduler = try c.decodeIfPresent(SchedulerKind.self, forKey: .scheduler) ?? .pipeline
        proposals = try c.decodeIfPresent(Int.self, forKey: .proposals)
        maxPending = try c.decodeIfPresent(Int.self, forKey: .maxPending)
        deterministic = try c.decodeIfPresent(Bool.self, forKey: .deterministic) ?? false
    }

    /// Checks values that decode but make no sense; errors name the key.
    public func validate() throws {
        func bad(_ key: String, _ why: String) -> EvolveError { EvolveError(.config, "'\(key)' \(why)") }
        if generations < 1 { throw bad("generations", "must be at least 1") }
        if children < 1 { throw bad("children", "must be at least 1") }
        if workers < 1 { throw bad("workers", "must be at least 1") }
        if let p = proposals, p < 1 { throw bad("proposals", "must be at least 1") }
        if let m = maxPending, m < 1 { throw bad("max_pending", "must be at least 1") }
        if suites.isEmpty { throw bad("suites", "must name at least one suite") }
        if operators.isEmpty { throw bad("operators", "must name at least one operator") }
        for op in operators where op.weight <= 0 || !op.weight.isFinite {
            throw bad("operators", "weight of \(op.name) must be a positive number")
        }
        if !SelectorConfig.names.contains(selector.name) {
            throw bad(
                "selector", "name '\(selector.name)' is unknown: use \(SelectorConfig.names.joined(separator: ", "))")
        }
        try selector.validate()
        if let t = targetScore, !(t > 0 && t <= 1) {
            throw bad("target_score", "must be a score above 0 and at most 1")
        }
        if let p = patience, p < 1 { throw bad("patience", "must be at least 1 generation") }
        if !OperatorConfig.names.isSuperset(of: operators.map(\.name)) {
            let unknown = operators.map(\.name).filter { !OperatorConfig.names.contains($0) }
            throw bad(
                "operators",
                "name '\(unknown[0])' is unknown: use \(OperatorConfig.names.sorted().joined(separator: ", "))")
        }
        if operators.contains(where: { $0.kind == .llm }) && metaAgent == nil {
            throw bad("meta_agent", "is needed by the llm operator (e.g. meta_agent: {provider: local})")
        }
    }
}

/// One entry of `operators:`, e.g. `{name: llm, weight: 0.9, format: whole-file}`.
public struct OperatorConfig: Codable, Sendable, Equatable {
    public static let names = Set(OperatorKind.allCases.map(\.rawValue))
    public var name: String
    public var weight: Double
    /// The operator this entry names; nil for a name evolve does not have (the config's validation says so).
    public var kind: OperatorKind? { OperatorKind(rawValue: name) }
    /// `llm`: edit format (`whole-file`, `search-replace`, `unified-diff`).
    public var format: String?
    /// `llm`: rounds of reflexion after the first answer (0 = none).
    public var reflexion: Int?
    /// `llm`: cap on the bytes of source shown to the model.
    public var maxSourceBytes: Int?
    /// `scripted`: the JSON file of edits to replay.
    public var file: String?

    public init(
        name: String, weight: Double = 1, format: String? = nil, reflexion: Int? = nil,
        maxSourceBytes: Int? = nil, file: String? = nil
    ) {
        self.name = name
        self.weight = weight
        self.format = format
        self.reflexion = reflexion
        self.maxSourceBytes = maxSourceBytes
        self.file = file
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, weight, format, reflexion, file
        case maxSourceBytes = "max_source_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        format = try c.decodeIfPresent(String.self, forKey: .format)
        reflexion = try c.decodeIfPresent(Int.self, forKey: .reflexion)
        maxSourceBytes = try c.decodeIfPresent(Int.self, forKey: .maxSourceBytes)
        file = try c.decodeIfPresent(String.self, forKey: .file)
    }
}

/// `budget: {usd: 5.0, evaluations: 2000, turns: 30, tokens_per_task: 200000}`.
public struct BudgetConfig: Codable, Sendable, Equatable {
    /// Stop when the run's spend reaches this (USD).
    public var usd: Double?
    /// Stop after this many task evaluations in the run.
    public var evaluations: Int?
    /// Turns an agent may take per task through the gateway.
    public var turns: Int
    /// Tokens an agent may use per task through the gateway.
    public var tokensPerTask: Int

    public init(usd: Double? = nil, evaluations: Int? = nil, turns: Int = 30, tokensPerTask: Int = 200_000) {
        self.usd = usd
        self.evaluations = evaluations
        self.turns = turns
        self.tokensPerTask = tokensPerTask
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case usd, evaluations, turns
        case tokensPerTask = "tokens_per_task"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        usd = try c.decodeIfPresent(Double.self, forKey: .usd)
        evaluations = try c.decodeIfPresent(Int.self, forKey: .evaluations)
        turns = try c.decodeIfPresent(Int.self, forKey: .turns) ?? 30
        tokensPerTask = try c.decodeIfPresent(Int.self, forKey: .tokensPerTask) ?? 200_000
    }
}

extension RunConfig {
    /// The same config with its relative paths (archive, seed, suites folder, scripted edit files) taken from
    /// `base` instead of the working directory.
    public func resolvingPaths(against base: String) -> RunConfig {
        var copy = resolvingSourcePaths(against: base)
        copy.archive = archive.hasPrefix("/") ? archive : base + "/" + archive
        return copy
    }

    /// The config with its relative seed, suites folder and operator files taken from `base`; the archive
    /// stays where it was (relative to the folder evolve runs in).
    public func resolvingSourcePaths(against base: String) -> RunConfig {
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
        var copy = self
        copy.seed = resolve(seed)
        copy.suitesDir = resolve(suitesDir)
        copy.operators = operators.map { op in
            var op = op
            op.file = op.file.map(resolve)
            return op
        }
        return copy
    }
}

extension RunConfig {
    /// What the search loop reads of this configuration.
    public var searchSettings: SearchSettings {
        SearchSettings(
            generations: generations, children: children, workers: workers, randomSeed: randomSeed,
            suitesDir: suitesDir, selector: selector,
            operators: operators.map { SearchSettings.OperatorWeight(name: $0.name, weight: $0.weight) },
            protectedPaths: protectedPaths, syntaxCheck: syntaxCheck, targetScore: targetScore, patience: patience,
            scheduler: scheduler, proposals: proposals, maxPending: maxPending, deterministic: deterministic)
    }
}
