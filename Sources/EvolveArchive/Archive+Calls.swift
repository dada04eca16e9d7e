import EvolveSupport
import Foundation

/// One model call as the index keeps it; the full transcript is a blob.
public struct LLMCallRow: Sendable, Equatable {
    public var run: String?
    public var variant: VariantID?
    /// `r1/g3/s0` for the meta-agent, `v12/suite/task` for an agent at work.
    public var taskKey: String
    /// `meta` (making a child) or `agent` (an agent working on a task through the gateway).
    public var purpose: String
    public var model: String
    public var requestHash: String
    public var tokensIn: Int
    public var tokensOut: Int
    public var latencySeconds: Double
    public var costUSD: Double
    /// The blob id of the transcript (the call record as JSON).
    public var transcriptBlob: String
    public var createdAt: Double

    public init(run: String?, variant: VariantID?, taskKey: String, purpose: String, model: String, requestHash: String,
                tokensIn: Int, tokensOut: Int, latencySeconds: Double, costUSD: Double, transcriptBlob: String,
                createdAt: Double) {
        self.run = run
        self.variant = variant
        self.taskKey = taskKey
        self.purpose = purpose
        self.model = model
        self.requestHash = requestHash
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.latencySeconds = latencySeconds
        self.costUSD = costUSD
        self.transcriptBlob = transcriptBlob
        self.createdAt = createdAt
    }
}

extension Archive {
    /// Records one model call; its transcript goes into a blob first.
    public func recordCall(_ call: LLMCallRow, transcript: String) throws {
        try locked {
            let blob = try git.writeBlob(Array(transcript.utf8)).hex
            try db.run(
                """
                INSERT INTO llm_calls (run_id, variant, task_key, purpose, model, request_hash, tokens_in, tokens_out,
                                       latency_s, cost_usd, transcript_blob, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                call.run, call.variant?.number, call.taskKey, call.purpose, call.model, call.requestHash, call.tokensIn,
                call.tokensOut, call.latencySeconds, call.costUSD, blob, call.createdAt)
        }
    }

    /// Attaches the calls made to create a child (under `key`, `meta-agent/<key>` or `<key>/…`) to it.
    public func attachCalls(taskKey key: String, to variant: VariantID) throws {
        try locked {
            _ = try db.run(
                """
                UPDATE llm_calls SET variant = ?
                WHERE variant IS NULL AND (task_key = ? OR task_key = 'meta-agent/' || ? OR substr(task_key, 1, ?) = ?)
                """, variant.number, key, key, key.count + 1, key + "/")
        }
    }

    /// The recorded calls of a run (every run when nil), oldest first.
    public func calls(run: String? = nil) throws -> [LLMCallRow] {
        try locked {
            try db.rows(
                """
                SELECT run_id, variant, task_key, purpose, model, request_hash, tokens_in, tokens_out, latency_s,
                       cost_usd, transcript_blob, created_at
                FROM llm_calls WHERE ? IS NULL OR run_id = ? ORDER BY id
                """, [run, run]
            ) { row in
                LLMCallRow(
                    run: row.optionalString(0), variant: row.optionalInt(1).map(VariantID.init),
                    taskKey: row.string(2), purpose: row.string(3), model: row.string(4),
                    requestHash: row.string(5), tokensIn: row.int(6), tokensOut: row.int(7),
                    latencySeconds: row.double(8), costUSD: row.double(9), transcriptBlob: row.string(10),
                    createdAt: row.double(11))
            }
        }
    }

    /// The transcripts of recorded calls (for replays), optionally only those of one variant's tasks.
    public func callTranscripts(variant: VariantID? = nil) throws -> [String] {
        let blobs: [String] = try locked {
            if let variant {
                return try db.rows("SELECT transcript_blob FROM llm_calls WHERE variant = ? ORDER BY id", [variant.number]) {
                    $0.string(0)
                }
            }
            return try db.rows("SELECT transcript_blob FROM llm_calls ORDER BY id") { $0.string(0) }
        }
        return try blobs.map { try blob($0) }
    }
}
