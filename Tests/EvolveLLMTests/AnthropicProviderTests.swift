import EvolveLLM
import EvolveSupport
import Foundation
import Testing

@Suite("Anthropic provider against a stub server")
struct AnthropicProviderTests {
    static func message(_ text: String) -> HTTPServerResponse {
        .json(
            200,
            object: [
                "type": "message", "model": "claude-test", "stop_reason": "end_turn",
                "content": [["type": "text", "text": text]],
                "usage": ["input_tokens": 20, "output_tokens": 5],
            ])
    }

    func provider(_ stub: StubServer) -> AnthropicProvider {
        AnthropicProvider(
            baseURL: stub.baseURL, model: "claude-test", apiKey: "sk-ant-secret", retry: quickRetries,
            transport: CurlTransport())
    }

    @Test func sendsSystemSeparatelyAndReadsTheAnswer() async throws {
        let stub = try StubServer { _, _ in Self.message("bonjour") }
        let response = try await provider(stub).complete(
            ChatRequest(messages: [.system("be French"), .user("hello"), .user("again")]))
        #expect(response.content == "bonjour")
        #expect(response.usage == TokenUsage(inputTokens: 20, outputTokens: 5))
        #expect(response.finishReason == "end_turn")

        let sent = try #require(stub.requests.first)
        #expect(sent.path == "/v1/messages")
        #expect(sent.headers["x-api-key"] == "sk-ant-secret")
        #expect(sent.headers["anthropic-version"] == AnthropicProvider.apiVersion)
        let body = jsonObject(sent.body)
        #expect(body["system"] as? String == "be French")
        #expect(body["max_tokens"] as? Int == 4096)
        let messages = body["messages"] as? [[String: Any]]
        #expect(messages?.count == 1)  // two user messages in a row are joined
        #expect(messages?.first?["content"] as? String == "hello\n\nagain")
    }

    @Test func retriesOverloadedAndNamesTheVariableOn401() async throws {
        let stub = try StubServer { number, _ in
            number == 1 ? StubServer.error(529, "Overloaded") : Self.message("fine")
        }
        #expect(try await provider(stub).complete(ChatRequest(messages: [.user("hi")])).content == "fine")

        let refused = try StubServer { _, _ in StubServer.error(401, "invalid x-api-key") }
        let error = await #expect(throws: EvolveError.self) {
            try await provider(refused).complete(ChatRequest(messages: [.user("hi")]))
        }
        #expect(error?.message.contains("the key in $ANTHROPIC_API_KEY was refused") == true)
    }

    @Test func missingKeyNamesTheVariable() throws {
        let config = ProviderConfig(provider: .anthropic, model: "claude-3-5-haiku-latest")
        let error = #expect(throws: EvolveError.self) {
            try AnthropicProvider(config: config, environment: [:], transport: CurlTransport())
        }
        #expect(error?.message == "no API key: set ANTHROPIC_API_KEY")
    }
}
