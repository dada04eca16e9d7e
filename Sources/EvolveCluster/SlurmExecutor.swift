import EvolveSandbox
import EvolveSupport
import Foundation

/// Runs each sandboxed step as a Slurm batch job on a node, still under bubblewrap with the same limits.
///
/// A step's workspace and binds are copied to `shared_dir/<run>/<step>/` (see `StepFolder`); an `sbatch` job
/// named `evolve.<run>.<step>` runs `evolve run-step` on that folder, which writes `result.json`; the engine
/// polls for that file (and, once a second, for the states of all its jobs in one `squeue`), copies the
/// workspace back and returns the result. A job that ends without a result because of its node (NODE_FAIL,
/// a vanished job, a missing result) is submitted again up to `retries` times; otherwise, or after the last
/// try, `run` throws an error that names the Slurm state and reason (the evaluator records the task
/// `crashed`). Cancelling the calling task, or `cancelAll()`, `scancel`s the jobs.
///
/// Why `sbatch` and not `srun`: an sbatch job lives on without the engine, so a resumed engine finds it by
/// name and uses its result; an `srun` step needs a live client process on this machine per step in flight
/// (64 clients for 64 jobs), and dies or lingers with it. The cost, about 1 s from submission to start, is
/// measured by scripts/bench-slurm.sh; see docs/cluster.md.
public final class SlurmExecutor: StepExecutor, @unchecked Sendable {
    public let settings: SlurmSettings
    /// The run this executor's jobs belong to (job names and folders carry it).
    public let run: String
    public let client: SlurmClient
    /// Seconds between two looks for a result file.
    public var pollSeconds: Double = 0.05
    /// The gateway's TCP endpoint when it listens on one (`executor.gateway_address`): each step's spec names
    /// it instead of binding the gateway's socket, and the node relays to it. Set before the first step.
    public var gateway: StepGateway? {
        get { gatewayEndpoint.withLock { $0 } }
        set { gatewayEndpoint.withLock { $0 = newValue } }
    }

    private let evolvePath: String
    private let slots: JobSlots
    private let watch: JobWatch
    private let inFlight = Locked<Set<Int>>([])
    private let gatewayEndpoint = Locked<StepGateway?>(nil)

    /// - Parameter run: a name for the run, made of letters, digits, `-` and `_` (other characters become `_`).
    public init(settings: SlurmSettings, run: String, client: SlurmClient = SlurmClient()) throws {
        try settings.validate()
        self.settings = settings
        self.run = Self.safeName(run)
        self.client = client
        self.evolvePath = settings.evolvePath ?? Self.currentExecutable()
        self.slots = JobSlots(settings.maxJobs)
        self.watch = JobWatch(client: client)
    }

    /// The job name of a step of this run.
    public func jobName(step: String) -> String { "evolve.\(run).\(step)" }

    /// What the job names of an executor made for `run` start with: `evolve.<run>.`, the run name made safe
    /// as `init` does (how `evolve status` finds a run's jobs without an executor).
    public static func jobNamePrefix(run: String) -> String { "evolve.\(safeName(run))." }

    /// The folder of this run on the shared folder.
    public var runFolder: String { settings.sharedDir + "/" + run }

    // MARK: - Running a step

    public func run(_ spec: SandboxSpec) async throws -> SandboxResult {
        try spec.limits.validate()
        let step = spec.label.map(Self.safeName) ?? UUID().uuidString.lowercased()
        let folder = StepFolder(path: runFolder + "/" + step)
        try makePrivateRunFolder()
        try await slots.acquire()
        defer { Task { await slots.release() } }

        // A resumed engine: the same step already ran to completion before the crash.
        if spec.label != nil, let done = folder.readResult(), let result = done.result,
            folder.readSpec()?.command == spec.command
        {
            defer { finish(folder) }
            try folder.copyBack(into: spec)
            return result
        }

        var failures: [String] = []
        attempts: for attempt in 0...settings.retries {
            try Task.checkCancellation()
            try folder.stage(spec, evolvePath: evolvePath, gateway: gateway)
            let submission = SlurmClient.Submission(
                name: jobName(step: step), comment: folder.path, script: folder.scriptPath,
                outputPath: folder.path + "/slurm-%j.out", workingDirectory: folder.path,
                timeLimitMinutes: Int(((spec.limits.timeoutSeconds + settings.graceSeconds) / 60).rounded(.up)),
                partition: settings.partition, extraArguments: settings.sbatchArgs)
            let submittedAt = Date()
            let id = try await client.submit(submission)
            track(id)
            let ending = await withTaskCancellationHandler {
                await wait(for: id, submittedAt: submittedAt, folder: folder)
            } onCancel: {
                client.cancelDetached([id])
            }
            untrack(id)
            switch ending {
            case .result(let file):
                // The step's folder goes whatever its workspace holds: a copy back that fails on it (a tree
                // deeper than PATH_MAX, say) must not leave it in the shared folder.
                defer { finish(folder) }
                if let result = file.result {
                    try folder.copyBack(into: spec)
                    return result
                }
                throw EvolveError(
                    .sandbox, "the step \(step) could not run on \(file.host): \(file.error ?? "no reason given")")
            case .cancelled:
                await client.cancel([id])
                finish(folder)
                return SandboxResult(
                    termination: .killed, exitStatus: 137, output: "", outputBytesKept: 0, outputBytesDropped: 0,
                    wallSeconds: 0)
            case .ended(let job, let retryable):
                failures.append(job)
                if !retryable || attempt == settings.retries { break attempts }
            }
        }
        throw StepLost(
            "the Slurm job of step \(step) ended without a result: \(failures.joined(separator: "; then ")) "
                + "(its output is in \(folder.path)/slurm-*.out; `sinfo` shows the nodes' states)")
    }

    /// `scancel`s every job this executor has in flight: for the end of a search and for Ctrl-C.
    public func cancelAll() async {
        let ids = inFlight.withLock { Array($0) }
        await client.cancel(ids)
    }

    // MARK: - Waiting

    enum Ending {
        case result(StepResultFile)
        case cancelled
        /// The job ended (or vanished) without a result: its description, and whether another try may help.
        case ended(String, retryable: Bool)
    }

    private func wait(for id: Int, submittedAt: Date, folder: StepFolder) async -> Ending {
        var unknownLooks = 0
        while true {
            if Task.isCancelled { return .cancelled }
            if let file = folder.readResult() { return .result(file) }
            if let state = await watch.state(of: id, submittedAt: submittedAt) {
                if let job = state, let s = job.state, s.isFinished {
                    // The result may have landed between the two looks.
                    if let file = folder.readResult() { return .result(file) }
                    return .ended(job.summary, retryable: s.isInfrastructureFailure)
                }
                if state == nil {
                    unknownLooks += 1
                    if unknownLooks >= 3 {
                        if let file = folder.readResult() { return .result(file) }
                        return .ended("job \(id) is no longer known to Slurm", retryable: true)
                    }
                } else {
                    unknownLooks = 0
                }
            }
            try? await Task.sleep(nanoseconds: UInt64(pollSeconds * 1e9))
        }
    }

    /// The run's folder, readable by this user only: during a check step it holds the hidden tests.
    private func makePrivateRunFolder() throws {
        guard !Files.isDirectory(runFolder) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: runFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EvolveError(
                .io, "cannot make \(runFolder): \(error.localizedDescription)",
                hint: "executor.shared_dir must be writable on this machine and on the nodes")
        }
    }

    private func track(_ id: Int) { inFlight.withLock { _ = $0.insert(id) } }
    private func untrack(_ id: Int) { inFlight.withLock { _ = $0.remove(id) } }

    private func finish(_ folder: StepFolder) {
        if !settings.keepFolders { Files.removeTree(folder.path) }
    }

    // MARK: - Names

    static func safeName(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let cleaned = String(text.map { allowed.contains($0) ? $0 : "_" }.prefix(120))
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "_" + cleaned : cleaned
    }

    static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

// MARK: - Slots and the shared queue watch

/// At most `limit` jobs in flight; the others wait in order.
actor JobSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ limit: Int) { free = limit }

    func acquire() async throws {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
        if Task.isCancelled {
            release()
            throw CancellationError()
        }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// The states of this user's jobs, from one `squeue` at most once a second however many steps ask.
actor JobWatch {
    let client: SlurmClient
    private var jobs: [Int: SlurmJob] = [:]
    private var refreshed = Date.distantPast
    private var attempted = Date.distantPast
    private var refreshing = false
    private var answered: Set<Int> = []

    init(client: SlurmClient) { self.client = client }

    /// nil: no answer newer than the submission yet (ask again later); `.some(nil)`: Slurm does not know the
    /// job (any more).
    func state(of id: Int, submittedAt: Date) async -> SlurmJob?? {
        if !refreshing, Date().timeIntervalSince(attempted) >= 1 {
            refreshing = true
            let started = Date()
            attempted = started
            let list = try? await client.myJobs()
            refreshing = false
            if let list {
                jobs = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                refreshed = started
                answered = []
            }
        }
        // Each refresh answers each job once, so that a caller counts refreshes, not polls.
        guard refreshed > submittedAt, !answered.contains(id) else { return nil }
        answered.insert(id)
        return .some(jobs[id])
    }
}
