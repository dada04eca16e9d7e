import EvolveSupport
import Foundation

/// Writes a tree into a folder so that nothing in the tree can reach outside it.
///
/// The tree is checked first (`TreeInspector`): a tree git would refuse, or one with a link that leads
/// out of the folder, is refused before a single byte is written. Then every entry is made relative to
/// its parent folder's descriptor (`mkdirat`, `openat`, `symlinkat`), never through a path string:
/// each folder is opened with `O_NOFOLLOW | O_DIRECTORY` right after this code made it, every file is
/// created with `O_CREAT | O_EXCL | O_NOFOLLOW`, and a link is created as a link and never traversed.
/// So even a tree that slipped past the check could not make a write follow a link.
extension GitRepository {
    /// Writes the tree `tree` into `directory` (which must exist and should be empty), byte for byte,
    /// with modes. Throws, naming the path, when the tree is unsafe to write. `checked: false` skips the
    /// check and leaves only the descriptor-relative writing between a tree and the disk (for tests
    /// that prove that layer alone never follows a link).
    func materialize(tree: GitOID, into directory: String, checked: Bool = true) throws {
        let inspector = TreeInspector(store: self)
        let problems = try inspector.problems(ofTree: tree.hex)
        if checked, let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
            throw EvolveError(
                .corrupt, "refusing to write the tree \(tree.hex.prefix(12)): \(first)\(more)",
                hint: "this tree is unsafe to check out (a hostile or damaged variant); nothing was written. "
                    + "`evolve doctor` lists every such variant; check out another one")
        }
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw Self.ioError("cannot open the folder \(directory)") }
        defer { close(root) }
        try writeEntries(of: tree.hex, into: root, path: directory, inspector: inspector)
    }

    private func writeEntries(of tree: String, into folder: Int32, path: String, inspector: TreeInspector) throws {
        guard let entries = inspector.entries(ofTree: tree) else {
            throw EvolveError(.corrupt, "the tree \(tree) was not read before writing \(path)")
        }
        for entry in entries {
            let name = Self.cName(entry.name)
            let shown = path + "/" + entry.displayName
            guard let oid = GitOID(hex: entry.id) else { throw EvolveError(.corrupt, "a bad object id at \(shown)") }
            switch entry.mode {
            case RawTreeEntry.treeMode:
                guard mkdirat(folder, name, 0o755) == 0 else { throw Self.ioError("cannot make the folder \(shown)") }
                let sub = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard sub >= 0 else { throw Self.ioError("cannot open the folder \(shown)") }
                defer { close(sub) }
                try writeEntries(of: entry.id, into: sub, path: shown, inspector: inspector)
            case RawTreeEntry.fileMode, RawTreeEntry.executableMode:
                let bytes = try blobBytes(oid)
                let perms: mode_t = entry.mode == RawTreeEntry.executableMode ? 0o755 : 0o644
                let fd = openat(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perms)
                guard fd >= 0 else { throw Self.ioError("cannot create \(shown)") }
                defer { close(fd) }
                var written = 0
                while written < bytes.count {
                    let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
                    guard n > 0 else { throw Self.ioError("cannot write \(shown)") }
                    written += n
                }
                fchmod(fd, perms)  // the umask must not change the mode git records
            case RawTreeEntry.linkMode:
                let target = Self.cName(try blobBytes(oid))
                guard symlinkat(target, folder, name) == 0 else {
                    throw Self.ioError("cannot make the link \(shown)")
                }
            default:
                throw EvolveError(
                    .corrupt, "the tree entry \(shown) has an unsupported mode \(String(entry.mode, radix: 8))")
            }
        }
    }

    /// The bytes as the NUL-terminated name a system call takes, byte for byte (names need not be UTF-8).
    private static func cName(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    private static func ioError(_ what: String) -> EvolveError {
        EvolveError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
