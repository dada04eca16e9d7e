import EvolveSupport
import Foundation

/// The evaluator's temporary folders (workspaces, agent checkouts). Each is removed when its task is done;
/// those still there when the process exits (interrupted with Ctrl-C, which ends through `exit`) are
/// removed then, so an interrupted evaluation leaves nothing behind in the temporary folder.
final class ScratchFolders: @unchecked Sendable {
    static let shared = ScratchFolders()

    private let lock = NSLock()
    private var live = Set<String>()
    private var registered = false

    /// Makes a fresh private folder and remembers it.
    func make(prefix: String) throws -> String {
        let path = try Files.makeTemporaryDirectory(prefix: prefix)
        lock.withLock {
            live.insert(path)
            if !registered {
                registered = true
                atexit { ScratchFolders.shared.removeAll() }
            }
        }
        return path
    }

    /// Removes a folder made by `make`.
    func remove(_ path: String) {
        Files.removeTree(path)
        _ = lock.withLock { live.remove(path) }
    }

    private func removeAll() {
        let paths = lock.withLock { live }
        for path in paths { Files.removeTree(path) }
    }
}
