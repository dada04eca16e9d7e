import EvolveSupport
import Foundation

extension Archive {
    /// Lines of text in a tree (every line of every text file; binary files count 0): MAP-Elites' `code_size`.
    /// Read from git objects, never checked out.
    public func lineCount(tree: String) throws -> Int {
        guard let oid = GitOID(hex: tree) else {
            throw EvolveError(.invalidInput, "'\(tree)' is not a tree id")
        }
        let patch = try locked { try git.diff(from: nil, to: oid) }
        var lines = 0
        for line in patch.split(separator: "\n", omittingEmptySubsequences: false)
        where line.hasPrefix("+") && !line.hasPrefix("+++ ") {
            lines += 1
        }
        return lines
    }
}

/// One line of a run's history (the `events` table).
public struct RunEvent: Sendable, Equatable {
    public var run: String?
    public var kind: String
    public var message: String
}

extension Archive {
    /// The events of a run, oldest first, optionally of one kind only.
    public func events(run: String, kind: String? = nil) throws -> [RunEvent] {
        try locked {
            try db.rows(
                "SELECT run_id, kind, message FROM events WHERE run_id = ? AND (? IS NULL OR kind = ?) ORDER BY id",
                [run, kind, kind]
            ) { RunEvent(run: $0.optionalString(0), kind: $0.string(1), message: $0.string(2)) }
        }
    }
}
