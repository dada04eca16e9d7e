import EvolveLLM
import EvolveSupport
import Foundation
import Testing

@Suite("Provider config, prices and hashes")
struct ConfigAndPriceTests {
    @Test func decodesSnakeCaseKeysWithDefaults() throws {
        let json = """
            {"provider": "openai", "base_url": "https://openrouter.ai/api/v1/", "api_key_env": "OPENROUTER_KEY",
             "model": "deepseek/deepseek-chat", "temperature": 0.3, "max_tokens": 1000, "retries": 5}
            """
        let config = try JSONDecoder().decode(ProviderConfig.self, from: Data(json.utf8))
        #expect(config.provider == .openai)
        #expect(config.effectiveBaseURL == "https://openrouter.ai/api/v1")
        #expect(config.effectiveKeyVariable == "OPENROUTER_KEY")
        #expect(config.maxTokens == 1000)
        #expect(config.timeoutS == 120)
        #expect(config.retries == 5)
        #expect(try config.apiKey(environment: ["OPENROUTER_KEY": "k-1"]) == "k-1")

        let local = try JSONDecoder().decode(ProviderConfig.self, from: Data(#"{"provider": "local"}"#.utf8))
        #expect(local.model == ProviderConfig.defaultLocalModel)
        #expect(try local.apiKey(environment: [:]) == nil)
    }

    @Test func rejectsAnUnknownProviderByName() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ProviderConfig.self, from: Data(#"{"provider": "gemini", "model": "x"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ProviderConfig.self, from: Data(#"{"provider": "openai"}"#.utf8))
        }
    }

    @Test func pricesByLongestPrefixAndLocalIsFree() {
        let table = PriceTable([
            "gpt-4o": ModelPrice(input: 2.5, output: 10), "gpt-4o-mini": ModelPrice(input: 0.15, output: 0.6),
        ])
        let usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 500_000)
        #expect(table.cost(model: "gpt-4o-mini-2024-07-18", usage: usage) == 0.45)
        #expect(table.cost(model: "gpt-4o", usage: usage) == 7.5)
        #expect(table.cost(model: "mystery", usage: usage) == 0)
        #expect(!table.isPriced("mystery"))
        #expect(table.cost(model: "gpt-4o", usage: usage, provider: .local) == 0)
        let decoded = try? JSONDecoder().decode(PriceTable.self, from: Data(#"{"m": {"input": 1, "output": 2}}"#.utf8))
        #expect(decoded?.price(for: "m") == ModelPrice(input: 1, output: 2))
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = String(repeating: "a", count: 1000)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func requestHashIgnoresKeyOrderAndSeesContent() throws {
        let a = try JSONDecoder().decode(
            ChatRequest.self,
            from: Data(#"{"model": "x", "messages": [{"role": "user", "content": "hi"}], "temperature": 0}"#.utf8))
        let b = try JSONDecoder().decode(
            ChatRequest.self,
            from: Data(
                #"{"temperature": 0, "messages": [{"content": [{"type": "text", "text": "hi"}], "role": "user"}], "model": "x"}"#
                    .utf8))
        #expect(a.canonicalHash == b.canonicalHash)
        var c = a
        c.messages[0].content = "hi!"
        #expect(a.canonicalHash != c.canonicalHash)
    }

    @Test func retryDelayHonoursRetryAfterUpToTheCap() {
        let policy = RetryPolicy(retries: 3, baseDelay: 1, maxDelay: 8, maxRetryAfter: 30)
        #expect(policy.delay(attempt: 0, retryAfter: 5) == 5)
        #expect(policy.delay(attempt: 0, retryAfter: 500) == 30)
        let third = policy.delay(attempt: 2, retryAfter: nil)
        #expect(third >= 2 && third <= 4)
        #expect(policy.delay(attempt: 10, retryAfter: nil) <= 8)
    }
}
