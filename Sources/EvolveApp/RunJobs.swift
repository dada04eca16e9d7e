import EvolveArchive
import EvolveCluster
import EvolveSupport
import Foundation

/// A run's Slurm jobs still queued or running, as `evolve status` shows them: only for a run whose saved
/// configuration says `executor: {name: slurm, …}`. Jobs are found by name (`evolve.<run>-<archive
/// fingerprint>.<label>`, see `SearchEnvironment.clusterRunName`) among this user's jobs in `squeue`.
public struct RunJobs: Sendable, Equatable {
    /// The run's jobs pending or running (squeue's order); empty when `failure` says why none could be listed.
    public var jobs: [SlurmJob]
    /// Why the jobs could not be listed (Slurm is not installed, squeue failed); nil when they were.
    public var failure: String?
    /// What the run's job names start with (`evolve.r1-1a2b3c4d.`): a job's label is the rest of its name.
    public var namePrefix: String

    public init(jobs: [SlurmJob], failure: String? = nil, namePrefix: String) {
        self.jobs = jobs
        self.failure = failure
        self.namePrefix = namePrefix
    }

    /// The jobs of `run` on the cluster; nil when the run does not use Slurm (or its saved configuration
    /// cannot be read, so nothing says it does). Never throws: a failure to list is part of the answer.
    static func list(of run: RunRecord, archivePath: String, client: SlurmClient) async -> RunJobs? {
        guard let config = try? JSONDecoder().decode(RunConfig.self, from: Data(run.config.utf8)),
            case .slurm = config.executor
        else { return nil }
        let prefix = SlurmExecutor.jobNamePrefix(
            run: SearchEnvironment.clusterRunName(run.id, archive: archivePath))
        guard client.isInstalled else {
            return RunJobs(
                jobs: [], failure: "Slurm's commands (sbatch, squeue) are not installed on this machine",
                namePrefix: prefix)
        }
        do {
            return RunJobs(jobs: try await client.queuedJobs(namePrefix: prefix), namePrefix: prefix)
        } catch let error as EvolveError {
            let why = error.message.trimmingCharacters(in: .whitespacesAndNewlines)
            return RunJobs(jobs: [], failure: why, namePrefix: prefix)
        } catch {
            return RunJobs(jobs: [], failure: "\(error)", namePrefix: prefix)
        }
    }

    /// A job's label: its name without the run's prefix (`v3.smoke.t1.agent`).
    public func label(of job: SlurmJob) -> String {
        job.name.hasPrefix(namePrefix) ? String(job.name.dropFirst(namePrefix.count)) : job.name
    }

    /// How many jobs are in each state, pending and running first (`1 pending, 2 running`).
    public var counts: [(state: String, count: Int)] {
        var order = ["pending", "running"]
        var counts: [String: Int] = [:]
        for job in jobs {
            let state = job.stateText.lowercased()
            if !order.contains(state) { order.append(state) }
            counts[state, default: 0] += 1
        }
        return order.compactMap { state in counts[state].map { (state, $0) } }
    }

    /// The lines `evolve status` prints: the counts, then one line per job (id, state, label, node, elapsed,
    /// and why a job waits), or why the jobs could not be listed. squeue's fields are shown escaped: a job
    /// name or reason never writes control characters to the terminal.
    public var text: String {
        if let failure { return "  jobs could not be listed: \(DisplayText.escaped(failure))\n" }
        guard !jobs.isEmpty else { return "  jobs: none queued or running\n" }
        var out = "  jobs: " + counts.map { "\($0.count) \(DisplayText.escaped($0.state))" }.joined(separator: ", ")
        let rows = jobs.map { job in
            [
                String(job.id), job.stateText, label(of: job), job.node.isEmpty ? "–" : job.node, job.elapsed,
                job.reason.isEmpty || job.reason == "None" ? "" : "(\(job.reason))",
            ].map { DisplayText.escaped($0) }
        }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let last = row[5].isEmpty ? 4 : 5  // no spaces after the last cell shown
            let cells = (0...last).map { $0 == last ? row[$0] : row[$0].padded(widths[$0]) }
            out += "\n    " + cells.joined(separator: "  ")
        }
        return out + "\n"
    }

    /// The `jobs` array (and `jobs_error` when they could not be listed) of `evolve status --json`.
    func write(to w: inout JSONWriter) {
        w.key("jobs")
        w.beginArray()
        for job in jobs {
            w.beginObject()
            w.field("id", job.id)
            w.field("name", job.name)
            w.field("label", label(of: job))
            w.field("state", job.stateText)
            w.field("node", job.node.isEmpty ? nil : job.node)
            w.field("elapsed", job.elapsed)
            w.field("reason", job.reason)
            w.endObject()
        }
        w.endArray()
        if let failure { w.field("jobs_error", failure) }
    }
}

extension String {
    /// The text with spaces after it up to `width` characters.
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
