import EvolveSupport
import Foundation

/// The Slurm commands the executor needs (`sbatch`, `squeue`, `scontrol`, `scancel`), run as processes and
/// their output parsed. Every call is short (tens of milliseconds) and runs off the caller's thread.
public struct SlurmClient: Sendable {
    /// Folder holding the Slurm commands; empty to look them up in `PATH`.
    public var binDirectory: String
    /// How long one Slurm command may take before it is killed and the call fails: Slurm's own commands give
    /// up on an unreachable controller well before (MessageTimeout, 10 s by default, and a few retries).
    public var commandTimeout: Duration

    public init(binDirectory: String = "", commandTimeout: Duration = .seconds(120)) {
        self.binDirectory = binDirectory
        self.commandTimeout = commandTimeout
    }

    /// Whether the Slurm client commands are installed.
    public var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: path("sbatch")) || which("sbatch") != nil
    }

    /// What a job needs to be submitted.
    public struct Submission: Sendable {
        /// The job's name: `evolve.<run>.<step>`, what `jobs(named:)` finds after a crash.
        public var name: String
        /// The job's comment (the step folder).
        public var comment: String
        /// The batch script (a file on the shared folder, read by sbatch at submission).
        public var script: String
        /// Where the job's own output goes (`%j` is the job id).
        public var outputPath: String
        public var workingDirectory: String
        public var timeLimitMinutes: Int
        public var partition: String?
        /// Extra arguments (`--account`, `--qos`, `--constraint` …), placed before the script.
        public var extraArguments: [String]

        public init(
            name: String, comment: String, script: String, outputPath: String, workingDirectory: String,
            timeLimitMinutes: Int, partition: String? = nil, extraArguments: [String] = []
        ) {
            self.name = name
            self.comment = comment
            self.script = script
            self.outputPath = outputPath
            self.workingDirectory = workingDirectory
            self.timeLimitMinutes = timeLimitMinutes
            self.partition = partition
            self.extraArguments = extraArguments
        }

        /// The `sbatch` arguments. `--export=NONE`: nothing of the engine's environment (API keys) reaches
        /// the node; `--no-requeue`: the engine, not Slurm, decides about a second try.
        public var arguments: [String] {
            var a = [
                "--parsable", "--job-name=\(name)", "--comment=\(comment)", "--output=\(outputPath)",
                "--chdir=\(workingDirectory)", "--time=\(max(1, timeLimitMinutes))", "--export=NONE", "--no-requeue",
                "--ntasks=1", "--cpus-per-task=1",
            ]
            if let partition, !partition.isEmpty { a.append("--partition=\(partition)") }
            return a + extraArguments + [script]
        }
    }

    /// Submits a batch job and returns its id.
    public func submit(_ submission: Submission) async throws -> Int {
        let out = try await run("sbatch", submission.arguments)
        guard out.status == 0 else {
            throw EvolveError(
                .sandbox, "sbatch refused the job \(submission.name): \(out.text.prefix(400))",
                hint: "check the partition and sbatch_args of the executor, and `sinfo` on this machine")
        }
        return try parseSbatchJobID(out.text)
    }

    /// Every job of this user that Slurm still knows (pending, running, and finished within `MinJobAge`).
    public func myJobs() async throws -> [SlurmJob] {
        let out = try await run("squeue", ["--me", "-h", "-t", "all", "-o", SlurmJob.squeueFormat])
        guard out.status == 0 else { throw EvolveError(.sandbox, "squeue failed: \(out.text.prefix(400))") }
        return SlurmJob.parse(squeue: out.text)
    }

    /// This user's jobs queued or running (squeue's default states: finished jobs are left out) whose names
    /// start with `prefix`, with their nodes and elapsed times: what `evolve status` lists.
    public func queuedJobs(namePrefix prefix: String) async throws -> [SlurmJob] {
        let out = try await run("squeue", ["--me", "-h", "-o", SlurmJob.queueFormat])
        guard out.status == 0 else { throw EvolveError(.sandbox, "squeue failed: \(out.text.prefix(400))") }
        return SlurmJob.parse(queue: out.text).filter { $0.name.hasPrefix(prefix) }
    }

    /// The jobs with exactly these names (`squeue --name`), finished ones included: how a resumed engine finds
    /// the jobs of its steps.
    public func jobs(named names: [String]) async throws -> [SlurmJob] {
        guard !names.isEmpty else { return [] }
        let out = try await run(
            "squeue", ["-h", "-t", "all", "--name=\(names.joined(separator: ","))", "-o", SlurmJob.squeueFormat])
        guard out.status == 0 else { throw EvolveError(.sandbox, "squeue failed: \(out.text.prefix(400))") }
        return SlurmJob.parse(squeue: out.text)
    }

    /// The fields of `scontrol show job ID` (`JobState`, `Reason`, `ExitCode` …), nil once Slurm forgot it.
    public func details(of id: Int) async throws -> [String: String]? {
        let out = try await run("scontrol", ["show", "job", "\(id)"])
        guard out.status == 0 else { return nil }
        return parseScontrolFields(out.text)
    }

    /// Cancels jobs (`scancel`); jobs that already ended are ignored.
    public func cancel(_ ids: [Int]) async {
        guard !ids.isEmpty else { return }
        _ = try? await run("scancel", ids.map(String.init))
    }

    /// Cancels jobs without waiting for scancel to finish: for cancellation handlers, which cannot await.
    public func cancelDetached(_ ids: [Int]) {
        guard !ids.isEmpty else { return }
        Spawn.command(resolved("scancel"), ids.map(String.init)).runDetached()
    }

    // MARK: - Processes

    struct Output: Sendable {
        var status: Int32
        var text: String
    }

    func run(_ tool: String, _ arguments: [String]) async throws -> Output {
        let executable = resolved(tool)
        let timeout = commandTimeout
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try Self.runNow(executable, arguments, timeout: timeout) })
            }
        }
    }

    /// Runs a command to its end on this thread (output and errors together), with `Spawn.run`.
    ///
    /// - Throws: when it cannot start, or when it outlives `timeout` (it is then killed).
    static func runNow(_ executable: String, _ arguments: [String], timeout: Duration? = nil) throws -> Output {
        let finished: Spawn.Finished
        do {
            finished = try Spawn.command(executable, arguments).run(timeout: timeout, errorKind: .sandbox)
        } catch let error as EvolveError {
            throw EvolveError(
                .sandbox, error.message,
                hint: "install Slurm's client commands (Debian: slurm-client) on the machine that runs evolve")
        }
        if finished.timedOut, let timeout {
            throw EvolveError(
                .sandbox, "\(executable) \(arguments.first ?? "") did not finish in \(timeout) and was stopped",
                hint: "check that Slurm's controller answers: `scontrol ping`")
        }
        return Output(status: finished.status, text: finished.text)
    }

    private func path(_ tool: String) -> String { binDirectory.isEmpty ? tool : binDirectory + "/" + tool }

    private func resolved(_ tool: String) -> String {
        if !binDirectory.isEmpty { return path(tool) }
        return which(tool) ?? "/usr/bin/" + tool
    }

    private func which(_ tool: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in dirs + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
