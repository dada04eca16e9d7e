import EvolveSupport
import Foundation

/// The evaluator's temporary folders (workspaces, agent checkouts). Each is removed when its task is done;
/// those still there when the process exits (interrupted with Ctrl-C, which ends through `exit`) are
/// removed then, so an interrupted evaluation leaves nothing behind in the temporary folder.
final class ScratchFolders: Sendable {
    static let shared = ScratchFolders()

    /// The folders not removed yet, and whether the removal at exit is registered.
    private let state = Locked<(live: Set<String>, registered: Bool)>(([], false))

    /// Makes a fresh private folder and remembers it.
    func make(prefix: String) throws -> String {
        let path = try Files.makeTemporaryDirectory(prefix: prefix)
        state.withLock { state in
            state.live.insert(path)
            if !state.registered {
                state.registered = true
                atexit { ScratchFolders.shared.removeAll() }
            }
        }
        return path
    }

    /// Removes a folder made by `make`, whatever an agent left in it (see `TreeRemoval`). When that fails, the
    /// folder is tried again when the process exits.
    func remove(_ path: String) throws {
        try TreeRemoval.remove(path)
        _ = state.withLock { $0.live.remove(path) }
    }

    /// Removes a folder made by `make` when a failure would change nothing (it is tried again at exit).
    func discard(_ path: String) {
        try? remove(path)
    }

    private func removeAll() {
        let paths = state.withLock { $0.live }
        for path in paths { try? TreeRemoval.remove(path) }
    }
}
