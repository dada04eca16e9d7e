import EvolveSupport
import Foundation

// MARK: - What is recorded

/// One model call, as the archive keeps it: enough to count, to price, to audit and to replay.
public struct RecordedCall: Codable, Sendable, Equatable {
    /// The task the call was made for (`v12/pyfix/t03`), or the caller (`meta-agent/g3`).
    public var taskKey: String
    /// The turn within the task (1 for the first call).
    public var turn: Int
    public var provider: String
    public var model: String
    public var inputTokens: Int
    public var outputTokens: Int
    /// Seconds the provider took (retries included).
    public var latency: Double
    public var costUSD: Double
    /// SHA-256 of `request`: the replay key.
    public var requestHash: String
    /// The request as forwarded, canonical JSON (`ChatRequest`).
    public var request: String
    /// The provider's answer as JSON (`ChatResponse`), before the gateway's reminder; nil when it failed.
    public var response: String?
    /// Why the call failed, when it did.
    public var error: String?
    public var startedAt: Date

    public init(
        taskKey: String, turn: Int, provider: String, model: String, inputTokens: Int, outputTokens: Int,
        latency: Double, costUSD: Double, requestHash: String, request: String, response: String?, error: String?,
        startedAt: Date
    ) {
        self.taskKey = taskKey
        self.turn = turn
        self.provider = provider
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latency = latency
        self.costUSD = costUSD
        self.requestHash = requestHash
        self.request = request
        self.response = response
        self.error = error
        self.startedAt = startedAt
    }

    private enum CodingKeys: String, CodingKey {
        case taskKey = "task_key"
        case turn, provider, model
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case latency
        case costUSD = "cost_usd"
        case requestHash = "request_hash"
        case request, response, error
        case startedAt = "started_at"
    }

    /// The whole record as JSON (dates in ISO 8601): what the archive keeps as the call's transcript, and
    /// what `init(transcriptJSON:)` reads back for a replay.
    public var transcriptJSON: Data {
        (try? CallRecordCoding.encoder.encode(self)) ?? Data()
    }

    /// A record from its `transcriptJSON`.
    public init(transcriptJSON: Data) throws {
        do {
            self = try CallRecordCoding.decoder.decode(RecordedCall.self, from: transcriptJSON)
        } catch {
            throw EvolveError(.corrupt, "a recorded call's transcript is not a call record: \(error)")
        }
    }

    /// The recorded answer, decoded.
    public var chatResponse: ChatResponse? {
        response.flatMap { try? JSONDecoder().decode(ChatResponse.self, from: Data($0.utf8)) }
    }
}

/// Receives every call the gateway (or a `RecordingProvider`) makes. The archive implements it; the call
/// is answered only after `record` returns, so nothing an agent saw goes unrecorded.
public protocol CallRecorder: Sendable {
    func record(_ call: RecordedCall) async
}

/// Keeps calls in memory (tests, and runs without an archive).
public actor InMemoryCallRecorder: CallRecorder {
    public private(set) var calls: [RecordedCall] = []

    public init() {}

    public func record(_ call: RecordedCall) async {
        calls.append(call)
    }
}

/// Appends calls to a JSON Lines file, one record a line: a transcript a person can read and
/// `ReplayProvider.load(jsonLines:)` can replay.
public final class JSONLinesCallRecorder: CallRecorder, @unchecked Sendable {
    public let path: String
    private let lock = NSLock()

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw EvolveError(.io, "cannot create the call log \(path)")
            }
        }
    }

    public func record(_ call: RecordedCall) async {
        var line = call.transcriptJSON
        line.append(0x0A)
        lock.withLock {
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(line)
                try? handle.close()
            }
        }
    }
}

enum CallRecordCoding {
    static var encoder: JSONEncoder {
        let encoder = CanonicalJSON.encoder
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

// MARK: - Recording outside the gateway

/// Wraps a provider so that each call is recorded under a task key, for callers that do not go through the
/// gateway (the meta-agent).
public struct RecordingProvider: LLMProvider {
    public let base: any LLMProvider
    public let recorder: any CallRecorder
    public let taskKey: String
    public let prices: PriceTable
    private let turns = Locked(0)

    public init(_ base: any LLMProvider, recorder: any CallRecorder, taskKey: String, prices: PriceTable = PriceTable())
    {
        self.base = base
        self.recorder = recorder
        self.taskKey = taskKey
        self.prices = prices
    }

    public var model: String { base.model }
    public var kind: ProviderConfig.Kind { base.kind }
    public var label: String { base.label }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let started = Date()
        let turn = turns.increment()
        do {
            let response = try await base.complete(request)
            let cost = prices.cost(model: response.model, usage: response.usage, provider: kind)
            await recorder.record(
                .success(
                    taskKey: taskKey, turn: turn, provider: kind, request: request, response: response,
                    cost: cost, startedAt: started))
            return response
        } catch {
            await recorder.record(
                .failure(
                    taskKey: taskKey, turn: turn, provider: kind, model: request.model ?? model, request: request,
                    error: "\(error)", latency: -started.timeIntervalSinceNow, startedAt: started))
            throw error
        }
    }
}

/// Numbers the gateway's answers 1, 2, 3… (copies share the count).
struct TurnCounter: Sendable {
    private let count = Locked(0)

    func next() -> Int { count.increment() }
}

extension RecordedCall {
    static func success(
        taskKey: String, turn: Int, provider: ProviderConfig.Kind, request: ChatRequest, response: ChatResponse,
        cost: Double, startedAt: Date
    ) -> RecordedCall {
        let answer = (try? CanonicalJSON.encoder.encode(response)).map { String(decoding: $0, as: UTF8.self) }
        return RecordedCall(
            taskKey: taskKey, turn: turn, provider: provider.rawValue, model: response.model,
            inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens,
            latency: response.latency, costUSD: cost, requestHash: request.canonicalHash,
            request: String(decoding: request.canonicalJSON, as: UTF8.self), response: answer, error: nil,
            startedAt: startedAt)
    }

    static func failure(
        taskKey: String, turn: Int, provider: ProviderConfig.Kind, model: String, request: ChatRequest, error: String,
        latency: Double, startedAt: Date
    ) -> RecordedCall {
        RecordedCall(
            taskKey: taskKey, turn: turn, provider: provider.rawValue, model: model, inputTokens: 0, outputTokens: 0,
            latency: latency, costUSD: 0, requestHash: request.canonicalHash,
            request: String(decoding: request.canonicalJSON, as: UTF8.self), response: nil, error: error,
            startedAt: startedAt)
    }
}

// MARK: - Replay

/// Answers from recorded calls, by request hash, without a model: `evolve eval --replay`.
///
/// A request asked several times gets the recorded answers in order, then the last one again. A request
/// never recorded fails with its hash, since the agent has left the recorded path.
public final class ReplayProvider: LLMProvider, @unchecked Sendable {
    public let model: String
    public var kind: ProviderConfig.Kind { .local }
    public var label: String { "the replay of \(total) recorded calls" }
    private let answers: [String: [ChatResponse]]
    /// How many times each request hash has been answered.
    private let served = Locked<[String: Int]>([:])
    private let total: Int

    /// - Parameter records: recorded calls; failed ones are skipped.
    public init(records: [RecordedCall], model: String = "replay") {
        var answers: [String: [ChatResponse]] = [:]
        for record in records.sorted(by: { $0.startedAt < $1.startedAt }) {
            if let response = record.chatResponse { answers[record.requestHash, default: []].append(response) }
        }
        self.answers = answers
        self.total = answers.values.reduce(0) { $0 + $1.count }
        self.model = records.first(where: { $0.response != nil })?.model ?? model
    }

    /// Records from a JSON Lines call log (`JSONLinesCallRecorder`).
    public static func load(jsonLines path: String) throws -> ReplayProvider {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EvolveError(.notFound, "cannot read the call log \(path)")
        }
        var records: [RecordedCall] = []
        for (number, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            do {
                records.append(try RecordedCall(transcriptJSON: Data(line.utf8)))
            } catch {
                throw EvolveError(.corrupt, "line \(number + 1) of the call log \(path) is not a call record")
            }
        }
        return ReplayProvider(records: records)
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let hash = request.canonicalHash
        let found: ChatResponse? = served.withLock { served in
            guard let recorded = answers[hash], !recorded.isEmpty else { return nil }
            let index = served[hash, default: 0]
            served[hash] = index + 1
            return recorded[min(index, recorded.count - 1)]
        }
        guard var answer = found else {
            throw EvolveError(
                .llm, "no recorded answer for this request (hash \(hash.prefix(12)))",
                hint:
                    "the agent asked something the recorded run did not; replay needs the same agent, task and budgets")
        }
        answer.latency = 0
        answer.attempts = 1
        return answer
    }
}
