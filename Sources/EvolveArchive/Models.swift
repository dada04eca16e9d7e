import Foundation

// MARK: - Variant ids

/// A variant's short, stable id: `v` followed by its number in the archive (`v0` is the seed).
public struct VariantID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let number: Int

    public init(_ number: Int) { self.number = number }

    /// Parses `v12` or `12`; nil for anything else.
    public init?(parsing text: String) {
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit), let n = Int(digits) else {
            return nil
        }
        self.number = n
    }

    public var description: String { "v\(number)" }
    /// The git ref that keeps this variant reachable.
    public var refName: String { "refs/variants/\(description)" }

    public static func < (a: VariantID, b: VariantID) -> Bool { a.number < b.number }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = VariantID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad id \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

// MARK: - Variants

/// Whether a variant can be evaluated and selected.
public enum VariantStatus: String, Sendable, Codable, CaseIterable {
    /// A real agent: it has been, or will be, evaluated.
    case valid
    /// A child the mutation could not make (bad edit, empty diff, duplicate, protected path, syntax error);
    /// its commit keeps the parent's tree and `reason` says why.
    case invalid
    /// Committed, not yet evaluated.
    case pending
}

/// One row of the archive: an agent variant and what is known about it.
public struct Variant: Sendable, Equatable, Codable {
    public var id: VariantID
    /// The git commit id (40 hex characters).
    public var commit: String
    /// The git tree id of the commit: the agent's complete source.
    public var tree: String
    public var parents: [VariantID]
    public var generation: Int
    /// The mutation operator that made it (`seed` for variant 0).
    public var `operator`: String
    public var run: String?
    public var status: VariantStatus
    /// Why it is invalid; nil otherwise.
    public var reason: String?
    /// Fraction of tasks passed, in 0…1; nil until evaluated.
    public var score: Double?
    /// One line: what the mutation did.
    public var summary: String
    /// Model that made it, if any.
    public var model: String?
    /// What making (and evaluating) it cost, in US dollars.
    public var costUSD: Double
    /// Seconds since 1970.
    public var createdAt: Double
    /// Which child of its generation it is, within its run.
    public var slot: Int?
    /// Extra facts as JSON text (e.g. the blob id of a model's raw answer).
    public var details: String?

    public init(
        id: VariantID, commit: String, tree: String, parents: [VariantID], generation: Int, operator: String,
        run: String?, status: VariantStatus, reason: String?, score: Double?, summary: String, model: String?,
        costUSD: Double, createdAt: Double, slot: Int? = nil, details: String? = nil
    ) {
        self.id = id
        self.commit = commit
        self.tree = tree
        self.parents = parents
        self.generation = generation
        self.operator = `operator`
        self.run = run
        self.status = status
        self.reason = reason
        self.score = score
        self.summary = summary
        self.model = model
        self.costUSD = costUSD
        self.createdAt = createdAt
        self.slot = slot
        self.details = details
    }
}

/// What the caller says about a new child; the archive adds the id, commit and tree.
public struct VariantMetadata: Sendable {
    public var generation: Int
    public var `operator`: String
    public var run: String?
    public var status: VariantStatus
    public var reason: String?
    public var score: Double?
    public var summary: String
    public var model: String?
    public var costUSD: Double
    public var slot: Int?
    public var details: String?

    public init(
        generation: Int, operator: String, run: String? = nil, status: VariantStatus = .pending,
        reason: String? = nil, score: Double? = nil, summary: String, model: String? = nil, costUSD: Double = 0,
        slot: Int? = nil, details: String? = nil
    ) {
        self.generation = generation
        self.operator = `operator`
        self.run = run
        self.status = status
        self.reason = reason
        self.score = score
        self.summary = summary
        self.model = model
        self.costUSD = costUSD
        self.slot = slot
        self.details = details
    }
}

// MARK: - Evaluation outcomes

/// How one task went for one tree. Raw values are what the index and the JSON output hold.
public enum OutcomeStatus: String, Sendable, Codable, CaseIterable {
    case passed, failed, timeout, memory, crashed
    case outputCap = "output_cap"

    public var isPass: Bool { self == .passed }
}

/// The recorded result of running one task of a suite on one tree. Keyed by (tree, suite, task, attempt):
/// the same tree is never evaluated twice on the same task.
public struct TaskOutcome: Sendable, Equatable, Codable {
    public var tree: String
    public var suite: String
    public var task: String
    public var attempt: Int
    public var status: OutcomeStatus
    public var durationSeconds: Double
    /// The captured output of both steps (agent, then check), already capped by the sandbox.
    public var log: String
    /// A short explanation, e.g. "killed after 120 s" or "dropped 3.1 MB of output".
    public var detail: String?
    public var run: String?
    /// The per-test verdicts the engine read from the check (nil for outcomes recorded before verdicts
    /// existed, or when the step never reached the check). Messages are trimmed and hidden-test text redacted.
    public var verdicts: TaskVerdicts?

    public init(
        tree: String, suite: String, task: String, attempt: Int = 0, status: OutcomeStatus, durationSeconds: Double,
        log: String, detail: String? = nil, run: String? = nil, verdicts: TaskVerdicts? = nil
    ) {
        self.tree = tree
        self.suite = suite
        self.task = task
        self.attempt = attempt
        self.status = status
        self.durationSeconds = durationSeconds
        self.log = log
        self.detail = detail
        self.run = run
        self.verdicts = verdicts
    }

    /// Expected tests passed over expected tests; for an outcome without verdicts, 1 when passed, else 0.
    public var score: Double {
        if let verdicts, verdicts.total > 0 { return Double(verdicts.passed) / Double(verdicts.total) }
        return status.isPass ? 1 : 0
    }
}

/// The verdict of one test of a task's check.
public struct TestVerdict: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case passed, failed, error, skipped
        /// Expected (found in the hidden tests) but never reported: the check ended before it.
        case missing
        /// Reported but not expected, or reported twice: a forged or broken report.
        case unexpected
    }

    /// The test's id, e.g. `test_calc.TestAdd.test_floats`.
    public var name: String
    public var outcome: Outcome
    /// The exception's type name, e.g. `AssertionError`.
    public var exceptionType: String?
    /// A trimmed message, hidden-test text redacted.
    public var message: String?

    public init(name: String, outcome: Outcome, exceptionType: String? = nil, message: String? = nil) {
        self.name = name
        self.outcome = outcome
        self.exceptionType = exceptionType
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case name, outcome
        case exceptionType = "type"
        case message
    }
}

/// Every verdict of one task's check and where they came from.
public struct TaskVerdicts: Sendable, Equatable, Codable {
    /// How the verdicts were read: `runner` (the trusted test runner), `junit`, `tap`, `metrics`, or
    /// `exit-status` (one verdict from the check's exit status: forgeable by the code under test).
    public var source: String
    public var tests: [TestVerdict]
    /// Numbers a `metrics` results file reported.
    public var metrics: [String: Double]
    /// Text a `metrics` results file reported as `artifacts` (trimmed, hidden-test text redacted), shown to
    /// the meta-agent; nil when there was none.
    public var artifacts: [String: String]?

    public init(source: String, tests: [TestVerdict], metrics: [String: Double] = [:]) {
        self.source = source
        self.tests = tests
        self.metrics = metrics
    }

    /// Expected tests that passed (unexpected reports are not counted).
    public var passed: Int { tests.filter { $0.outcome == .passed }.count }
    /// Expected tests (unexpected reports are not counted).
    public var total: Int { tests.filter { $0.outcome != .unexpected }.count }
    /// Whether every expected test passed and nothing unexpected was reported.
    public var allPassed: Bool { total > 0 && tests.allSatisfy { $0.outcome == .passed } }
    /// Whether the code under test could have chosen this verdict by exiting with status 0.
    public var forgeable: Bool { source == Self.exitStatus }

    public static let exitStatus = "exit-status"

    /// The JSON stored in the index.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    public static func decode(_ text: String?) -> TaskVerdicts? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(TaskVerdicts.self, from: data)
    }
}
