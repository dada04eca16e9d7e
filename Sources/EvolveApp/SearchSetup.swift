import EvolveArchive
import EvolveEvaluation
import EvolveLLM
import EvolveMutation
import EvolveSandbox
import EvolveSearch
import EvolveSupport
import EvolveTasks
import Foundation

/// What `evolve search` was asked on the command line, over the config file.
public struct SearchRequest: Sendable {
    public var configPath: String?
    public var archivePath: String?
    public var generations: Int?
    public var children: Int?
    public var workers: Int?
    public var randomSeed: UInt64?
    public var selector: String?
    /// Model calls at once (`proposals:`), pending children at most (`max_pending:`), the scheduler, and
    /// the pipeline's deterministic mode.
    public var proposals: Int?
    public var maxPending: Int?
    public var scheduler: SchedulerKind?
    public var deterministic: Bool?
    public var resume: Bool
    public var limits: SearchLimits
    /// Resolve the config's relative paths against this folder instead of the working directory.
    public var baseDirectory: String?
    /// Replaces the configured meta-agent (tests use a scripted stub).
    public var metaProvider: (any LLMProvider)?

    /// Whether the request names settings of a run (a config file, children, seed, selector): on resume they
    /// are checked against the saved run instead of being ignored.
    var typesRunSettings: Bool {
        configPath != nil || children != nil || randomSeed != nil || selector != nil || maxPending != nil
            || scheduler != nil || deterministic != nil
    }

    public init(
        configPath: String? = nil, archivePath: String? = nil, generations: Int? = nil, children: Int? = nil,
        workers: Int? = nil, randomSeed: UInt64? = nil, selector: String? = nil, proposals: Int? = nil,
        maxPending: Int? = nil, scheduler: SchedulerKind? = nil, deterministic: Bool? = nil, resume: Bool = false,
        limits: SearchLimits = SearchLimits()
    ) {
        self.configPath = configPath
        self.archivePath = archivePath
        self.generations = generations
        self.children = children
        self.workers = workers
        self.randomSeed = randomSeed
        self.selector = selector
        self.proposals = proposals
        self.maxPending = maxPending
        self.scheduler = scheduler
        self.deterministic = deterministic
        self.resume = resume
        self.limits = limits
    }

    public init(
        configPath: String?, archivePath: String?, baseDirectory: String?, generations: Int? = nil,
        resume: Bool = false, limits: SearchLimits = SearchLimits()
    ) {
        self.init(
            configPath: configPath, archivePath: archivePath, generations: generations, resume: resume,
            limits: limits)
        self.baseDirectory = baseDirectory
    }
}

/// A search ready to run: the archive open, the run registered, operators and evaluator set up.
public struct PreparedSearch: Sendable {
    public var service: SearchService
    public var runID: String
    public var resumed: Bool
    public var config: RunConfig
    public var createdArchive: Bool
    /// Model server and gateway of this run: stop it when the search ends.
    public var environment: SearchEnvironment
}

/// Turns a request into a ready search: reads the config (or the resumed run's), applies flags, creates
/// the archive from the seed when there is none, loads the suites and builds the operators.
public enum SearchSetup {
    /// The config used when none is given.
    public static let defaultConfigPath = "configs/default.yaml"

    /// `--generations` on resume counts from the run's start: fewer than the run has planned would stop it
    /// before where it is, and as many as a finished run made leaves nothing to do; both are refused.
    static func requireGenerationsAhead(_ generations: Int, of run: RunRecord, in archive: Archive) throws {
        let planned = try archive.plannedGenerations(run: run.id)
        if generations < planned || (generations == planned && run.state == .finished) {
            throw EvolveError(
                .usage,
                "run \(run.id) has planned \(planned) generation\(planned == 1 ? "" : "s") already; --generations "
                    + "\(generations) asks for none beyond them",
                hint: "--generations counts from the run's start: ask for more, e.g. --generations \(planned + 10)")
        }
    }

    public static func prepare(_ request: SearchRequest, observer: any SearchObserver) async throws -> PreparedSearch {
        var config: RunConfig
        var runID: String
        let archive: Archive
        var created = false
        if request.resume {
            // The original command with --resume appended: the config file and flags must match the saved run.
            let typed = try request.typesRunSettings ? Self.configFromFileAndFlags(request) : nil
            let path = request.archivePath ?? typed?.archive ?? "archive"
            // Opening to repair claims the archive for this process: a search still running on it (which holds
            // the claim) is refused here, before anything is repaired.
            archive = try Archive.open(at: path, repair: true)
            guard let last = try archive.lastRun() else {
                throw EvolveError(
                    .notFound, "there is no run to resume in \(archive.path)",
                    hint: "start one with `evolve search`")
            }
            if last.state == .finished && request.generations == nil {
                throw EvolveError(
                    .invalidInput, "run \(last.id) finished; there is nothing to resume",
                    hint: "ask for more with `evolve search --resume --generations N`")
            }
            do {
                config = try JSONDecoder().decode(RunConfig.self, from: Data(last.config.utf8))
            } catch {
                throw EvolveError(.corrupt, "the saved configuration of run \(last.id) cannot be read: \(error)")
            }
            runID = last.id
            if let typed { try Self.requireSameRun(typed, saved: config, request: request, run: last.id) }
            if let generations = request.generations {
                try Self.requireGenerationsAhead(generations, of: last, in: archive)
                config.generations = generations
            }
            if let workers = request.workers { config.workers = workers }
            if let proposals = request.proposals { config.proposals = proposals }
        } else {
            config = try Self.configFromFileAndFlags(request)
            if Files.exists(config.archive + "/repo.git") || Files.exists(config.archive + "/index.sqlite") {
                archive = try Archive.open(at: config.archive, repair: true)
            } else {
                archive = try Archive.create(at: config.archive, seed: config.seed, for: "search")
                created = true
            }
            let encoded = try JSONEncoder().encode(config)
            runID = try archive.startRun(config: String(decoding: encoded, as: UTF8.self))
        }
        try config.sandbox.validate()
        let suites = try config.suites.map { try Suite.load(from: Suite.locate($0, searchPaths: [config.suitesDir])) }

        let environment = try await SearchEnvironment.start(
            config: config, archive: archive, runID: runID, metaProvider: request.metaProvider,
            resumed: request.resume)
        var operators = environment.operators
        for op in config.operators where operators[op.name] == nil {
            switch op.kind {
            case .crossover: operators[op.name] = CrossoverOperator()
            case .scripted:
                guard let file = op.file else {
                    throw EvolveError(.config, "the scripted operator needs file: (a JSON list of edits)")
                }
                operators[op.name] = try ScriptedOperator(file: file, childrenPerGeneration: config.children)
            default:
                throw EvolveError(.config, "the operator '\(op.name)' is not available in this build")
            }
        }
        let evaluation = EvaluationService(archive: archive, workers: config.workers, evaluator: environment.evaluator)
        var limits = request.limits
        limits.budgetUSD = limits.budgetUSD ?? config.budget.usd
        limits.maxEvaluations = limits.maxEvaluations ?? config.budget.evaluations
        let service = try SearchService(
            archive: archive, settings: config.searchSettings, suites: suites, evaluation: evaluation,
            operators: operators, observer: observer, limits: limits)
        return PreparedSearch(
            service: service, runID: runID, resumed: request.resume, config: config,
            createdArchive: created, environment: environment)
    }

    /// Where the default config is when none is given: `configs/default.yaml` in the current folder, else in
    /// the evolve folder this executable was built in (the first folder above it that holds configs/default.yaml
    /// and seeds/), whose seed, suites and operator files it then names (`home`). So a built evolve runs its
    /// default from any folder, with the archive in that folder. Nil when there is neither.
    static func defaultConfigLocation(
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        executablePath: String? = LocalModelFiles.executablePath()
    ) -> (path: String, home: String?)? {
        if Files.exists(currentDirectory + "/" + defaultConfigPath) {
            return (currentDirectory + "/" + defaultConfigPath, nil)
        }
        guard let executablePath else { return nil }
        let home = Files.folderAndAncestors((executablePath as NSString).deletingLastPathComponent).first {
            Files.exists(($0 as NSString).appendingPathComponent(defaultConfigPath))
                && Files.isDirectory(($0 as NSString).appendingPathComponent("seeds"))
        }
        return home.map { (($0 as NSString).appendingPathComponent(defaultConfigPath), $0) }
    }

    /// The config file (or the default) with the request's flags applied, validated.
    static func configFromFileAndFlags(_ request: SearchRequest) throws -> RunConfig {
        var path = request.configPath ?? defaultConfigPath
        var home: String? = nil
        if request.configPath == nil {
            guard let found = Self.defaultConfigLocation() else {
                throw EvolveError(
                    .config,
                    "no --config given, and no \(defaultConfigPath) in \(Files.absolute(".")) or in the evolve folder "
                        + "this executable was built in",
                    hint: "run evolve from its own folder (where configs/ and seeds/ are), or pass --config FILE")
            }
            (path, home) = found
        }
        var config = try ConfigLoader.load(path)
        if let base = request.baseDirectory {
            config = config.resolvingPaths(against: base)
        } else if let home {
            config = config.resolvingSourcePaths(against: home)
        }
        if let v = request.generations { config.generations = v }
        if let v = request.children { config.children = v }
        if let v = request.workers { config.workers = v }
        if let v = request.randomSeed { config.randomSeed = v }
        if let v = request.selector { config.selector.name = v }
        if let v = request.proposals { config.proposals = v }
        if let v = request.maxPending { config.maxPending = v }
        if let v = request.scheduler { config.scheduler = v }
        if let v = request.deterministic { config.deterministic = v }
        if let v = request.archivePath { config.archive = v }
        try config.validate()
        return config
    }

    /// Refuses a resume whose config file or flags describe another run than the saved one, naming what
    /// differs. Generations, workers and budgets may change on resume; the archive is where the run is.
    static func requireSameRun(_ typed: RunConfig, saved: RunConfig, request: SearchRequest, run: String) throws {
        var typed = typed
        typed.generations = saved.generations
        typed.workers = saved.workers
        typed.proposals = saved.proposals
        typed.archive = saved.archive
        typed.budget = saved.budget
        typed.targetScore = saved.targetScore
        typed.patience = saved.patience
        let differing = try RunConfigDifference.keys(typed, saved)
        guard !differing.isEmpty else { return }
        let flags: [String: String] = [
            "children": "--children", "random_seed": "--seed", "selector": "--selector",
            "max_pending": "--max-pending", "scheduler": "--scheduler", "deterministic": "--deterministic",
        ]
        let named = differing.map { key in
            if let flag = flags[key], Self.requestSets(flag, request) { return "\(flag) (\(key))" }
            return request.configPath.map { "`\(key)` in \($0)" } ?? "`\(key)`"
        }
        throw EvolveError(
            .usage, "--resume continues run \(run), but \(named.joined(separator: ", ")) differs from that run's",
            hint: "repeat the original command exactly with --resume appended (only --generations, --workers, "
                + "--proposals, budgets and stopping rules may change), or start a new run in another archive")
    }

    private static func requestSets(_ flag: String, _ request: SearchRequest) -> Bool {
        switch flag {
        case "--children": return request.children != nil
        case "--seed": return request.randomSeed != nil
        case "--selector": return request.selector != nil
        case "--max-pending": return request.maxPending != nil
        case "--scheduler": return request.scheduler != nil
        case "--deterministic": return request.deterministic != nil
        default: return false
        }
    }

}
