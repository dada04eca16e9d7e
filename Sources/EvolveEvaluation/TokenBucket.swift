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

    /// Runs `body` while holding a token, as `withToken(_:)` does; a caller that has waited `lead` for its
    /// token runs `ahead` while it goes on waiting, and `body` gets what it made (nil when no token was
    /// missing, when `lead` is nil or had not passed, or when `capacity` others were already doing so). So at
    /// most `capacity` callers hold something made ahead while they wait; `body` owns what it gets.
    public func withToken<A: Sendable, T: Sendable>(
        preparingAfter lead: Duration?, _ ahead: @escaping @Sendable () async -> A,
        _ body: @Sendable (A?) async throws -> T
    ) async rethrows -> T {
        guard available == 0, let lead else {
            await acquire()
            defer { release() }
            return try await body(nil)
        }
        let early = Task { () -> A? in
            try? await Task.sleep(for: lead)
            guard !Task.isCancelled, self.reserveAhead() else { return nil }
            return await ahead()
        }
        await withCheckedContinuation { waiters.append($0) }
        defer { release() }
        early.cancel()
        let made = await early.value
        if made != nil { aheadInUse -= 1 }
        return try await body(made)
    }

    /// Callers holding something made ahead while they wait (at most `capacity`).
    private var aheadInUse = 0

    private func reserveAhead() -> Bool {
        guard aheadInUse < capacity else { return false }
        aheadInUse += 1
        return true
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
