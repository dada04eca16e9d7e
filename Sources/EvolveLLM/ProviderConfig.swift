import EvolveSupport
import Foundation

/// How to reach one model: the `meta_agent:` and `agent_model:` maps of a run configuration.
///
///     meta_agent: {provider: local, model: smollm2-135m}
///     agent_model: {provider: openai, base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY,
///                   model: gpt-4o-mini, temperature: 0.2, max_tokens: 2048, timeout_s: 120, retries: 3}
///
/// Every key but `provider` may be left out; `ProviderConfig` fills in the defaults below.
public struct ProviderConfig: Codable, Sendable, Equatable {
    /// Which API the server speaks. `local` starts llama.cpp's server on loopback.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case local, openai, anthropic
    }

    public var provider: Kind
    /// The API root, up to and including `/v1`. Default: OpenAI's or Anthropic's; for `local`, the started server.
    public var baseURL: String?
    /// The environment variable that holds the key. Default: `OPENAI_API_KEY` or `ANTHROPIC_API_KEY`.
    public var apiKeyEnv: String?
    /// The model name sent to the server. Default: `smollm2-135m` for `local`; required otherwise.
    public var model: String
    /// Sampling temperature; nil leaves the server's default.
    public var temperature: Double?
    /// The most tokens one answer may have; nil leaves the server's default (Anthropic needs one: 4096).
    public var maxTokens: Int?
    /// The most seconds one HTTP attempt may take (default 120).
    public var timeoutS: Double
    /// How many times a failed attempt (429, 5xx, dropped connection, garbage answer) is tried again (default 3).
    public var retries: Int

    public static let defaultLocalModel = "smollm2-135m"

    public init(
        provider: Kind, baseURL: String? = nil, apiKeyEnv: String? = nil, model: String? = nil,
        temperature: Double? = nil, maxTokens: Int? = nil, timeoutS: Double = 120, retries: Int = 3
    ) {
        self.provider = provider
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.model = model ?? (provider == .local ? Self.defaultLocalModel : "")
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeoutS = timeoutS
        self.retries = retries
    }

    /// The keys a provider's mapping may hold in a run configuration (`meta_agent:`, `agent_model:`).
    public static let keys = CodingKeys.allCases.map(\.rawValue)

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case provider
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case model, temperature
        case maxTokens = "max_tokens"
        case timeoutS = "timeout_s"
        case retries
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .provider)
        guard let kind = Kind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .provider, in: c,
                debugDescription:
                    "provider '\(name)' is unknown: use local, openai (any OpenAI-compatible server) or anthropic")
        }
        provider = kind
        baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL)
        apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        let named = try c.decodeIfPresent(String.self, forKey: .model)
        if named == nil && kind != .local {
            throw DecodingError.keyNotFound(
                CodingKeys.model,
                .init(codingPath: c.codingPath, debugDescription: "provider \(name) needs a model name (model: …)"))
        }
        model = named ?? Self.defaultLocalModel
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        timeoutS = try c.decodeIfPresent(Double.self, forKey: .timeoutS) ?? 120
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 3
        if timeoutS <= 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .timeoutS, in: c, debugDescription: "timeout_s must be above 0")
        }
        if retries < 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .retries, in: c, debugDescription: "retries must be 0 or more")
        }
    }

    // MARK: - Derived values

    /// The API root actually used (nil for `local` until its server runs).
    public var effectiveBaseURL: String? {
        if let baseURL { return baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }
        switch provider {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com/v1"
        case .local: return nil
        }
    }

    /// The variable the key is read from (nil for `local`).
    public var effectiveKeyVariable: String? {
        if let apiKeyEnv { return apiKeyEnv }
        switch provider {
        case .openai: return "OPENAI_API_KEY"
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .local: return nil
        }
    }

    /// The key from `environment`, nil when none is needed.
    ///
    /// A key is required when `api_key_env` is given, for Anthropic, and for OpenAI's own endpoint; an
    /// OpenAI-compatible server at another `base_url` (llama.cpp, vLLM, Ollama) may go without one.
    public func apiKey(environment: [String: String]) throws -> String? {
        guard provider != .local, let variable = effectiveKeyVariable else { return nil }
        if let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            return value
        }
        let required =
            apiKeyEnv != nil || provider == .anthropic || baseURL == nil
            || (effectiveBaseURL ?? "").contains("api.openai.com")
        guard required else { return nil }
        throw EvolveError(
            .llm, "no API key: set \(variable)",
            hint: "provider \(provider.rawValue) at \(effectiveBaseURL ?? "?") reads its key from $\(variable) "
                + "(the config's api_key_env); export it before running evolve")
    }

    /// The retry policy these settings ask for.
    public var retryPolicy: RetryPolicy { RetryPolicy(retries: retries) }
}
