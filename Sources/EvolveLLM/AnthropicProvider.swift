import EvolveSupport
import Foundation
import Logging

/// Anthropic's messages API: `POST {base_url}/messages` with `x-api-key` and `anthropic-version`.
///
/// System messages go to the top-level `system` field; consecutive messages of one role are joined, since
/// the API wants user and assistant turns to alternate.
public struct AnthropicProvider: LLMProvider {
    public let baseURL: String
    public let model: String
    public var temperature: Double?
    /// Anthropic requires a limit; 4096 when the config gives none.
    public var maxTokens: Int
    public var timeout: Double
    public var retry: RetryPolicy
    public var maxResponseBytes: Int
    /// Retries are logged here at info level.
    public var logger: Logger?
    public static let apiVersion = "2023-06-01"
    private let apiKey: String
    private let keyVariable: String
    private let transport: any HTTPTransport

    public init(
        baseURL: String = "https://api.anthropic.com/v1", model: String, apiKey: String,
        keyVariable: String = "ANTHROPIC_API_KEY", temperature: Double? = nil, maxTokens: Int = 4096,
        timeout: Double = 120, retry: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 16 << 20,
        transport: any HTTPTransport
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
        self.keyVariable = keyVariable
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeout = timeout
        self.retry = retry
        self.maxResponseBytes = maxResponseBytes
        self.transport = transport
    }

    /// A provider from a config entry; fails, naming the variable, when the key is missing.
    public init(config: ProviderConfig, environment: [String: String], transport: any HTTPTransport) throws {
        let variable = config.effectiveKeyVariable ?? "ANTHROPIC_API_KEY"
        guard let key = try config.apiKey(environment: environment) else {
            throw EvolveError(.llm, "no API key: set \(variable)")
        }
        self.init(
            baseURL: config.effectiveBaseURL ?? "https://api.anthropic.com/v1", model: config.model, apiKey: key,
            keyVariable: variable, temperature: config.temperature, maxTokens: config.maxTokens ?? 4096,
            timeout: config.timeoutS, retry: config.retryPolicy, transport: transport)
    }

    public var kind: ProviderConfig.Kind { .anthropic }
    public var label: String { "Anthropic at \(baseURL)" }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let start = ContinuousClock.now
        let body = try JSONEncoder().encode(wireBody(request))
        let http = HTTPRequest(
            method: "POST", url: "\(baseURL)/messages",
            headers: [
                "Content-Type": "application/json", "x-api-key": apiKey, "anthropic-version": Self.apiVersion,
            ],
            body: body, timeout: timeout, connectTimeout: min(timeout, 10), maxResponseBytes: maxResponseBytes)
        let context = FailureContext(label: label, keyVariable: keyVariable, secret: apiKey)
        // 529 "overloaded" is in the 5xx range and retried with the rest.
        return try await ProviderCall.complete(
            http, startedAt: start, transport: transport, retry: retry, context: context, logger: logger
        ) { try parse($0, request: request, context: context) }
    }

    private func wireBody(_ request: ChatRequest) -> WireRequest {
        let system = request.messages.filter { $0.role == "system" }.map(\.content).joined(separator: "\n\n")
        var turns: [ChatMessage] = []
        for message in request.messages where message.role != "system" {
            let role = message.role == "assistant" ? "assistant" : "user"
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].content += "\n\n" + message.content
            } else {
                turns.append(ChatMessage(role: role, content: message.content))
            }
        }
        if turns.first?.role != "user" { turns.insert(.user("(continue)"), at: 0) }
        return WireRequest(
            model: request.model ?? model, max_tokens: request.maxTokens ?? maxTokens, messages: turns,
            system: system.isEmpty ? nil : system, temperature: request.temperature ?? temperature,
            stop_sequences: request.stop)
    }

    private func parse(_ body: Data, request: ChatRequest, context: FailureContext) throws -> ChatResponse {
        let wire: WireResponse
        do {
            wire = try JSONDecoder().decode(WireResponse.self, from: body)
        } catch {
            throw context.garbage("answered with something that is not a message", body)
        }
        guard let blocks = wire.content else { throw context.garbage("answered with no content", body) }
        let text = blocks.compactMap { $0.type == "text" ? $0.text : nil }.joined()
        let usage =
            wire.usage.map { TokenUsage(inputTokens: $0.input_tokens ?? 0, outputTokens: $0.output_tokens ?? 0) }
            ?? TokenUsage(
                inputTokens: TokenUsage.estimate(request.messages.map(\.content).joined()),
                outputTokens: TokenUsage.estimate(text), estimated: true)
        return ChatResponse(
            content: text, model: wire.model ?? model, finishReason: wire.stop_reason, usage: usage)
    }
}

// MARK: - Wire format

// The provider's JSON field names, as its API spells them.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct WireRequest: Encodable {
    var model: String
    var max_tokens: Int
    var messages: [ChatMessage]
    var system: String?
    var temperature: Double?
    var stop_sequences: [String]?
}

// The provider's JSON field names, as its API spells them.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct WireResponse: Decodable {
    struct Block: Decodable {
        var type: String
        var text: String?
    }
    struct Usage: Decodable {
        var input_tokens: Int?
        var output_tokens: Int?
    }
    var model: String?
    var content: [Block]?
    var stop_reason: String?
    var usage: Usage?
}
