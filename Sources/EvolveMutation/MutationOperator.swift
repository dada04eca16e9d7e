import EvolveArchive
import EvolveSupport
import Foundation

/// The operators evolve has, by the name the config and each child's metadata use.
public enum OperatorKind: String, Sendable, CaseIterable {
    /// The meta-agent (an LLM) edits the parent's source.
    case llm
    /// The parent agent improves itself in a sandbox (DGM, SICA).
    case selfImprove = "self"
    /// Two parents' files merged.
    case crossover
    /// Edits replayed from a file (tests, demos).
    case scripted
}

/// Makes a child from one or more parents: the heart of a search step.
///
/// An operator returns either a new tree (already stored in the archive's repository) or an invalid
/// child with its reason. It never records the child itself: the search validates the tree (empty diff,
/// duplicate, protected path, syntax), records it in a deterministic order, and evaluates it.
/// Operators throw only for failures of the engine (the archive cannot be written); a bad answer from a
/// model, a patch that does not apply or a merge conflict is an `.invalid` result, never a throw.
public protocol MutationOperator: Sendable {
    /// The name in the config and in each child's metadata (`llm`, `self`, `crossover`, `scripted`).
    var name: String { get }
    /// How many parents it needs (2 for crossover).
    var arity: Int { get }
    func mutate(_ request: MutationRequest) async throws -> MutationResult
}

/// Everything an operator may use to make one child.
public struct MutationRequest: Sendable {
    public var archive: Archive
    /// The parents, first one the main parent; `arity` of them.
    public var parents: [Variant]
    public var generation: Int
    /// Which child of the generation this is (0-based); with `generation`, a stable key for replays.
    public var slot: Int
    /// A seed for any randomness the operator needs (derived from the run's seed, generation and slot).
    public var seed: UInt64
    /// The suites the search evaluates on (for reading the parent's failures).
    public var suites: [String]
    /// Where the suites live (to read task statements for prompts).
    public var suitesDirectory: String
    /// A task key for gateway budgets and call records (e.g. `r3/g4/s1`).
    public var key: String

    public init(
        archive: Archive, parents: [Variant], generation: Int, slot: Int, seed: UInt64, suites: [String],
        suitesDirectory: String, key: String
    ) {
        self.archive = archive
        self.parents = parents
        self.generation = generation
        self.slot = slot
        self.seed = seed
        self.suites = suites
        self.suitesDirectory = suitesDirectory
        self.key = key
    }
}

/// What an operator made.
public enum MutationResult: Sendable {
    /// A new tree (in the archive's repository) with a one-line summary of the change.
    case tree(String, MutationInfo)
    /// No usable child: the reason (`unparseable edit`, `patch does not apply: …`, `merge conflict in …`).
    case invalid(reason: String, MutationInfo)
}

/// What is recorded with a child besides its tree.
public struct MutationInfo: Sendable {
    public var summary: String
    public var model: String?
    public var costUSD: Double
    /// The model's raw answer (kept for invalid children so a person can see what went wrong), if any.
    public var rawAnswer: String?

    public init(summary: String, model: String? = nil, costUSD: Double = 0, rawAnswer: String? = nil) {
        self.summary = summary
        self.model = model
        self.costUSD = costUSD
        self.rawAnswer = rawAnswer
    }
}
