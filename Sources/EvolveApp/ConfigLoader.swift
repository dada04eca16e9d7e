import EvolveLLM
import EvolveSandbox
import EvolveSearch
import EvolveSupport
import EvolveTasks
import Foundation
import Yams

/// Reads a run configuration and reports every mistake as `file:line: what is wrong with which key`.
public enum ConfigLoader {
    /// Loads and validates `path`.
    public static func load(_ path: String) throws -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvolveError(
                .config, "cannot read the config \(path)",
                hint: Files.exists(path) ? nil : "configs/ holds the shipped ones, e.g. configs/default.yaml")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses and validates YAML text; `path` is used in messages. `${VAR}` and `${VAR:-default}` are
    /// replaced by the environment's values first (an unset `${VAR}` without a default is an error).
    public static func parse(
        _ text: String, path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> RunConfig {
        let text = try expandVariables(text, path: path, environment: environment)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw EvolveError(.config, "\(path) is empty", hint: "a config needs at least seed: and suites:")
            }
            root = node
        } catch let error as YamlError {
            throw EvolveError(.config, "\(path): \(YAMLErrorText.describe(error))")
        }
        guard root.mapping != nil else {
            throw EvolveError(.config, "\(path):\(root.mark?.line ?? 1): a config is a mapping of keys to values")
        }
        try rejectUnknownKeys(root, path: path)
        let config: RunConfig
        do {
            config = try YAMLDecoder().decode(RunConfig.self, from: root)
        } catch let error as DecodingError {
            throw describe(error, root: root, path: path)
        }
        do {
            try config.validate()
        } catch let error as EvolveError {
            // Point at the key's line when the message names one.
            if let key = error.message.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first,
                let line = root.mapping?.first(where: { $0.key.string == String(key) })?.key.mark?.line
            {
                throw EvolveError(.config, "\(path):\(line): \(error.message)", hint: error.hint)
            }
            throw EvolveError(.config, "\(path): \(error.message)", hint: error.hint)
        }
        return config
    }

    // MARK: - Environment variables

    /// Replaces `${NAME}` and `${NAME:-default}` with the environment's values.
    static func expandVariables(_ text: String, path: String, environment: [String: String]) throws -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw EvolveError(.config, "\(path): a '${' is never closed with '}'")
            }
            let body = rest[start.upperBound..<end]
            let (name, fallback): (Substring, Substring?) =
                body.range(of: ":-").map {
                    (body[..<$0.lowerBound], body[$0.upperBound...])
                } ?? (body, nil)
            if let value = environment[String(name)], !value.isEmpty {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                let line = text[..<start.lowerBound].filter { $0 == "\n" }.count + 1
                throw EvolveError(
                    .config, "\(path):\(line): the environment variable \(name) is not set",
                    hint: "set it, or give a default: ${\(name):-value}")
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    // MARK: - Unknown keys

    private static func rejectUnknownKeys(_ root: Node, path: String) throws {
        func check(_ node: Node?, _ known: [String], _ context: String) throws {
            guard let mapping = node?.mapping else { return }
            for (key, _) in mapping {
                let name = key.string ?? "?"
                if !known.contains(name) {
                    let suggestion = known.min { distance($0, name) < distance($1, name) }
                    let hint = suggestion.map { distance($0, name) <= 3 ? "did you mean '\($0)'?" : "" } ?? ""
                    throw EvolveError(
                        .config, "\(path):\(key.mark?.line ?? 1): unknown key '\(name)'\(context)",
                        hint: (hint.isEmpty ? "" : hint + " ") + "known keys: \(known.joined(separator: ", "))")
                }
            }
        }
        try check(root, RunConfig.CodingKeys.allCases.map(\.rawValue), "")
        try check(root.mapping?["selector"], SelectorConfig.CodingKeys.allCases.map(\.rawValue), " in selector")
        try check(
            root.mapping?["selector"]?.mapping?["islands"], IslandConfig.CodingKeys.allCases.map(\.rawValue),
            " in selector.islands")
        for feature in root.mapping?["selector"]?.mapping?["features"]?.sequence ?? [] {
            try check(feature, FeatureConfig.CodingKeys.allCases.map(\.rawValue), " in selector.features")
        }
        try check(root.mapping?["budget"], BudgetConfig.CodingKeys.allCases.map(\.rawValue), " in budget")
        try check(root.mapping?["executor"], ExecutorConfig.keys, " in executor")
        for op in root.mapping?["operators"]?.sequence ?? [] {
            try check(op, OperatorConfig.CodingKeys.allCases.map(\.rawValue), " in operators")
        }
        try check(root.mapping?["sandbox"], SandboxLimits.keys, " in sandbox")
        for model in ["meta_agent", "agent_model"] {
            try check(root.mapping?[Node(model)], ProviderConfig.keys, " in \(model)")
        }
    }

    /// Edit distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    // MARK: - Messages

    /// Turns a DecodingError into `file:line: key: what`.
    private static func describe(_ error: DecodingError, root: Node, path: String) -> EvolveError {
        let (codingPath, what): ([any CodingKey], String)
        switch error {
        case .typeMismatch(let type, let context):
            (codingPath, what) = (context.codingPath, "must be \(typeName(type))")
        case .valueNotFound(let type, let context):
            (codingPath, what) = (context.codingPath, "must be \(typeName(type)), not empty")
        case .keyNotFound(let key, let context):
            (codingPath, what) = (
                context.codingPath + [key],
                context.debugDescription.contains("needs") ? context.debugDescription : "is missing"
            )
        case .dataCorrupted(let context):
            (codingPath, what) = (context.codingPath, context.debugDescription)
        @unknown default:
            (codingPath, what) = ([], "\(error)")
        }
        var node: Node? = root
        var line = root.mark?.line ?? 1
        for key in codingPath {
            if let index = key.intValue, let sequence = node?.sequence, index < sequence.count {
                node = sequence[index]
            } else if let pair = node?.mapping?.first(where: { $0.key.string == key.stringValue }) {
                line = pair.key.mark?.line ?? line
                node = pair.value
            } else {
                break
            }
            if let mark = node?.mark { line = mark.line }
        }
        let keyPath = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        return EvolveError(.config, "\(path):\(line): '\(keyPath)' \(what)")
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is String.Type: return "text"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "a list" : (name.hasPrefix("Dictionary") ? "a mapping" : "a mapping")
        }
    }
}
