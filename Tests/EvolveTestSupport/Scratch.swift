import EvolveSupport
import Foundation

/// The repository root, found from this file's path (Tests/EvolveTestSupport/Scratch.swift).
public let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The smoke suite in the repository (seeds/suites/smoke); copy it into a scratch folder before an agent runs on it.
public let smokeSuitePath = repoRoot + "/seeds/suites/smoke"

/// The smoke agent in the repository (seeds/agents/smoke-agent), the seed of most archives the tests make.
public let smokeAgentPath = repoRoot + "/seeds/agents/smoke-agent"

/// Whether bubblewrap is installed; tests that run sandboxes are skipped (with this reason) otherwise.
public let hasBubblewrap = FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")

/// A temporary folder for one test, removed afterwards (swift-git's ScratchDirectory idea).
public final class Scratch: Sendable {
    /// The folder's absolute path.
    public let path: String

    /// Makes a fresh folder under $TMPDIR (or /tmp) named after `prefix`.
    public init(prefix: String = "evolve-test") throws { path = try Files.makeTemporaryDirectory(prefix: prefix) }

    deinit { Files.removeTree(path) }

    /// The absolute path of `relative` inside the folder (which need not exist).
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes a file (making the folders on its way), executable or not; returns its absolute path.
    @discardableResult
    public func write(_ relative: String, _ contents: String, executable: Bool = false) throws -> String {
        let full = file(relative)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        chmod(full, executable ? 0o755 : 0o644)
        return full
    }

    /// Makes a folder (and those on its way); returns its absolute path.
    @discardableResult
    public func makeFolder(_ relative: String) throws -> String {
        try FileManager.default.createDirectory(atPath: file(relative), withIntermediateDirectories: true)
        return file(relative)
    }

    /// A copy of a fixture (a seed agent or a suite: `source` is absolute, or relative to the repository root) at
    /// `relative`, so a test (or a hostile agent, were it to escape) never touches the repository. A copy
    /// already there is kept. Returns the copy's absolute path.
    @discardableResult
    public func copyFixture(_ source: String, to relative: String) throws -> String {
        let copy = file(relative)
        if !Files.exists(copy) {
            try makeFolder((relative as NSString).deletingLastPathComponent)
            try FileManager.default.copyItem(
                atPath: source.hasPrefix("/") ? source : repoRoot + "/" + source,
                toPath: copy)
        }
        return copy
    }
}
