import Foundation

/// What the loop needs to know of a run, as plain values: the run configuration (EvolveApp) makes it, so the
/// search reads no YAML and knows nothing of providers, sandboxes or executors.
public struct SearchSettings: Sendable, Equatable {
    /// One operator the loop may pick for a child slot, with its weight; the operator itself is set up by name.
    public struct OperatorWeight: Sendable, Equatable {
        public var name: String
        public var weight: Double

        public init(name: String, weight: Double) {
            self.name = name
            self.weight = weight
        }
    }

    public var generations: Int
    /// Children per generation: a generation closes once this many children are recorded and settled.
    public var children: Int
    /// Sandboxes at once (the evaluation pool).
    public var workers: Int
    /// How children are scheduled: a steady-state pipeline (the default) or generations in lockstep.
    public var scheduler: SchedulerKind
    /// Model calls (children being made) at once; as many as `workers` unless set.
    public var proposals: Int
    /// Children made or being made but not yet settled (recorded invalid, or evaluated) at most: proposals
    /// never run further ahead of evaluations than this.
    public var maxPending: Int
    /// The pipeline draws child k's parents from the archive as it stood after children 0..<k − maxPending
    /// settled (waiting for them) and records children in order, so the same seed gives the same archive.
    /// One proposal worker implies it.
    public var deterministic: Bool
    public var randomSeed: UInt64
    /// Where the suites live (operators that read task statements use it).
    public var suitesDir: String
    public var selector: SelectorConfig
    public var operators: [OperatorWeight]
    /// Paths no child may change (a child that does is invalid).
    public var protectedPaths: [String]
    /// Children whose Python does not compile are invalid before any task runs.
    public var syntaxCheck: Bool
    /// Stop once the best score reaches this.
    public var targetScore: Double?
    /// Stop after this many generations without a better best score.
    public var patience: Int?

    /// Whether the pipeline runs in its deterministic mode (asked for, or one proposal worker).
    public var isDeterministic: Bool { deterministic || proposals == 1 }

    public init(
        generations: Int, children: Int, workers: Int, randomSeed: UInt64, suitesDir: String,
        selector: SelectorConfig, operators: [OperatorWeight], protectedPaths: [String] = [], syntaxCheck: Bool = true,
        targetScore: Double? = nil, patience: Int? = nil, scheduler: SchedulerKind = .pipeline,
        proposals: Int? = nil, maxPending: Int? = nil, deterministic: Bool = false
    ) {
        self.generations = generations
        self.children = children
        self.workers = workers
        self.scheduler = scheduler
        self.proposals = max(1, proposals ?? workers)
        self.maxPending = max(1, maxPending ?? (self.proposals + workers))
        self.deterministic = deterministic
        self.randomSeed = randomSeed
        self.suitesDir = suitesDir
        self.selector = selector
        self.operators = operators
        self.protectedPaths = protectedPaths
        self.syntaxCheck = syntaxCheck
        self.targetScore = targetScore
        self.patience = patience
    }
}

/// How a search schedules its children.
public enum SchedulerKind: String, Sendable, Codable, CaseIterable {
    /// Steady state: a child is proposed as soon as a proposal worker is free and evaluated as soon as it is
    /// recorded; its parents come from the archive as it stands then.
    case pipeline
    /// Generation by generation: all children made, then all evaluated, then the next generation.
    case lockstep
}
