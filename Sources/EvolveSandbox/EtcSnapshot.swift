import EvolveSupport
import Foundation

/// A private copy of the `/etc` files a sandbox shows, so that a step binds one folder at `/etc` instead of
/// one bind per file.
///
/// bubblewrap reads the whole mount table again for every read-only bind it makes, so each bind costs CPU:
/// measured here, a step with the eleven `/etc` binds took 9.1 ms of CPU and one with a single bind 5.7 ms
/// (`perf stat` over 100 `bwrap … /bin/true`). A task is two steps.
///
/// The copy lives in the user's cache (`$XDG_CACHE_HOME/evolve/sandbox-etc`, else
/// `~/.cache/evolve/sandbox-etc`), in a folder named after a hash of what it holds: a change to any of the
/// host's files gives a new folder, so a copy is never stale, and engines started at once share one without
/// a lock (each builds in a temporary folder and renames it into place; the loser of a race uses the
/// winner's). A folder is used only when it belongs to this user and nobody else may write to it; anything
/// unexpected makes `prepare` return nil, and the sandbox binds the files one by one as before.
struct EtcSnapshot {
    /// The host paths to copy (each is a file, a link or a folder; missing ones are left out).
    var sources: [String]
    /// The folder that holds the snapshots.
    var cache: String

    /// The user's cache folder for snapshots, or nil without a home.
    static func defaultCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        UserCache.folder("sandbox-etc", environment: environment)
    }

    /// Returns the snapshot's folder (made now if needed), or nil when there is none to be had.
    func prepare() -> String? {
        let entries = sources.compactMap(Entry.read)
        guard !entries.isEmpty else { return nil }
        let folder = "\(cache)/etc-\(UserCache.hex(Self.fingerprint(entries)))"
        if UserCache.isPrivate(folder) { return folder }
        guard UserCache.makePrivateFolders(cache) else { return nil }
        guard let building = try? Files.makeTemporaryDirectory(in: cache, prefix: ".building") else { return nil }
        chmod(building, 0o755)
        for entry in entries {
            guard entry.write(into: building) else {
                Files.removeTree(building)
                return nil
            }
        }
        if rename(building, folder) != 0 {
            // Another engine made the same snapshot first (the name is its content): use theirs.
            Files.removeTree(building)
        }
        return UserCache.isPrivate(folder) ? folder : nil
    }

    // MARK: - What is copied

    /// One host path and everything under it, read once: what the fingerprint covers is what is written.
    struct Entry {
        enum Kind {
            case file(Data, mode_t)
            case link(String)
            case folder(mode_t, [Entry])
        }
        var name: String
        var kind: Kind

        /// Reads `path` (nil when it is missing, unreadable, or neither a file, a link nor a folder).
        static func read(_ path: String) -> Entry? {
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            let name = (path as NSString).lastPathComponent
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                guard let data = FileManager.default.contents(atPath: path) else { return nil }
                return Entry(name: name, kind: .file(data, info.st_mode & 0o7777))
            case S_IFLNK:
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
                return Entry(name: name, kind: .link(target))
            case S_IFDIR:
                let children = (Files.entries(path) ?? []).sorted().compactMap { read("\(path)/\($0)") }
                return Entry(name: name, kind: .folder(info.st_mode & 0o7777, children))
            default:
                return nil
            }
        }

        /// Writes this entry into `folder`; false on any failure.
        func write(into folder: String) -> Bool {
            let path = "\(folder)/\(name)"
            switch kind {
            case .file(let data, let mode):
                guard FileManager.default.createFile(atPath: path, contents: data) else { return false }
                return chmod(path, mode) == 0
            case .link(let target):
                return symlink(target, path) == 0
            case .folder(let mode, let children):
                guard mkdir(path, 0o700) == 0 else { return false }
                for child in children where !child.write(into: path) { return false }
                return chmod(path, mode) == 0
            }
        }

        /// Feeds the entry's name, kind, mode and content into an FNV-1a hash.
        func hash(into value: inout UInt64) {
            func feed(_ bytes: some Sequence<UInt8>) {
                for byte in bytes {
                    value ^= UInt64(byte)
                    value &*= 0x100_0000_01b3
                }
                value ^= 0xff
                value &*= 0x100_0000_01b3
            }
            feed(name.utf8)
            switch kind {
            case .file(let data, let mode):
                feed("f\(mode)".utf8)
                feed(data)
            case .link(let target):
                feed("l".utf8)
                feed(target.utf8)
            case .folder(let mode, let children):
                feed("d\(mode) \(children.count)".utf8)
                for child in children { child.hash(into: &value) }
            }
        }
    }

    static func fingerprint(_ entries: [Entry]) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for entry in entries { entry.hash(into: &value) }
        return value
    }
}
