import EvolveLLM
import Foundation

/// An OpenAI-compatible stub on 127.0.0.1 whose answers a test scripts, and which remembers what it got.
final class StubServer: @unchecked Sendable {
    typealias Script = @Sendable (_ number: Int, _ request: HTTPServerRequest) async -> HTTPServerResponse

    private let lock = NSLock()
    private var received: [HTTPServerRequest] = []
    private var server: HTTPServer!

    init(_ script: @escaping Script) throws {
        server = HTTPServer { [unowned self] request in
            let number = record(request)
            return await script(number, request)
        }
        try server.listen()
    }

    deinit { server.stop() }

    /// `http://127.0.0.1:<port>/v1`
    var baseURL: String { "\(server.baseURL)/v1" }

    var requests: [HTTPServerRequest] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    private func record(_ request: HTTPServerRequest) -> Int {
        lock.lock()
        defer { lock.unlock() }
        received.append(request)
        return received.count
    }

    func stop() { server.stop() }

    // MARK: - Canned answers

    static func completion(
        _ content: String, model: String = "stub-model", promptTokens: Int = 11, completionTokens: Int = 7
    ) -> HTTPServerResponse {
        .json(
            200,
            object: [
                "id": "chatcmpl-1", "object": "chat.completion", "model": model,
                "choices": [
                    ["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]
                ],
                "usage": [
                    "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                    "total_tokens": promptTokens + completionTokens,
                ],
            ])
    }

    static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> HTTPServerResponse {
        .json(status, object: ["error": ["message": message, "type": "stub"]], headers: headers)
    }
}

/// Retries without waiting, so tests of retry paths stay fast.
let quickRetries = RetryPolicy(retries: 2, baseDelay: 0.001, maxDelay: 0.01, maxRetryAfter: 0.05)

/// A provider that talks to `stub`.
///
/// The timeout is the product's default: a test that means to time out passes its own. On a 2-core CI machine a
/// test's task can wait tens of seconds behind the tests still queued, and a 10-second timeout once expired
/// on a stub's answer there, which made a retry test count an extra attempt.
func openAI(
    _ stub: StubServer, key: String? = "sk-test-secret-123", retry: RetryPolicy = quickRetries,
    timeout: Double = 120, maxBytes: Int = 16 << 20
) -> OpenAICompatibleProvider {
    OpenAICompatibleProvider(
        baseURL: stub.baseURL, model: "stub-model", apiKey: key, keyVariable: key == nil ? nil : "OPENAI_API_KEY",
        temperature: 0.2, maxTokens: 64, timeout: timeout, retry: retry, maxResponseBytes: maxBytes,
        transport: CurlTransport())
}

func jsonObject(_ data: Data) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}
