import EvolveLLM
import EvolveSupport
import Foundation
import Testing

@Suite("OpenAI-compatible provider against a stub server")
struct OpenAIProviderTests {
    @Test func answersWithContentUsageAndModel() async throws {
        let stub = try StubServer { _, _ in StubServer.completion("hello there", promptTokens: 12, completionTokens: 3)
        }
        let response = try await openAI(stub).complete(ChatRequest(messages: [.system("be brief"), .user("hi")]))
        #expect(response.content == "hello there")
        #expect(response.usage == TokenUsage(inputTokens: 12, outputTokens: 3))
        #expect(response.model == "stub-model")
        #expect(response.finishReason == "stop")
        #expect(response.attempts == 1)
        #expect(response.latency > 0)

        let sent = try #require(stub.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.path == "/v1/chat/completions")
        #expect(sent.headers["authorization"] == "Bearer sk-test-secret-123")
        let body = jsonObject(sent.body)
        #expect(body["model"] as? String == "stub-model")
        #expect(body["max_tokens"] as? Int == 64)
        #expect((body["messages"] as? [[String: Any]])?.count == 2)
    }

    @Test func retriesA429ThenSucceeds() async throws {
        let stub = try StubServer { number, _ in
            number == 1
                ? StubServer.error(429, "slow down", headers: ["Retry-After": "0"]) : StubServer.completion("ok")
        }
        let response = try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        #expect(response.content == "ok")
        #expect(response.attempts == 2)
        #expect(stub.requests.count == 2)
    }

    @Test func givesUpOnA500EveryTimeWithTheReason() async throws {
        let stub = try StubServer { _, _ in StubServer.error(500, "the model fell over") }
        let error = await #expect(throws: EvolveError.self) {
            try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.kind == .llm)
        #expect(error?.message.contains("HTTP 500") == true)
        #expect(error?.message.contains("the model fell over") == true)
        #expect(error?.message.contains("gave up after 3 attempts") == true)
        #expect(stub.requests.count == 3)
    }

    @Test func retriesGarbageJSONAndExplainsIt() async throws {
        let stub = try StubServer { _, _ in HTTPServerResponse.json(200, Data("<html>oops</html>".utf8)) }
        let error = await #expect(throws: EvolveError.self) {
            try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("not a chat completion") == true)
        #expect(error?.message.contains("<html>oops</html>") == true)
        #expect(stub.requests.count == 3)
    }

    @Test func explainsAnEmptyChoiceList() async throws {
        let stub = try StubServer { number, _ in
            number == 1 ? .json(200, object: ["choices": [Any](), "model": "m"]) : StubServer.completion("second try")
        }
        let response = try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        #expect(response.content == "second try")

        let empty = try StubServer { _, _ in .json(200, object: ["choices": [Any]()]) }
        let error = await #expect(throws: EvolveError.self) {
            try await openAI(empty, retry: .none).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("no choices") == true)
    }

    @Test func timesOutASlowAnswer() async throws {
        let stub = try StubServer { _, _ in
            try? await Task.sleep(nanoseconds: 3_000_000_000)
            return StubServer.completion("too late")
        }
        let error = await #expect(throws: EvolveError.self) {
            try await openAI(stub, retry: .none, timeout: 0.3).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("no answer from") == true)
        #expect(error?.message.contains("within 0.3 s") == true)
    }

    @Test func takesAOneMegabyteAnswerAndRefusesOneOverTheCap() async throws {
        let big = String(repeating: "x", count: 1 << 20)
        let stub = try StubServer { _, _ in StubServer.completion(big) }
        let response = try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        #expect(response.content.count == 1 << 20)

        let error = await #expect(throws: EvolveError.self) {
            try await openAI(stub, retry: .none, maxBytes: 256 << 10).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("larger than 262144 bytes") == true)
    }

    @Test func namesTheVariableWhenTheKeyIsRefusedAndNeverShowsTheKey() async throws {
        // Like OpenAI, the stub repeats the key it refused.
        let stub = try StubServer { _, request in
            StubServer.error(401, "Incorrect API key provided: \(request.headers["authorization"] ?? "")")
        }
        let error = await #expect(throws: EvolveError.self) {
            try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("the key in $OPENAI_API_KEY was refused") == true)
        #expect(error?.description.contains("sk-test-secret-123") == false)
        #expect(stub.requests.count == 1)  // a refused key is not retried
    }

    @Test func missingKeyNamesTheVariable() throws {
        let config = ProviderConfig(provider: .openai, apiKeyEnv: "MY_LLM_KEY", model: "gpt-4o-mini")
        let error = #expect(throws: EvolveError.self) {
            try OpenAICompatibleProvider(config: config, environment: [:], transport: CurlTransport())
        }
        #expect(error?.message == "no API key: set MY_LLM_KEY")

        // A keyless OpenAI-compatible server (llama.cpp, vLLM) needs no key unless the config names one.
        let keyless = ProviderConfig(provider: .openai, baseURL: "http://127.0.0.1:9/v1", model: "m")
        #expect(throws: Never.self) {
            try OpenAICompatibleProvider(config: keyless, environment: [:], transport: CurlTransport())
        }
    }

    @Test func retriesADroppedConnection() async throws {
        let stub = try StubServer { number, _ in number == 1 ? .dropped : StubServer.completion("after the drop") }
        let response = try await openAI(stub).complete(ChatRequest(messages: [.user("hi")]))
        #expect(response.content == "after the drop")
        #expect(response.attempts == 2)
    }

    @Test func reportsARefusedConnection() async throws {
        let port = try HTTPServer.freePort()
        let provider = OpenAICompatibleProvider(
            baseURL: "http://127.0.0.1:\(port)/v1", model: "m", apiKey: nil, keyVariable: nil, retry: quickRetries,
            transport: CurlTransport())
        let error = await #expect(throws: EvolveError.self) {
            try await provider.complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(error?.message.contains("gave up after 3 attempts") == true)
    }

    @Test func estimatesUsageWhenTheServerReportsNone() async throws {
        let stub = try StubServer { _, _ in
            .json(200, object: ["choices": [["message": ["content": "12345678"], "finish_reason": "stop"]]])
        }
        let response = try await openAI(stub).complete(ChatRequest(messages: [.user("abcd")]))
        #expect(response.usage == TokenUsage(inputTokens: 1, outputTokens: 2, estimated: true))
    }

    @Test func cancellingTheCallerStopsTheCall() async throws {
        // The stub answers only once the test is done: a fixed delay could end first while the suite fills the
        // pool (the test's own 0.2 s sleep once lasted about 40 s in a full run).
        let released = Locked(false)
        defer { released.withLock { $0 = true } }
        let stub = try StubServer { _, _ in
            for _ in 0..<60_000 where !released.current { try? await Task.sleep(nanoseconds: 10_000_000) }
            return StubServer.completion("never")
        }
        let provider = openAI(stub, retry: .none, timeout: 600)
        let call = Task { try await provider.complete(ChatRequest(messages: [.user("hi")])) }
        try await Task.sleep(nanoseconds: 200_000_000)
        call.cancel()
        let result = await call.result
        #expect(throws: EvolveError.self) { try result.get() }
        if case .failure(let error as EvolveError) = result { #expect(error.kind == .interrupted) }
    }
}
