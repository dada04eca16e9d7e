import EvolveSupport
import Foundation
import Logging

/// A chat model behind some API. Implementations retry what is worth retrying and throw
/// `EvolveError(.llm, …)` with the reason when they give up.
public protocol LLMProvider: Sendable {
    /// The model that answers when a request names none.
    var model: String { get }
    /// Which kind of server this is, for prices (`local` is free).
    var kind: ProviderConfig.Kind { get }
    /// A short description for messages: the kind and the URL, never the key.
    var label: String { get }

    func complete(_ request: ChatRequest) async throws -> ChatResponse
}

// MARK: - Retries

/// How often and how patiently a provider tries again.
///
/// Attempt `n` (from 0) waits `min(maxDelay, baseDelay·2ⁿ)` scaled by a random factor in [0.5, 1] (jitter,
/// so parallel callers spread out), or what the server's `Retry-After` asks for, up to `maxRetryAfter`.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries after the first one.
    public var retries: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    public var maxRetryAfter: Double

    public init(retries: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 20, maxRetryAfter: Double = 60) {
        self.retries = max(0, retries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries: one attempt only.
    public static let none = RetryPolicy(retries: 0)

    /// Seconds to wait before retry number `attempt` (0-based).
    public func delay(attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfter) }
        let backoff = min(maxDelay, baseDelay * pow(2, Double(attempt)))
        return backoff * Double.random(in: 0.5...1)
    }
}

/// A failed attempt that another attempt may fix.
struct RetryableFailure: Error {
    var error: EvolveError
    var retryAfter: Double?
}

/// Runs attempts until one succeeds, a failure is final, or the retries are used up.
enum ProviderCall {
    static func run<T: Sendable>(
        _ policy: RetryPolicy, label: String, logger: Logger? = nil, attempt: (Int) async throws -> T
    ) async throws -> (T, attempts: Int) {
        var number = 0
        while true {
            try checkCancellation()
            do {
                return (try await attempt(number), number + 1)
            } catch let failure as RetryableFailure {
                guard number < policy.retries else {
                    let tries = number + 1
                    throw EvolveError(
                        .llm, "\(failure.error.message) (gave up after \(tries) attempt\(tries == 1 ? "" : "s"))",
                        hint: failure.error.hint)
                }
                let wait = policy.delay(attempt: number, retryAfter: failure.retryAfter)
                logger?.info(
                    "LLM call failed, retrying",
                    metadata: [
                        "reason": "\(failure.error.message)", "attempt": "\(number + 1)",
                        "wait_s": "\(String(format: "%.2f", wait))",
                    ])
                do {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                } catch {
                    throw EvolveError(.interrupted, "the call to \(label) was cancelled")
                }
                number += 1
            } catch let error as TransportError {
                if error.kind == .cancelled { throw EvolveError(.interrupted, "the call to \(label) was cancelled") }
                throw EvolveError(.llm, error.message)
            }
        }
    }

    /// One chat call with retries: sends `request` until an answer passes `context.check` and `parse` (or a
    /// failure is final), then stamps the response with its latency since `start` and its number of attempts.
    static func complete(
        _ request: HTTPRequest, startedAt start: ContinuousClock.Instant, transport: any HTTPTransport,
        retry: RetryPolicy, context: FailureContext, logger: Logger?, parse: (Data) throws -> ChatResponse
    ) async throws -> ChatResponse {
        var (response, attempts) = try await run(retry, label: context.label, logger: logger) { _ in
            let answer = try await send(transport, request)
            try context.check(answer)
            return try parse(answer.body)
        }
        response.latency = Stopwatch.seconds(since: start)
        response.attempts = attempts
        return response
    }

    private static func checkCancellation() throws {
        if Task.isCancelled { throw EvolveError(.interrupted, "the call was cancelled") }
    }

    /// Sends one request, turning transport failures that may pass into `RetryableFailure`.
    static func send(_ transport: any HTTPTransport, _ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch let error as TransportError where error.isRetryable {
            throw RetryableFailure(error: EvolveError(.llm, error.message), retryAfter: nil)
        }
    }
}

// MARK: - HTTP status → error

/// What a provider knows to explain a failed status.
struct FailureContext {
    var label: String
    var keyVariable: String?
    var secret: String?

    /// Throws the error for a non-2xx response: retryable for 408, 409, 429 and 5xx, final otherwise.
    func check(_ response: HTTPResponse) throws {
        guard !(200..<300).contains(response.status) else { return }
        let status = response.status
        let said = redact(serverMessage(response.body))
        switch status {
        case 401, 403:
            if let keyVariable {
                throw EvolveError(
                    .llm, "the key in $\(keyVariable) was refused by \(label) (HTTP \(status)): \(said)",
                    hint: "check the key in $\(keyVariable), or name another variable with api_key_env")
            }
            throw EvolveError(
                .llm, "\(label) refused the request without a key (HTTP \(status)): \(said)",
                hint: "set api_key_env in the config to the variable that holds the key")
        case 408, 409, 429, 500...599:
            throw RetryableFailure(
                error: EvolveError(.llm, "\(label) answered HTTP \(status): \(said)"),
                retryAfter: Self.retryAfter(response.headers))
        case 404:
            throw EvolveError(
                .llm, "\(label) answered HTTP 404: \(said)", hint: "check base_url (it should end in /v1) and model")
        default:
            throw EvolveError(.llm, "\(label) rejected the request (HTTP \(status)): \(said)")
        }
    }

    /// A failure for an answer that is not what the API promises; retryable (a proxy or a server hiccup).
    func garbage(_ what: String, _ body: Data) -> RetryableFailure {
        let excerpt = redact(Self.excerpt(body))
        return RetryableFailure(error: EvolveError(.llm, "\(label) \(what): \(excerpt)"), retryAfter: nil)
    }

    func redact(_ text: String) -> String {
        guard let secret, secret.count >= 4 else { return text }
        return text.replacingOccurrences(of: secret, with: "[redacted]")
    }

    /// The error text of an OpenAI, Anthropic or llama.cpp error body, else the start of the body.
    private func serverMessage(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                return message
            }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
        }
        return Self.excerpt(body)
    }

    static func excerpt(_ body: Data) -> String {
        if body.isEmpty { return "(empty body)" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return body.count > 200 ? "\(text)… (\(body.count) bytes)" : text
    }

    /// Seconds from `retry-after-ms`, or `retry-after` as seconds or an HTTP date.
    static func retryAfter(_ headers: [String: String]) -> Double? {
        if let ms = headers["retry-after-ms"].flatMap(Double.init) { return ms / 1000 }
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}

// MARK: - Clock

enum Stopwatch {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
