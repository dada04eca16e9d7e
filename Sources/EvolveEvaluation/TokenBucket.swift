import Foundation

/// Hands out a fixed number of tokens; a task holds one while it runs. Shared by every evaluation of an
/// engine, so two variants evaluated at once still use at most `tokens` sandboxes together.
public actor TokenBucket {
    public let capacity: Int
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(tokens: Int) {
        precondition(tokens > 0, "a token bucket needs at least one token")
        capacity = tokens
        available = tokens
    }

    /// Runs `body` while holding a token, waiting for one first.
    public func withToken<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            // The token passes straight to the longest waiter.
            waiters.removeFirst().resume()
        }
    }
}
