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
    /// Children per generation.
    public var children: Int
    /// Children evaluated at once.
    public var workers: Int
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

    public init(
        generations: Int, children: Int, workers: Int, randomSeed: UInt64, suitesDir: String,
        selector: SelectorConfig, operators: [OperatorWeight], protectedPaths: [String] = [], syntaxCheck: Bool = true,
        targetScore: Double? = nil, patience: Int? = nil
    ) {
        self.generations = generations
        self.children = children
        self.workers = workers
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
