import Foundation

/// What one task may spend through the gateway, and how it is warned and extended.
///
/// A turn is one chat completion. When `reminderWithin` or fewer turns are left after a call, the answer
/// carries a reminder. An agent may ask for an extension (see docs/llm.md); each grants `extensionTurns`
/// more turns and `extensionTokens` more tokens, at most `maxExtensions` times.
public struct TaskBudget: Codable, Sendable, Equatable {
    public var turns: Int
    /// Input plus output tokens.
    public var tokens: Int
    public var reminderWithin: Int
    public var extensionTurns: Int
    public var extensionTokens: Int
    public var maxExtensions: Int

    public init(
        turns: Int = 30, tokens: Int = 400_000, reminderWithin: Int = 3, extensionTurns: Int = 5,
        extensionTokens: Int = 50_000, maxExtensions: Int = 1
    ) {
        self.turns = turns
        self.tokens = tokens
        self.reminderWithin = reminderWithin
        self.extensionTurns = extensionTurns
        self.extensionTokens = extensionTokens
        self.maxExtensions = maxExtensions
    }

    private enum CodingKeys: String, CodingKey {
        case turns, tokens
        case reminderWithin = "reminder_within"
        case extensionTurns = "extension_turns"
        case extensionTokens = "extension_tokens"
        case maxExtensions = "max_extensions"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TaskBudget()
        turns = try c.decodeIfPresent(Int.self, forKey: .turns) ?? d.turns
        tokens = try c.decodeIfPresent(Int.self, forKey: .tokens) ?? d.tokens
        reminderWithin = try c.decodeIfPresent(Int.self, forKey: .reminderWithin) ?? d.reminderWithin
        extensionTurns = try c.decodeIfPresent(Int.self, forKey: .extensionTurns) ?? d.extensionTurns
        extensionTokens = try c.decodeIfPresent(Int.self, forKey: .extensionTokens) ?? d.extensionTokens
        maxExtensions = try c.decodeIfPresent(Int.self, forKey: .maxExtensions) ?? d.maxExtensions
    }
}

/// What a task has used so far.
public struct TaskUsage: Codable, Sendable, Equatable {
    public var taskKey: String
    /// Calls answered (a failed call gives its turn back).
    public var turnsUsed: Int
    public var turnLimit: Int
    public var tokensUsed: Int
    public var tokenLimit: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var costUSD: Double
    public var extensionsGranted: Int
    public var extensionsLeft: Int
    /// Requests refused for budget.
    public var refusals: Int

    public var turnsLeft: Int { max(0, turnLimit - turnsUsed) }
    public var tokensLeft: Int { max(0, tokenLimit - tokensUsed) }

    private enum CodingKeys: String, CodingKey {
        case taskKey = "task_key"
        case turnsUsed = "turns_used"
        case turnLimit = "turn_limit"
        case tokensUsed = "tokens_used"
        case tokenLimit = "token_limit"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case costUSD = "cost_usd"
        case extensionsGranted = "extensions_granted"
        case extensionsLeft = "extensions_left"
        case refusals
    }
}

/// Everything that went through one gateway.
public struct GatewayTotals: Sendable, Equatable {
    public var calls = 0
    public var failedCalls = 0
    public var refusals = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var costUSD = 0.0
}

// MARK: - The ledger (thread-safe: the token lookup is synchronous)

final class BudgetLedger: @unchecked Sendable {
    struct Entry {
        var budget: TaskBudget
        var turnsUsed = 0  // includes calls in flight
        var tokensUsed = 0
        /// Tokens held by calls in flight: each call's prompt estimate plus its `max_tokens`.
        var tokensReserved = 0
        var inputTokens = 0
        var outputTokens = 0
        var costUSD = 0.0
        var extensionsGranted = 0
        var refusals = 0
        var extensionMessages: Set<String> = []

        var turnLimit: Int { budget.turns + extensionsGranted * budget.extensionTurns }
        var tokenLimit: Int { budget.tokens + extensionsGranted * budget.extensionTokens }
    }

    enum Admission {
        /// `maxTokens` is what the call may generate; `reserved` is held until it is settled or refunded.
        case admitted(turn: Int, maxTokens: Int, reserved: Int)
        case refused(String)
    }

    enum Extension: Equatable {
        case granted(turns: Int, tokens: Int)
        case refused(String)
        case alreadyGranted
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var taskForToken: [String: String] = [:]
    private var tokenOfTask: [String: String] = [:]
    private var issued = 0
    private(set) var totals = GatewayTotals()

    /// Registers a task and returns its live token, issuing one (`makeToken(issue number)`) if it has none.
    func register(task: String, budget: TaskBudget, replace: Bool, makeToken: (Int) -> String) -> String {
        lock.withLock {
            if replace || entries[task] == nil { entries[task] = Entry(budget: budget) }
            if let token = tokenOfTask[task] { return token }
            issued += 1
            let token = makeToken(issued)
            tokenOfTask[task] = token
            taskForToken[token] = task
            return token
        }
    }

    /// Revokes a task's token (its entry stays, for its usage).
    func revoke(task: String) {
        lock.withLock {
            if let token = tokenOfTask.removeValue(forKey: task) { taskForToken[token] = nil }
        }
    }

    func task(forToken token: String) -> String? {
        lock.withLock { taskForToken[token] }
    }

    func usage(_ task: String) -> TaskUsage? {
        lock.withLock { entries[task].map { Self.usage(task, $0) } }
    }

    func budget(_ task: String) -> TaskBudget? {
        lock.withLock { entries[task]?.budget }
    }

    var snapshot: GatewayTotals { lock.withLock { totals } }

    /// Takes a turn if the task has one left (and the run has money left), and reserves the call's
    /// tokens: `promptTokens` (an estimate that should not be low) plus up to `maxTokens` of output, no
    /// more than the task has left after the reservations of its other calls in flight. A call whose prompt
    /// alone does not fit is refused, so concurrent calls can never spend past the budget together.
    func admit(_ task: String, costLimit: Double?, promptTokens: Int, maxTokens: Int) -> Admission {
        lock.withLock {
            guard var entry = entries[task] else { return .refused("unknown task") }
            var reason: String?
            let left = entry.tokenLimit - entry.tokensUsed - entry.tokensReserved
            if let costLimit, totals.costUSD >= costLimit {
                reason = String(format: "the run's budget of $%.2f is spent", costLimit)
            } else if entry.turnsUsed >= entry.turnLimit {
                reason = "turn budget exhausted: all \(entry.turnLimit) turns of task \(task) are used"
            } else if entry.tokensUsed >= entry.tokenLimit {
                reason = "token budget exhausted: task \(task) used \(entry.tokensUsed) of \(entry.tokenLimit) tokens"
            } else if promptTokens + 1 > left {
                reason =
                    "token budget exhausted: this request (about \(promptTokens) prompt tokens) does not fit the "
                    + "\(max(0, left)) tokens task \(task) has left"
                    + (entry.tokensReserved > 0 ? " while its other calls in flight hold \(entry.tokensReserved)" : "")
            }
            if let reason {
                entry.refusals += 1
                totals.refusals += 1
                entries[task] = entry
                return .refused(reason)
            }
            let output = max(1, min(maxTokens, left - promptTokens))
            entry.turnsUsed += 1
            entry.tokensReserved += promptTokens + output
            entries[task] = entry
            return .admitted(turn: entry.turnsUsed, maxTokens: output, reserved: promptTokens + output)
        }
    }

    /// Counts an answered call and frees its reservation.
    func settle(_ task: String, usage: TokenUsage, cost: Double, reserved: Int) -> TaskUsage? {
        lock.withLock {
            guard var entry = entries[task] else { return nil }
            entry.tokensReserved -= reserved
            entry.tokensUsed += usage.totalTokens
            entry.inputTokens += usage.inputTokens
            entry.outputTokens += usage.outputTokens
            entry.costUSD += cost
            entries[task] = entry
            totals.calls += 1
            totals.inputTokens += usage.inputTokens
            totals.outputTokens += usage.outputTokens
            totals.costUSD += cost
            return Self.usage(task, entry)
        }
    }

    /// Gives back the turn and the reservation of a call that failed.
    func refund(_ task: String, reserved: Int) {
        lock.withLock {
            entries[task]?.turnsUsed -= 1
            entries[task]?.tokensReserved -= reserved
            totals.failedCalls += 1
        }
    }

    /// Grants an extension unless none are left; `messageKey` makes a repeated ask (the same assistant
    /// message sent again with the history) grant nothing twice.
    func extend(_ task: String, messageKey: String? = nil) -> Extension {
        lock.withLock {
            guard var entry = entries[task] else { return .refused("unknown task") }
            if let messageKey, entry.extensionMessages.contains(messageKey) { return .alreadyGranted }
            guard entry.extensionsGranted < entry.budget.maxExtensions else {
                return .refused("no extensions left: task \(task) had \(entry.budget.maxExtensions)")
            }
            entry.extensionsGranted += 1
            if let messageKey { entry.extensionMessages.insert(messageKey) }
            entries[task] = entry
            return .granted(turns: entry.budget.extensionTurns, tokens: entry.budget.extensionTokens)
        }
    }

    private static func usage(_ task: String, _ entry: Entry) -> TaskUsage {
        TaskUsage(
            taskKey: task, turnsUsed: entry.turnsUsed, turnLimit: entry.turnLimit, tokensUsed: entry.tokensUsed,
            tokenLimit: entry.tokenLimit, inputTokens: entry.inputTokens, outputTokens: entry.outputTokens,
            costUSD: entry.costUSD, extensionsGranted: entry.extensionsGranted,
            extensionsLeft: max(0, entry.budget.maxExtensions - entry.extensionsGranted), refusals: entry.refusals)
    }
}
