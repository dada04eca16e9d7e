import EvolveArchive
import EvolveCluster
import EvolveSearch
import EvolveSupport
import Foundation

/// Where the last search of an archive stands: what `evolve status` prints.
public struct RunStatus: Sendable {
    public var run: String
    /// The state the run recorded (`running`, `finished`, `interrupted`, …).
    public var state: RunRecord.State
    /// For a `running` run: whether the process that runs it still exists (it holds the archive's writer lock,
    /// which the kernel lets go when it ends, so a pid reused after a restart does not count). A run whose
    /// process is gone (killed, machine restarted) is stopped, whatever it recorded; `evolve search --resume`
    /// goes on with it.
    public var alive: Bool
    public var generation: Int
    public var generations: Int
    public var best: Variant?
    public var costUSD: Double
    public var variants: Int
    public var evaluations: Int
    public var updatedAt: Date
    /// The run's Slurm jobs queued or running; nil for a run on this machine (`executor: {name: local}`).
    public var jobs: RunJobs?
    /// For a live run: the pid of the search writing it (from the archive's `writer.lock`).
    public var pid: Int32? = nil

    /// The status of the archive's last run; `notFound` when no search has run on it. A run on Slurm also
    /// lists its jobs with `client` (a failure to list them is reported in `jobs`, not thrown).
    public static func read(
        _ archive: Archive, slurm client: SlurmClient = SlurmClient()
    ) async throws -> RunStatus {
        guard let run = try archive.lastRun() else {
            throw EvolveError(
                .notFound, "no search has run on \(archive.path) yet", hint: "start one with `evolve search`")
        }
        let progress = ProgressNote.read(run.progress)
        let alive = run.state == .running && archive.isBeingWritten
        return RunStatus(
            run: run.id, state: run.state, alive: alive, generation: progress.generation ?? 0,
            generations: progress.generations ?? 0,
            best: try archive.bestVariants(limit: 1).first,
            costUSD: try archive.runCost(run.id), variants: try archive.variantCount(),
            evaluations: try archive.evaluationCount(run: run.id),
            updatedAt: Date(timeIntervalSince1970: run.updatedAt),
            jobs: await RunJobs.list(of: run, archivePath: archive.path, client: client),
            pid: alive ? archive.writerPID : nil)
    }

    /// The state as shown: a `running` run whose process is gone says so, and how to go on; a live one names
    /// its process.
    public var stateText: String {
        if state == .running && !alive { return "stopped (the process is gone; resume with `evolve search --resume`)" }
        if state == .running, let pid { return "running (pid \(pid))" }
        return state.rawValue
    }

    /// What `evolve status` prints.
    public func text() -> String {
        var out = "Run \(run): \(stateText)\n"
        out += "  generation \(generation) of \(generations)\n"
        out += "  best \(best.map { "\($0.id) (\(String(format: "%.3f", $0.score ?? 0)))" } ?? "–")\n"
        out += String(format: "  cost $%.4f · %d variants · %d task evaluations\n", costUSD, variants, evaluations)
        out += "  last update \(updatedAt)\n"
        return out + (jobs?.text ?? "")
    }

    /// `evolve status --json`.
    public func json() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("run", run)
        w.field("state", state.rawValue)
        w.field("alive", state != .running || alive)
        w.field("generation", generation)
        w.field("generations", generations)
        w.field("best", best?.id.description)
        w.field("best_score", best?.score)
        w.field("cost_usd", costUSD)
        w.field("variants", variants)
        w.field("evaluations", evaluations)
        if let pid { w.field("pid", Int(pid)) }
        jobs?.write(to: &w)
        w.endObject()
        return w.output
    }
}
