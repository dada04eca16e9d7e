import EvolveSupport
import Foundation

/// One model call as the index keeps it (a row of `llm_calls`); the full transcript is a blob.
public struct LLMCallRow: Sendable, Equatable {
    /// The row's number in `llm_calls`; nil for a call not recorded yet.
    public var id: Int?
    public var run: String?
    public var variant: VariantID?
    /// `r1/g3/s0` for the meta-agent, `v12/suite/task` for an agent at work (nil only in a row written
    /// without one).
    public var taskKey: String?
    /// `meta` (making a child) or `agent` (an agent working on a task through the gateway).
    public var purpose: String
    public var model: String
    public var requestHash: String
    public var tokensIn: Int
    public var tokensOut: Int
    public var latencySeconds: Double
    public var costUSD: Double
    /// The blob id of the transcript (the call record as JSON; read it with `Archive.transcript(of:)`).
    public var transcriptBlob: String
    public var createdAt: Double

    public init(
        id: Int? = nil, run: String?, variant: VariantID?, taskKey: String?, purpose: String, model: String,
        requestHash: String, tokensIn: Int, tokensOut: Int, latencySeconds: Double, costUSD: Double,
        transcriptBlob: String, createdAt: Double
    ) {
        self.id = id
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

    /// The recorded calls of a run (every run when nil), in the order they were recorded.
    public func calls(run: String? = nil) throws -> [LLMCallRow] {
        try locked {
            try db.rows(
                "SELECT \(Self.callColumns) FROM llm_calls WHERE ? IS NULL OR run_id = ? ORDER BY id", [run, run],
                Self.call(from:))
        }
    }

    /// The recorded calls of a variant (its mutation's and its agent's), oldest first.
    public func llmCalls(variant id: VariantID) throws -> [LLMCallRow] {
        try locked {
            try db.rows(
                "SELECT \(Self.callColumns) FROM llm_calls WHERE variant = ? ORDER BY created_at, id", [id.number],
                Self.call(from:))
        }
    }

    /// The transcript text of a call; the stored text itself when the column holds text, not a blob id.
    public func transcript(of call: LLMCallRow) -> String {
        let id = call.transcriptBlob
        let isBlobID = id.count == 40 && id.allSatisfy(\.isHexDigit)
        guard isBlobID else { return id }
        return (try? blob(id)) ?? "(transcript unavailable: blob \(id) is missing)"
    }

    /// The transcripts of recorded calls (for replays), optionally only those of one variant's tasks.
    public func callTranscripts(variant: VariantID? = nil) throws -> [String] {
        let blobs: [String] = try locked {
            if let variant {
                return try db.rows(
                    "SELECT transcript_blob FROM llm_calls WHERE variant = ? ORDER BY id", [variant.number]
                ) {
                    $0.string(0)
                }
            }
            return try db.rows("SELECT transcript_blob FROM llm_calls ORDER BY id") { $0.string(0) }
        }
        return try blobs.map { try blob($0) }
    }

    // MARK: - Rows

    private static let callColumns = """
        id, run_id, variant, task_key, purpose, model, request_hash, tokens_in, tokens_out, latency_s, cost_usd,
        transcript_blob, created_at
        """

    private static func call(from row: SQLiteRow) -> LLMCallRow {
        LLMCallRow(
            id: row.int(0), run: row.optionalString(1), variant: row.optionalInt(2).map(VariantID.init),
            taskKey: row.optionalString(3), purpose: row.string(4), model: row.string(5), requestHash: row.string(6),
            tokensIn: row.int(7), tokensOut: row.int(8), latencySeconds: row.double(9), costUSD: row.double(10),
            transcriptBlob: row.string(11), createdAt: row.double(12))
    }
}
