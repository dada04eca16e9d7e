import EvolveArchive
import EvolveLLM
import EvolveTasks
import Foundation

/// Records every model call of a run in the archive's `llm_calls` (the gateway's agent calls and the
/// meta-agent's), with the transcript as a blob. Keys tell the two apart: `r1/g3/s0` is the meta-agent
/// making a child (also `meta-agent/r1/g3/s0`, and `r1/g3/s0/self-improve` for the `self` operator's agent);
/// `v12/suite/task` is variant v12's agent at work.
public struct ArchiveCallRecorder: CallRecorder {
    public let archive: Archive
    public let run: String

    public init(archive: Archive, run: String) {
        self.archive = archive
        self.run = run
    }

    public func record(_ call: RecordedCall) async {
        // An agent's call at work on a task (`v12/suite/task`) belongs to that variant; the meta-agent's (and a
        // self-improving parent's) calls are attached to the child once it is recorded.
        let agent = TaskKey(call.taskKey).agent
        let row = LLMCallRow(
            run: run, variant: agent.flatMap { VariantID(parsing: $0) }, taskKey: call.taskKey,
            purpose: agent == nil ? "meta" : "agent", model: call.model, requestHash: call.requestHash,
            tokensIn: call.inputTokens, tokensOut: call.outputTokens, latencySeconds: call.latency,
            costUSD: call.costUSD, transcriptBlob: "", createdAt: call.startedAt.timeIntervalSince1970)
        // A failure to record is reported, never silently dropped, but it must not break the agent's call.
        do {
            try archive.recordCall(row, transcript: String(decoding: call.transcriptJSON, as: UTF8.self))
        } catch {
            FileHandle.standardError.write(Data("evolve: could not record a model call: \(error)\n".utf8))
        }
    }
}
