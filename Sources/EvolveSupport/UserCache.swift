import Foundation

/// Folders of the user's cache that the engine fills with things it can make again (the sandbox's `/etc`
/// copy, the compiled gateway relay): `$XDG_CACHE_HOME/evolve/<name>`, else `~/.cache/evolve/<name>`.
///
/// What the engine reads back from there ends up in sandboxes (bound read-only, or run inside them), so a
/// folder or file is used only when it belongs to this user and nobody else may write to it; anything else
/// makes the callers fall back to what they did without a cache.
public enum UserCache {
    /// The cache folder for `name`, or nil without an absolute `XDG_CACHE_HOME` or a home other than `/`.
    public static func folder(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return "\(xdg)/evolve/\(name)" }
        if let home = environment["HOME"], home.hasPrefix("/"), home != "/" {
            return "\(home)/.cache/evolve/\(name)"
        }
        return nil
    }

    /// Whether `path` is a real folder (or, with `file`, a regular file) of this user that nobody else may
    /// write to. A link is neither.
    public static func isPrivate(_ path: String, file: Bool = false) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == (file ? S_IFREG : S_IFDIR) else { return false }
        return info.st_uid == geteuid() && info.st_mode & 0o022 == 0
    }

    /// Makes `path` and its missing parents (0700), and says whether `path` is private.
    public static func makePrivateFolders(_ path: String) -> Bool {
        if !Files.isDirectory(path) {
            try? FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return isPrivate(path)
    }

    /// A 64-bit FNV-1a hash of `bytes`, as 16 hex digits: names a cached thing after what made it.
    public static func fingerprint(_ bytes: some Sequence<UInt8>) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        return hex(value)
    }

    /// `value` as 16 hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
