import EvolveArchive
import EvolveConfig
import EvolveMutation
import EvolveSupport
import Foundation

/// The services a search may need beyond the archive (a local model server, the gateway), started on
/// demand by the operators that use them and stopped when the search ends.
public final class SearchEnvironment: @unchecked Sendable {
    private let lock = NSLock()
    private var stops: [@Sendable () -> Void] = []

    private init() {}

    public static func start() async throws -> SearchEnvironment { SearchEnvironment() }

    /// Builds the operators that need more than the archive; nil leaves the operator to the defaults.
    public var operatorFactory: SearchSetup.OperatorFactory {
        { _, _, _ in nil }
    }

    /// Stops everything that was started, newest first.
    public func stop() {
        lock.lock()
        let all = stops.reversed()
        stops.removeAll()
        lock.unlock()
        for s in all { s() }
    }
}
