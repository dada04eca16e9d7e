import EvolveSupport
import Foundation
import Logging

/// OpenAI's chat-completions API, which OpenAI, vLLM, llama.cpp's server, Ollama, OpenRouter and DeepSeek
/// all speak: `POST {base_url}/chat/completions` with `Authorization: Bearer <key>`.
public struct OpenAICompatibleProvider: LLMProvider {
    public let baseURL: String
    public let model: String
    public let kind: ProviderConfig.Kind
    public var temperature: Double?
    public var maxTokens: Int?
    public var timeout: Double
    public var retry: RetryPolicy
    /// The largest answer accepted, in bytes.
    public var maxResponseBytes: Int
    /// Retries are logged here at info level.
    public var logger: Logger?
    private let apiKey: String?
    private let keyVariable: String?
    private let transport: any HTTPTransport

    /// - Parameters:
    ///   - baseURL: the API root, up to and including `/v1`.
    ///   - apiKey: the key, or nil for a server that needs none; `keyVariable` names where it came from.
    public init(
        baseURL: String, model: String, apiKey: String?, keyVariable: String?, kind: ProviderConfig.Kind = .openai,
        temperature: Double? = nil, maxTokens: Int? = nil, timeout: Double = 120, retry: RetryPolicy = RetryPolicy(),
        maxResponseBytes: Int = 16 << 20, transport: any HTTPTransport
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
        self.keyVariable = keyVariable
        self.kind = kind
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeout = timeout
        self.retry = retry
        self.maxResponseBytes = maxResponseBytes
        self.transport = transport
    }

    /// A provider from a config entry; reads the key from `environment` (and fails, naming the variable,
    /// when it is required and missing). `baseURL` overrides the config's (the local server's address).
    public init(
        config: ProviderConfig, environment: [String: String], baseURL: String? = nil, transport: any HTTPTransport
    ) throws {
        guard let url = baseURL ?? config.effectiveBaseURL else {
            throw EvolveError(.config, "provider \(config.provider.rawValue) has no base_url")
        }
        self.init(
            baseURL: url, model: config.model, apiKey: try config.apiKey(environment: environment),
            keyVariable: config.provider == .local ? nil : config.effectiveKeyVariable, kind: config.provider,
            temperature: config.temperature, maxTokens: config.maxTokens, timeout: config.timeoutS,
            retry: config.retryPolicy, transport: transport)
    }

    public var label: String {
        "\(kind == .local ? "the local model server" : "the OpenAI-compatible server") at \(baseURL)"
    }

    // MARK: - Calling

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let start = ContinuousClock.now
        let body = try JSONEncoder().encode(wireBody(request))
        var headers = ["Content-Type": "application/json", "Accept": "application/json"]
        if let apiKey { headers["Authorization"] = "Bearer \(apiKey)" }
        let http = HTTPRequest(
            method: "POST", url: "\(baseURL)/chat/completions", headers: headers, body: body, timeout: timeout,
            connectTimeout: min(timeout, 10), maxResponseBytes: maxResponseBytes)
        let context = FailureContext(label: label, keyVariable: keyVariable, secret: apiKey)
        return try await ProviderCall.complete(
            http, startedAt: start, transport: transport, retry: retry, context: context, logger: logger
        ) { try parse($0, request: request, context: context) }
    }

    private func wireBody(_ request: ChatRequest) -> WireRequest {
        WireRequest(
            model: request.model ?? model, messages: request.messages,
            temperature: request.temperature ?? temperature, max_tokens: request.maxTokens ?? maxTokens,
            stop: request.stop, stream: false)
    }

    private func parse(_ body: Data, request: ChatRequest, context: FailureContext) throws -> ChatResponse {
        let wire: WireResponse
        do {
            wire = try JSONDecoder().decode(WireResponse.self, from: body)
        } catch {
            throw context.garbage("answered with something that is not a chat completion", body)
        }
        guard let choice = wire.choices?.first else {
            throw context.garbage("answered with no choices", body)
        }
        let content = choice.message?.content ?? choice.text ?? ""
        let usage: TokenUsage
        if let reported = wire.usage, let input = reported.prompt_tokens {
            usage = TokenUsage(inputTokens: input, outputTokens: reported.completion_tokens ?? 0)
        } else {
            let prompt = request.messages.map(\.content).joined(separator: "\n")
            usage = TokenUsage(
                inputTokens: TokenUsage.estimate(prompt), outputTokens: TokenUsage.estimate(content), estimated: true)
        }
        return ChatResponse(
            content: content, model: wire.model ?? request.model ?? model, finishReason: choice.finish_reason,
            usage: usage)
    }
}

// MARK: - Wire format

// The provider's JSON field names, as its API spells them.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct WireRequest: Encodable {
    var model: String
    var messages: [ChatMessage]
    var temperature: Double?
    var max_tokens: Int?
    var stop: [String]?
    var stream: Bool
}

// The provider's JSON field names, as its API spells them.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct WireResponse: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
        }
        var message: Message?
        var text: String?
        var finish_reason: String?
    }
    struct Usage: Decodable {
        var prompt_tokens: Int?
        var completion_tokens: Int?
    }
    var model: String?
    var choices: [Choice]?
    var usage: Usage?
}
