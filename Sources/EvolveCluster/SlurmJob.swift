import EvolveSupport
import Foundation

/// A Slurm job's state as `squeue -o %T` and `scontrol show job` spell it.
public enum SlurmJobState: String, Sendable, CaseIterable, Codable {
    case pending = "PENDING"
    case configuring = "CONFIGURING"
    case running = "RUNNING"
    case completing = "COMPLETING"
    case suspended = "SUSPENDED"
    case requeued = "REQUEUED"
    case requeueHold = "REQUEUE_HOLD"
    case resizing = "RESIZING"
    case signaling = "SIGNALING"
    case stageOut = "STAGE_OUT"
    case stopped = "STOPPED"
    case resvDelHold = "RESV_DEL_HOLD"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
    case timeout = "TIMEOUT"
    case nodeFail = "NODE_FAIL"
    case preempted = "PREEMPTED"
    case bootFail = "BOOT_FAIL"
    case deadline = "DEADLINE"
    case outOfMemory = "OUT_OF_MEMORY"
    case specialExit = "SPECIAL_EXIT"
    case revoked = "REVOKED"

    /// Parses a state word; `scontrol` may add a suffix (`CANCELLED by 0`), which is ignored.
    public init?(parsing text: String) {
        let word = text.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        self.init(rawValue: word.uppercased())
    }

    /// Whether the job has ended: it will never run (again) by itself.
    public var isFinished: Bool {
        switch self {
        case .completed, .failed, .cancelled, .timeout, .nodeFail, .preempted, .bootFail, .deadline, .outOfMemory,
            .specialExit, .revoked:
            return true
        default:
            return false
        }
    }

    /// Whether a job that ended this way without a result is worth one more try: the node or the cluster
    /// failed, not the step. A time limit, an administrator's `scancel` or the memory limit are not retried.
    public var isInfrastructureFailure: Bool {
        switch self {
        case .nodeFail, .bootFail, .preempted, .requeued, .failed, .completed, .revoked, .specialExit: return true
        default: return false
        }
    }
}

/// One job as `squeue` lists it.
public struct SlurmJob: Sendable, Equatable {
    public var id: Int
    public var name: String
    /// nil when Slurm printed a state this engine does not know.
    public var state: SlurmJobState?
    public var stateText: String
    /// Why the job is pending or why it ended (`None`, `Priority`, `NodeDown`, `TimeLimit` …).
    public var reason: String
    /// The job's comment: the step folder on the shared folder for the jobs of this engine.
    public var comment: String
    /// The node(s) the job runs on (`%N`); empty while it waits, and in `squeueFormat`'s output.
    public var node: String
    /// The time the job has run so far, as squeue prints it (`%M`: `0:42`, `1:02:03`); empty in
    /// `squeueFormat`'s output.
    public var elapsed: String

    public init(
        id: Int, name: String, state: SlurmJobState?, stateText: String, reason: String, comment: String,
        node: String = "", elapsed: String = ""
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.stateText = stateText
        self.reason = reason
        self.comment = comment
        self.node = node
        self.elapsed = elapsed
    }

    /// The `squeue -o` format that `parse(squeue:)` reads: id, name, state, reason, comment (last: it may
    /// hold the separator).
    public static let squeueFormat = "%i|%j|%T|%r|%k"

    /// Parses `squeue -h -o "\(squeueFormat)"` output; lines that do not fit (another tool's output, a
    /// header) are skipped.
    public static func parse(squeue output: String) -> [SlurmJob] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let id = Int(fields[0].trimmingCharacters(in: .whitespaces)) else { return nil }
            let comment = fields[4] == "(null)" ? "" : fields[4]
            return SlurmJob(
                id: id, name: fields[1], state: SlurmJobState(parsing: fields[2]), stateText: fields[2],
                reason: fields[3], comment: comment)
        }
    }

    /// The `squeue -o` format that `parse(queue:)` reads: `squeueFormat` with the node and the elapsed time
    /// before the comment (what `evolve status` shows).
    public static let queueFormat = "%i|%j|%T|%r|%N|%M|%k"

    /// Parses `squeue -h -o "\(queueFormat)"` output; lines that do not fit are skipped.
    public static func parse(queue output: String) -> [SlurmJob] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "|", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 7, let id = Int(fields[0].trimmingCharacters(in: .whitespaces)) else { return nil }
            return SlurmJob(
                id: id, name: fields[1], state: SlurmJobState(parsing: fields[2]), stateText: fields[2],
                reason: fields[3], comment: fields[6] == "(null)" ? "" : fields[6],
                node: fields[4] == "(null)" ? "" : fields[4], elapsed: fields[5])
        }
    }

    /// One line for a message: "job 12 NODE_FAIL (reason: NodeDown)".
    public var summary: String {
        reason.isEmpty || reason == "None" ? "job \(id) \(stateText)" : "job \(id) \(stateText) (reason: \(reason))"
    }
}

/// The `Key=Value` pairs of `scontrol show job ID` (one job; values end at the next space).
public func parseScontrolFields(_ output: String) -> [String: String] {
    var fields: [String: String] = [:]
    for token in output.split(whereSeparator: { $0 == " " || $0.isNewline }) {
        guard let equals = token.firstIndex(of: "="), equals != token.startIndex else { continue }
        let key = String(token[..<equals])
        if fields[key] == nil { fields[key] = String(token[token.index(after: equals)...]) }
    }
    return fields
}

/// The job id `sbatch --parsable` printed (`12` or `12;cluster`).
public func parseSbatchJobID(_ output: String) throws -> Int {
    let line = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    guard let id = Int(line.split(separator: ";").first.map(String.init) ?? "") else {
        throw EvolveError(.sandbox, "sbatch printed no job id: \(output.prefix(200))")
    }
    return id
}
