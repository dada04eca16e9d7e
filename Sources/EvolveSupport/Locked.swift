import Foundation

/// A value shared between threads, reached only while holding its lock.
///
/// The one way the engine guards a small piece of shared state (a counter, a cache, a flag): a reference, so
/// that copies of a struct that holds one share the value.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock; what `body` changes is kept.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value as it is now.
    public var current: Value { withLock { $0 } }
}

extension Locked where Value == Int {
    /// Adds one and returns the new count (1 for the first call on a counter made with 0).
    public func increment() -> Int {
        withLock {
            $0 += 1
            return $0
        }
    }
}
