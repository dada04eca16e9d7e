import Foundation

/// An error a user reads: what went wrong and, when there is one, what to do about it.
///
/// Every library error that reaches the command line is, or converts into, an `EvolveError`. The command
/// line prints `description` and exits with `exitCode` (1 for a failure, 64 for bad usage).
public struct EvolveError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is; tests match on it, users read `message`.
    public enum Kind: String, Sendable {
        case usage, notFound, ambiguous, notAnArchive, alreadyExists, corrupt, io, git, sqlite, sandbox,
            config, llm, budget, invalidInput, interrupted
    }

    public var kind: Kind
    public var message: String
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// The process exit status for this error: 64 for bad usage, 1 otherwise.
    public var exitCode: Int32 { kind == .usage ? 64 : 1 }

    public var description: String {
        guard let hint else { return message }
        return "\(message)\n  hint: \(hint)"
    }
}
