import Foundation

/// How much a tree copy may take. A workspace an untrusted program wrote can hold anything; the copy stops
/// with a `TreeCopyError` naming the limit rather than fill the disk or run for hours.
public struct TreeCopyLimits: Sendable, Equatable {
    /// Folders nested deeper than this below the top stop the copy.
    public var maxDepth: Int
    /// Entries of any kind (files, folders, links, skipped special files).
    public var maxEntries: Int
    /// Sum of the files' apparent sizes (a sparse file counts its holes).
    public var maxTotalBytes: Int64
    /// Largest single file (apparent size).
    public var maxFileBytes: Int64

    public init(maxDepth: Int = 64, maxEntries: Int = 100_000, maxTotalBytes: Int64, maxFileBytes: Int64) {
        self.maxDepth = maxDepth
        self.maxEntries = maxEntries
        self.maxTotalBytes = maxTotalBytes
        self.maxFileBytes = maxFileBytes
    }

    /// 64 levels, 100 000 entries, 1 GiB in all, 64 MiB a file.
    public static let standard = TreeCopyLimits(maxTotalBytes: 1 << 30, maxFileBytes: 64 << 20)
}

/// A tree copy that stopped: which limit was hit (nil for a file-system failure) and where.
public struct TreeCopyError: Error, Sendable, CustomStringConvertible {
    public enum Limit: String, Sendable {
        case depth = "folder depth"
        case entries = "number of entries"
        case totalBytes = "total size"
        case fileBytes = "file size"
    }

    /// The limit that was hit, or nil when a file-system call failed.
    public var limit: Limit?
    /// Where, relative to the copied folder, with unprintable bytes escaped (`\xff`).
    public var path: String
    /// What happened, in words.
    public var message: String

    public var description: String { "\(message) at \(path.isEmpty ? "." : path)" }
}

/// What a tree copy did.
public struct TreeCopySummary: Sendable, Equatable {
    public var files = 0
    public var folders = 0
    public var symlinks = 0
    /// Bytes of the files copied (apparent sizes).
    public var bytes: Int64 = 0
    /// FIFOs, sockets and devices, which are left out without being opened.
    public var skippedSpecialFiles = 0
}

/// Copies a folder tree an untrusted program wrote, within `TreeCopyLimits`: through open folders only (no
/// full path is built), never following a link (a link is copied as a link, its target never looked at),
/// leaving out FIFOs, sockets and devices without opening them, keeping a file's executable bit and a sparse
/// file's holes, and optionally leaving out some top-level entries (such as `tests`).
public enum TreeCopy {
    /// Copies the folder `source` to `destination`, which must not exist yet (or, with `intoExistingFolder`,
    /// must be a folder that holds nothing but entries named in `skippingTopLevel`).
    @discardableResult
    public static func copy(
        from source: String, to destination: String, limits: TreeCopyLimits, skippingTopLevel: Set<String> = [],
        intoExistingFolder: Bool = false
    ) throws -> TreeCopySummary {
        let from: DirectoryHandle
        let to: DirectoryHandle
        do {
            from = try DirectoryHandle.open(path: source)
            if !intoExistingFolder { try DirectoryHandle.makeDirectory(path: destination, permissions: 0o755) }
            to = try DirectoryHandle.open(path: destination)
        } catch let error as FileSystemError {
            throw TreeCopyError(limit: nil, path: "", message: "cannot copy \(source) to \(destination): \(error)")
        }
        var copier = Copier(limits: limits, skipped: Set(skippingTopLevel.map { Array($0.utf8) }))
        try copier.copyEntries(of: from, to: to, depth: 0, trail: [])
        return copier.summary
    }

    /// A file name in a form fit for a message: printable ASCII as is, every other byte escaped as `\xNN`.
    public static func printable(_ name: FileName) -> String {
        var text = ""
        for byte in name {
            if byte >= 0x20, byte < 0x7f, byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return text
    }
}

// MARK: - Copying

private struct Copier {
    let limits: TreeCopyLimits
    let skipped: Set<FileName>
    var summary = TreeCopySummary()
    var entries = 0

    init(limits: TreeCopyLimits, skipped: Set<FileName>) {
        self.limits = limits
        self.skipped = skipped
    }

    mutating func copyEntries(
        of source: DirectoryHandle, to destination: DirectoryHandle, depth: Int, trail: [FileName]
    )
        throws
    {
        var names: [FileName] = []
        try attempt(trail) {
            try source.forEachEntry { name, _ in
                names.append(name)
                // Counted here already, so a folder of millions stops the listing, not only the copy.
                guard entries + names.count <= limits.maxEntries else { return false }
                return true
            }
        }
        for name in names where !(depth == 0 && skipped.contains(name)) {
            let path = trail + [name]
            entries += 1
            guard entries <= limits.maxEntries else {
                throw limitError(.entries, "more than \(limits.maxEntries) entries", path)
            }
            guard let status = try attempt(path, { try source.status(of: name) }) else { continue }
            switch status.kind {
            case .directory:
                guard depth + 1 <= limits.maxDepth else {
                    throw limitError(.depth, "folders nested deeper than \(limits.maxDepth)", path)
                }
                let (from, to) = try attempt(path) { () throws -> (DirectoryHandle, DirectoryHandle) in
                    try destination.makeDirectory(name, permissions: 0o755)
                    return (try source.openDirectory(name).get(), try destination.openDirectory(name).get())
                }
                summary.folders += 1
                try copyEntries(of: from, to: to, depth: depth + 1, trail: path)
            case .regular:
                guard status.size <= limits.maxFileBytes else {
                    throw limitError(.fileBytes, "a file of \(status.size) bytes (limit \(limits.maxFileBytes))", path)
                }
                guard summary.bytes + status.size <= limits.maxTotalBytes else {
                    throw limitError(.totalBytes, "more than \(limits.maxTotalBytes) bytes of files in all", path)
                }
                let permissions: UInt32 = status.permissions & 0o111 != 0 ? 0o755 : 0o644
                let copied = try attempt(path) {
                    try source.copyFile(
                        name, to: destination, as: name, permissions: permissions, byteLimit: status.size)
                }
                if let copied {
                    summary.files += 1
                    summary.bytes += copied
                } else {
                    summary.skippedSpecialFiles += 1
                }
            case .symlink:
                try attempt(path) { try destination.makeSymlink(name, target: try source.linkTarget(name)) }
                summary.symlinks += 1
            case .fifo, .socket, .device, .other:
                summary.skippedSpecialFiles += 1
            }
        }
    }

    private func limitError(_ limit: TreeCopyError.Limit, _ message: String, _ path: [FileName]) -> TreeCopyError {
        TreeCopyError(
            limit: limit, path: Self.display(path), message: "the \(limit.rawValue) limit was hit: \(message)")
    }

    /// Runs a file-system step, turning its failure into a `TreeCopyError` that says where.
    @discardableResult
    private func attempt<T>(_ path: [FileName], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileSystemError {
            throw TreeCopyError(limit: nil, path: Self.display(path), message: "cannot copy: \(error)")
        }
    }

    /// A relative path for a message, shortened in the middle when long.
    static func display(_ path: [FileName]) -> String {
        let parts = path.map(TreeCopy.printable)
        guard parts.count > 8 else { return parts.joined(separator: "/") }
        return (parts.prefix(3) + ["…(\(parts.count - 6) more)…"] + parts.suffix(3)).joined(separator: "/")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
