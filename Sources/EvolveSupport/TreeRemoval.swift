import Foundation

/// Removes a folder tree that an untrusted program wrote, whatever it holds: folders nested deeper than
/// `PATH_MAX`, millions of entries, names that are not UTF-8, FIFOs, sockets, links (to anywhere, loops
/// included: a link is removed, never followed), folders whose mode forbids reading or writing.
///
/// It walks the tree with one open folder at a time (`openat` down, `..` up, checked against the folder it
/// came from), so neither the depth nor a path's length is bounded, and never builds a full path.
public enum TreeRemoval {
    /// Removes `path` and everything below it; nothing there is fine. A link at `path` is removed, not followed.
    public static func remove(_ path: String) throws {
        do {
            try removeTree(path)
        } catch let error as FileSystemError {
            throw EvolveError(
                .io, "cannot remove \(path): \(error)",
                hint: "remove it by hand (for example `chmod -R u+rwx` then `rm -rf`) and check the disk")
        }
    }

    private static func removeTree(_ path: String) throws {
        guard let top = try FileStatus.of(path: path) else { return }
        guard top.kind == .directory else {
            let rc = DirectoryHandle.removeFile(path: path)
            guard rc == 0 || rc == ENOENT else { throw FileSystemError("unlink", code: rc) }
            return
        }
        if top.permissions & 0o700 != 0o700 { chmod(path, 0o700) }
        var current = try DirectoryHandle.open(path: path)
        // Folders of `current` found by the last listing and not yet removed (listed in batches, so a folder of
        // many full folders is not listed again after each one).
        var pending: [FileName] = []
        // The folders entered below `path`: the name of each, the folder that holds it, and its pending folders.
        var trail: [(name: FileName, parent: FileStatus, pending: [FileName])] = []
        while true {
            let status = try current.status()
            if status.permissions & 0o700 != 0o700 {
                _ = current.setPermissions(0o700)
            }
            if pending.isEmpty { pending = try emptyExceptFolders(current) }
            guard let folder = pending.popLast() else {
                // `current` is empty: go up and remove it.
                guard let (name, parentStatus, parentPending) = trail.popLast() else { break }
                let parent = try current.openDirectory([46, 46]).get()
                guard try parent.status().isSameFile(as: parentStatus) else {
                    throw FileSystemError("the tree changed while it was being removed; ..", code: ESTALE)
                }
                current = parent
                pending = parentPending
                let rc = current.remove(name, directory: true)
                guard rc == 0 || rc == ENOENT else { throw FileSystemError("rmdir", code: rc) }
                continue
            }
            // An empty folder goes at once; a full one is entered.
            let rc = current.remove(folder, directory: true)
            if rc == 0 || rc == ENOENT { continue }
            guard rc == ENOTEMPTY || rc == EEXIST else { throw FileSystemError("rmdir", code: rc) }
            let child = try openFixingPermissions(folder, in: current)
            trail.append((folder, status, pending))
            pending = []
            current = child
        }
        let rc = DirectoryHandle.removeEmptyDirectory(path: path)
        guard rc == 0 || rc == ENOENT else { throw FileSystemError("rmdir", code: rc) }
    }

    /// How many folder names one listing collects.
    private static let batch = 1024

    /// Removes every entry of `folder` that is not a folder, until `batch` folders are found, and returns their
    /// names; empty when `folder` is now empty.
    private static func emptyExceptFolders(_ folder: DirectoryHandle) throws -> [FileName] {
        var found: [FileName] = []
        try folder.forEachEntry { name, isDirectory in
            var isFolder = isDirectory
            if isFolder == nil { isFolder = try folder.status(of: name)?.kind == .directory }
            if isFolder != true {
                let rc = folder.remove(name, directory: false)
                if rc == 0 || rc == ENOENT { return true }
                guard rc == EISDIR || rc == EPERM, try folder.status(of: name)?.kind == .directory else {
                    throw FileSystemError("unlink", code: rc)
                }
            }
            found.append(name)
            return found.count < batch
        }
        return found
    }

    /// Opens the folder `name`; one whose mode forbids it (chmod 000) is given 0700 first.
    private static func openFixingPermissions(_ name: FileName, in parent: DirectoryHandle) throws -> DirectoryHandle {
        switch parent.openDirectory(name) {
        case .success(let child): return child
        case .failure(let error) where error.code == EACCES:
            _ = parent.setPermissions(of: name, 0o700)
            return try parent.openDirectory(name).get()
        case .failure(let error): throw error
        }
    }
}
