/// What one model costs, in US dollars per million tokens.
public struct ModelPrice: Codable, Sendable, Equatable {
    public var input: Double
    public var output: Double

    public init(input: Double, output: Double) {
        self.input = input
        self.output = output
    }

    public static let free = ModelPrice(input: 0, output: 0)
}

/// Prices per model, from the run configuration:
///
///     prices: {gpt-4o-mini: {input: 0.15, output: 0.60}, claude-3-5-haiku: {input: 0.8, output: 4.0}}
///
/// A model matches its own name or the longest entry its name starts with (`gpt-4o-mini` prices
/// `gpt-4o-mini-2024-07-18`). The local model is free; any other model missing from the table costs 0 and
/// `isPriced` says so, so a report can show "unpriced" instead of a wrong figure.
public struct PriceTable: Codable, Sendable, Equatable {
    public var prices: [String: ModelPrice]

    public init(_ prices: [String: ModelPrice] = [:]) {
        self.prices = prices
    }

    public init(from decoder: any Decoder) throws {
        prices = try decoder.singleValueContainer().decode([String: ModelPrice].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(prices)
    }

    /// The price entry for `model`, if the table has one.
    public func price(for model: String) -> ModelPrice? {
        if let exact = prices[model] { return exact }
        return prices.filter { model.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }

    /// Whether `model` has a price (or is local).
    public func isPriced(_ model: String, provider: ProviderConfig.Kind? = nil) -> Bool {
        provider == .local || price(for: model) != nil
    }

    /// The cost of one call in US dollars (0 for a local or unpriced model).
    public func cost(model: String, usage: TokenUsage, provider: ProviderConfig.Kind? = nil) -> Double {
        guard provider != .local, let price = price(for: model) else { return 0 }
        return (Double(usage.inputTokens) * price.input + Double(usage.outputTokens) * price.output) / 1_000_000
    }
}
