import EvolveSupport
import Foundation

extension SlurmExecutor {
    /// What `recover()` found of a run's jobs.
    public struct Recovery: Sendable, Equatable {
        /// Jobs still pending or running when the engine came back: cancelled (their steps run again).
        public var cancelled: [SlurmJob]
        /// Jobs that had ended: a step of the same label reuses their result when it is complete.
        public var finished: [SlurmJob]
    }

    /// The jobs of this run that Slurm still knows, found by their names (`evolve.<run>.<step>`).
    public func jobsOfRun() async throws -> [SlurmJob] {
        let prefix = "evolve.\(run)."
        return try await client.myJobs().filter { $0.name.hasPrefix(prefix) }
    }

    /// After the engine was killed (kill -9) and resumed: cancels this run's jobs that are still pending or
    /// running and waits (at most `waitSeconds`) until Slurm reports them ended, so that none writes into a
    /// step folder staged again. Finished steps keep their folders: `run` reuses a complete result of a
    /// step with the same label instead of submitting it again.
    @discardableResult
    public func recover(waitSeconds: Double = 30) async throws -> Recovery {
        let jobs = try await jobsOfRun()
        let live = jobs.filter { !($0.state?.isFinished ?? false) }
        await client.cancel(live.map(\.id))
        let deadline = Date().addingTimeInterval(waitSeconds)
        var pending = Set(live.map(\.id))
        while !pending.isEmpty, Date() < deadline {
            try await Task.sleep(nanoseconds: 200_000_000)
            let now = try await client.myJobs()
            pending = Set(now.filter { pending.contains($0.id) && !($0.state?.isFinished ?? false) }.map(\.id))
        }
        return Recovery(cancelled: live, finished: jobs.filter { $0.state?.isFinished ?? false })
    }

    /// Cancels every job of this run that has not ended, including jobs submitted before a crash: for the end
    /// of a search.
    public func cancelRun() async throws {
        await cancelAll()
        let live = try await jobsOfRun().filter { !($0.state?.isFinished ?? false) }
        await client.cancel(live.map(\.id))
    }
}
