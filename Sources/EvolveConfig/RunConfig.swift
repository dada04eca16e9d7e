import EvolveLLM
import EvolveSandbox
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
    /// Parallel evaluation workers.
    public var workers: Int
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
        operators = try c.decodeIfPresent([OperatorConfig].self, forKey: .operators) ?? [OperatorConfig(name: "llm")]
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
    }

    /// Checks values that decode but make no sense; errors name the key.
    public func validate() throws {
        func bad(_ key: String, _ why: String) -> EvolveError { EvolveError(.config, "'\(key)' \(why)") }
        if generations < 1 { throw bad("generations", "must be at least 1") }
        if children < 1 { throw bad("children", "must be at least 1") }
        if workers < 1 { throw bad("workers", "must be at least 1") }
        if suites.isEmpty { throw bad("suites", "must name at least one suite") }
        if operators.isEmpty { throw bad("operators", "must name at least one operator") }
        for op in operators where op.weight <= 0 || !op.weight.isFinite {
            throw bad("operators", "weight of \(op.name) must be a positive number")
        }
        if !SelectorConfig.names.contains(selector.name) {
            throw bad("selector", "name '\(selector.name)' is unknown: use \(SelectorConfig.names.joined(separator: ", "))")
        }
        try selector.validate()
        if let t = targetScore, !(t > 0 && t <= 1) { throw bad("target_score", "must be a score above 0 and at most 1") }
        if let p = patience, p < 1 { throw bad("patience", "must be at least 1 generation") }
        if !OperatorConfig.names.isSuperset(of: operators.map(\.name)) {
            let unknown = operators.map(\.name).filter { !OperatorConfig.names.contains($0) }
            throw bad("operators", "name '\(unknown[0])' is unknown: use \(OperatorConfig.names.sorted().joined(separator: ", "))")
        }
        if operators.contains(where: { $0.name == "llm" }) && metaAgent == nil {
            throw bad("meta_agent", "is needed by the llm operator (e.g. meta_agent: {provider: local})")
        }
    }
}

/// `selector: {name: hgm, k: 5, beta: 1.0, islands: {count: 4, migration_interval: 10, migration_rate: 0.1}}`
/// or `selector: {name: map-elites, features: [{name: code_size, bins: 8}, {name: diversity, bins: 8}]}`.
public struct SelectorConfig: Codable, Sendable, Equatable {
    public static let names = ["hgm", "novelty", "dgm", "greedy", "random", "map-elites"]
    /// The default, chosen on the landscapes of scripts/bench-landscape.sh (docs/benchmarks.md).
    public static let defaultName = "greedy"
    public var name: String
    /// Neighbours for novelty.
    public var k: Int
    /// Weight of novelty against the DGM weight.
    public var beta: Double
    /// Islands around the selector (none when nil).
    public var islands: IslandConfig?
    /// MAP-Elites feature dimensions.
    public var features: [FeatureConfig]?

    public init(name: String = SelectorConfig.defaultName, k: Int = 5, beta: Double = 1.0,
                islands: IslandConfig? = nil, features: [FeatureConfig]? = nil) {
        self.name = name
        self.k = k
        self.beta = beta
        self.islands = islands
        self.features = features
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, k, beta, islands, features
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? Self.defaultName
        k = try c.decodeIfPresent(Int.self, forKey: .k) ?? 5
        beta = try c.decodeIfPresent(Double.self, forKey: .beta) ?? 1.0
        islands = try c.decodeIfPresent(IslandConfig.self, forKey: .islands)
        features = try c.decodeIfPresent([FeatureConfig].self, forKey: .features)
    }

    func validate() throws {
        func bad(_ why: String) -> EvolveError { EvolveError(.config, "'selector' \(why)") }
        if let i = islands {
            if i.count < 2 { throw bad("islands.count must be at least 2") }
            if i.migrationInterval < 1 { throw bad("islands.migration_interval must be at least 1 generation") }
            if !(i.migrationRate >= 0 && i.migrationRate <= 1) { throw bad("islands.migration_rate must be between 0 and 1") }
        }
        if features != nil && name != "map-elites" { throw bad("features are for name: map-elites") }
        for f in features ?? [] {
            if f.name.isEmpty { throw bad("features need a name (code_size, diversity, score or a metric)") }
            if f.bins < 1 || f.bins > 1000 { throw bad("features.\(f.name).bins must be between 1 and 1000") }
            for bound in [f.min, f.max].compactMap({ $0 }) where !bound.isFinite {
                throw bad("features.\(f.name) bounds must be finite numbers")
            }
            if let lo = f.min, let hi = f.max, lo >= hi { throw bad("features.\(f.name).min must be below max") }
        }
    }
}

/// `islands: {count: 4, migration_interval: 10, migration_rate: 0.1}`.
public struct IslandConfig: Codable, Sendable, Equatable {
    public var count: Int
    public var migrationInterval: Int
    public var migrationRate: Double

    public init(count: Int = 4, migrationInterval: Int = 10, migrationRate: Double = 0.1) {
        self.count = count
        self.migrationInterval = migrationInterval
        self.migrationRate = migrationRate
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case count
        case migrationInterval = "migration_interval"
        case migrationRate = "migration_rate"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 4
        migrationInterval = try c.decodeIfPresent(Int.self, forKey: .migrationInterval) ?? 10
        migrationRate = try c.decodeIfPresent(Double.self, forKey: .migrationRate) ?? 0.1
    }
}

/// One MAP-Elites feature: `{name: code_size, bins: 8, min: 0, max: 400}` (bounds optional).
public struct FeatureConfig: Codable, Sendable, Equatable {
    public var name: String
    public var bins: Int
    public var min: Double?
    public var max: Double?

    public init(name: String, bins: Int = 8, min: Double? = nil, max: Double? = nil) {
        self.name = name
        self.bins = bins
        self.min = min
        self.max = max
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, bins, min, max }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        bins = try c.decodeIfPresent(Int.self, forKey: .bins) ?? 8
        min = try c.decodeIfPresent(Double.self, forKey: .min)
        max = try c.decodeIfPresent(Double.self, forKey: .max)
    }
}

/// One entry of `operators:`, e.g. `{name: llm, weight: 0.9, format: whole-file}`.
public struct OperatorConfig: Codable, Sendable, Equatable {
    public static let names: Set<String> = ["llm", "self", "crossover", "scripted"]
    public var name: String
    public var weight: Double
    /// `llm`: edit format (`whole-file`, `search-replace`, `unified-diff`).
    public var format: String?
    /// `llm`: rounds of reflexion after the first answer (0 = none).
    public var reflexion: Int?
    /// `llm`: cap on the bytes of source shown to the model.
    public var maxSourceBytes: Int?
    /// `scripted`: the JSON file of edits to replay.
    public var file: String?

    public init(name: String, weight: Double = 1, format: String? = nil, reflexion: Int? = nil,
                maxSourceBytes: Int? = nil, file: String? = nil) {
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
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
        var copy = self
        copy.archive = resolve(archive)
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
