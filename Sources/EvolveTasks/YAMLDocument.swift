import EvolveSupport
import Foundation
import Yams

/// A YAML mapping read from a file, with typed getters whose errors name the file, the key and the line.
struct YAMLDocument {
    let path: String
    let mapping: Node.Mapping

    /// Reads and parses `path`; an empty file is an empty mapping.
    static func load(_ path: String) throws -> YAMLDocument {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw EvolveError(.config, "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> YAMLDocument {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw EvolveError(.config, "\(path): \(YAMLErrorText.describe(error))")
        } catch {
            throw EvolveError(.config, "\(path): \(error)")
        }
        guard let node else { return YAMLDocument(path: path, mapping: Node.Mapping([])) }
        guard let mapping = node.mapping else {
            throw EvolveError(.config, "\(path):\(node.mark?.line ?? 1): expected a mapping of keys to values")
        }
        return YAMLDocument(path: path, mapping: mapping)
    }

    // MARK: - Keys

    private func entry(_ key: String) -> (key: Node, value: Node)? {
        mapping.first { $0.key.string == key }
    }

    func has(_ key: String) -> Bool { entry(key) != nil }

    /// "file:line" of a key, for messages.
    func location(_ key: String) -> String {
        "\(path):\(entry(key)?.key.mark?.line ?? 1)"
    }

    func location(of node: Node) -> String { "\(path):\(node.mark?.line ?? 1)" }

    /// Rejects keys the format does not know (a typo would otherwise be silently ignored).
    func requireOnlyKeys(_ known: [String]) throws {
        for (key, _) in mapping {
            let name = key.string ?? "?"
            guard known.contains(name) else {
                throw EvolveError(
                    .config, "\(location(of: key)): unknown key '\(name)'",
                    hint: "the keys of this file are: \(known.joined(separator: ", "))")
            }
        }
    }

    func node(_ key: String) -> Node? { entry(key)?.value }

    func string(_ key: String) throws -> String? {
        guard let value = node(key) else { return nil }
        guard case .scalar(let scalar) = value, !(scalar.style == .plain && scalar.string.isEmpty) else {
            throw EvolveError(.config, "\(location(key)): '\(key)' must be text")
        }
        return scalar.string
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else {
            throw EvolveError(.config, "\(path): missing key '\(key)'")
        }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw EvolveError(.config, "\(location(key)): '\(key)' must not be empty")
        }
        return text
    }

    /// A positive number of seconds.
    func seconds(_ key: String) throws -> Double? {
        guard let value = node(key) else { return nil }
        guard let number = value.float ?? value.int.map(Double.init), number > 0, number.isFinite else {
            throw EvolveError(
                .config, "\(location(key)): '\(key)' must be a positive number of seconds, not '\(value.string ?? "?")'"
            )
        }
        return number
    }
}

/// YAML syntax errors as people read them.
public enum YAMLErrorText {
    /// A YAML syntax error as `line:column: problem`, for any file evolve reads (configs, suites, agents).
    public static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return "\(mark.line):\(mark.column): \(problem)"
        default:
            return "\(error)"
        }
    }
}
