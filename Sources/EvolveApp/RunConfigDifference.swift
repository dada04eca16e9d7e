import Foundation

/// Which top-level keys of two run configurations differ (compared as the JSON they are saved as).
enum RunConfigDifference {
    static func keys(_ a: RunConfig, _ b: RunConfig) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func object(_ config: RunConfig) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: try encoder.encode(config)) as? [String: Any] ?? [:]
        }
        let left = try object(a)
        let right = try object(b)
        func canonical(_ value: Any?) -> Data? {
            guard let value else { return nil }
            return try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        }
        return Set(left.keys).union(right.keys).sorted().filter { canonical(left[$0]) != canonical(right[$0]) }
    }
}
