import Foundation

// MARK: - Messages

/// One message of a conversation: who says it (`system`, `user`, `assistant`, `tool`) and the text.
public struct ChatMessage: Codable, Sendable, Equatable, Hashable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }

    private enum CodingKeys: String, CodingKey { case role, content }

    /// Accepts OpenAI's forms of `content`: a string, null (an assistant turn with tool calls), or a list of
    /// parts of which the `text` ones are joined.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        if let text = try? c.decodeIfPresent(String.self, forKey: .content) {
            content = text
        } else if let parts = try? c.decodeIfPresent([ContentPart].self, forKey: .content) {
            content = parts.compactMap(\.text).joined(separator: "\n")
        } else {
            content = ""
        }
    }

    private struct ContentPart: Decodable {
        var text: String?
    }
}

// MARK: - Requests

/// A chat completion request, independent of the provider. Fields left nil take the provider's defaults
/// (its configured model, temperature and max tokens).
public struct ChatRequest: Codable, Sendable, Equatable {
    public var messages: [ChatMessage]
    public var model: String?
    public var temperature: Double?
    public var maxTokens: Int?
    public var stop: [String]?

    public init(
        messages: [ChatMessage], model: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil,
        stop: [String]? = nil
    ) {
        self.messages = messages
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.stop = stop
    }

    private enum CodingKeys: String, CodingKey {
        case messages, model, temperature, stop
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// Decodes an OpenAI chat-completions body; unknown fields (tools, stream, …) are ignored, and `stop`
    /// may be one string or a list.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messages = try c.decode([ChatMessage].self, forKey: .messages)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        maxTokens =
            try c.decodeIfPresent(Int.self, forKey: .maxTokens)
            ?? c.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        if let one = try? c.decodeIfPresent(String.self, forKey: .stop) {
            stop = [one]
        } else {
            stop = try? c.decodeIfPresent([String].self, forKey: .stop)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messages, forKey: .messages)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(temperature, forKey: .temperature)
        try c.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try c.encodeIfPresent(stop, forKey: .stop)
    }

    /// The request as canonical JSON: sorted keys, no optional whitespace, absent fields left out.
    public var canonicalJSON: Data {
        // Encoding plain strings, numbers and lists cannot fail.
        (try? CanonicalJSON.encoder.encode(self)) ?? Data()
    }

    /// SHA-256 of `canonicalJSON`, in hex: the key under which a call is recorded and replayed.
    public var canonicalHash: String { SHA256.hex(canonicalJSON) }
}

// MARK: - Responses

/// Tokens counted for one call.
public struct TokenUsage: Codable, Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// True when the provider reported no usage and the counts were estimated (4 characters a token).
    public var estimated: Bool

    public init(inputTokens: Int, outputTokens: Int, estimated: Bool = false) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.estimated = estimated
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    /// A rough count for text whose tokens nobody reported.
    public static func estimate(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    private enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case estimated
    }
}

/// A provider's answer to a `ChatRequest`.
public struct ChatResponse: Codable, Sendable, Equatable {
    /// The assistant's text.
    public var content: String
    /// The model that answered, as the provider names it.
    public var model: String
    /// Why generation stopped (`stop`, `length`, …), when the provider says.
    public var finishReason: String?
    public var usage: TokenUsage
    /// Wall time of the whole call in seconds, retries and their waits included.
    public var latency: Double
    /// How many HTTP attempts the call took (1 when the first one answered).
    public var attempts: Int

    public init(
        content: String, model: String, finishReason: String?, usage: TokenUsage, latency: Double = 0,
        attempts: Int = 1
    ) {
        self.content = content
        self.model = model
        self.finishReason = finishReason
        self.usage = usage
        self.latency = latency
        self.attempts = attempts
    }

    private enum CodingKeys: String, CodingKey {
        case content, model, usage, latency, attempts
        case finishReason = "finish_reason"
    }
}

// MARK: - Canonical JSON

/// One JSON encoder configuration for everything that is hashed or compared byte for byte.
public enum CanonicalJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
