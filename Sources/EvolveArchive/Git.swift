import CGit2
import EvolveSupport
import Foundation

// MARK: - Library set-up

/// libgit2 wants `git_libgit2_init()` once per process before anything else (STYLE rule 5).
enum GitLibrary {
    private static let initialized: Bool = {
        git_libgit2_init()
        return true
    }()

    static func ensureInitialized() { _ = initialized }
}

// MARK: - Object ids

/// A git object id as 40 lowercase hex characters.
struct GitOID: Hashable {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    init?(hex: String) {
        var oid = git_oid()
        guard hex.utf8.count == 40, git_oid_fromstr(&oid, hex) == 0 else { return nil }
        raw = oid
    }

    var hex: String {
        var copy = raw
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, &copy)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func == (a: GitOID, b: GitOID) -> Bool {
        var x = a.raw
        var y = b.raw
        return git_oid_equal(&x, &y) != 0
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hex) }
}

// MARK: - Repository

/// A bare libgit2 repository. One owner per handle: freed in `deinit`. Not thread-safe by itself;
/// `Archive` serialises access.
final class GitRepository {
    let handle: OpaquePointer
    let path: String

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { git_repository_free(handle) }

    /// Creates a new bare repository at `path`.
    static func createBare(at path: String) throws -> GitRepository {
        GitLibrary.ensureInitialized()
        var repo: OpaquePointer?
        try gitCheck(git_repository_init(&repo, path, 1), "creating the bare repository \(path)")
        let created = GitRepository(handle: repo!, path: path)
        // Logs and transcripts are blobs that only the index points at: `git gc` must never prune them.
        var config: OpaquePointer?
        try gitCheck(git_repository_config(&config, repo), "opening the repository's config")
        defer { git_config_free(config) }
        try gitCheck(git_config_set_string(config, "gc.pruneExpire", "never"), "setting gc.pruneExpire")
        try gitCheck(git_config_set_string(config, "gc.auto", "0"), "setting gc.auto")
        return created
    }

    /// Opens the bare repository at `path`; nil when there is none.
    static func openBare(at path: String) throws -> GitRepository {
        GitLibrary.ensureInitialized()
        var repo: OpaquePointer?
        try gitCheck(git_repository_open_bare(&repo, path), "opening the git repository \(path)")
        return GitRepository(handle: repo!, path: path)
    }

    // MARK: Trees from and to folders

    /// Writes the files under `directory` as a git tree, byte for byte, with their modes (regular,
    /// executable, symlink). `.git` folders are skipped; empty folders cannot be stored in git and are
    /// skipped too. Returns the tree id and the number of files.
    func writeTree(fromDirectory directory: String) throws -> (tree: GitOID, files: Int) {
        var files = 0
        let oid = try writeTree(directory, files: &files)
        return (oid, files)
    }

    private func writeTree(_ directory: String, files: inout Int) throws -> GitOID {
        var builder: OpaquePointer?
        try gitCheck(git_treebuilder_new(&builder, handle, nil), "starting a tree for \(directory)")
        defer { git_treebuilder_free(builder) }
        guard let names = Files.entries(directory) else {
            throw EvolveError(.io, "cannot read the folder \(directory)")
        }
        for name in names where name != ".git" {
            let full = directory + "/" + name
            var st = stat()
            guard lstat(full, &st) == 0 else {
                throw EvolveError(.io, "cannot read \(full): \(String(cString: strerror(errno)))")
            }
            var oid = git_oid()
            let mode: git_filemode_t
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                let before = files
                let sub = try writeTree(full, files: &files)
                if files == before { continue }  // nothing but empty folders below: git keeps no empty trees
                oid = sub.raw
                mode = GIT_FILEMODE_TREE
            case S_IFLNK:
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(full, &target, Int(PATH_MAX))
                guard n >= 0 else { throw EvolveError(.io, "cannot read the link \(full)") }
                try gitCheck(git_blob_create_from_buffer(&oid, handle, target, n), "storing the link \(full)")
                mode = GIT_FILEMODE_LINK
                files += 1
            case S_IFREG:
                try gitCheck(git_blob_create_from_disk(&oid, handle, full), "storing the file \(full)")
                mode = (st.st_mode & 0o111) != 0 ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
                files += 1
            default:
                throw EvolveError(
                    .invalidInput, "\(full) is neither a file, a folder nor a link; an agent's source holds only those")
            }
            try gitCheck(git_treebuilder_insert(nil, builder, name, &oid, mode), "adding \(full) to a tree")
        }
        var tree = git_oid()
        if git_treebuilder_entrycount(builder) == 0 {
            return GitOID(tree)  // an empty folder: the caller skips it, nothing is written
        }
        try gitCheck(git_treebuilder_write(&tree, builder), "writing the tree of \(directory)")
        return GitOID(tree)
    }

    // MARK: Objects

    func lookupTree(_ oid: GitOID) throws -> OpaquePointer {
        var raw = oid.raw
        var tree: OpaquePointer?
        try gitCheck(git_tree_lookup(&tree, handle, &raw), "reading the tree \(oid.hex)")
        return tree!
    }

    func lookupCommit(_ oid: GitOID) throws -> OpaquePointer {
        var raw = oid.raw
        var commit: OpaquePointer?
        try gitCheck(git_commit_lookup(&commit, handle, &raw), "reading the commit \(oid.hex)")
        return commit!
    }

    /// The tree id of a commit.
    func treeOfCommit(_ commit: GitOID) throws -> GitOID {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        return GitOID(git_commit_tree_id(object).pointee)
    }

    /// The tree and parents a commit names (libgit2 parses the commit; a malformed one throws).
    func commitLinks(_ commit: GitOID) throws -> (tree: GitOID, parents: [GitOID]) {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        let parents = (0..<git_commit_parentcount(object)).compactMap { git_commit_parent_id(object, $0) }
        return (GitOID(git_commit_tree_id(object).pointee), parents.map { GitOID($0.pointee) })
    }

    /// The commit time of a commit, in seconds since 1970.
    func time(ofCommit commit: GitOID) throws -> Double {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        return Double(git_commit_time(object))
    }

    /// The full message of a commit.
    func message(ofCommit commit: GitOID) throws -> String {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        return String(cString: git_commit_message(object))
    }

    /// Whether an object exists in the repository.
    func contains(_ oid: GitOID) -> Bool {
        var db: OpaquePointer?
        guard git_repository_odb(&db, handle) == 0 else { return false }
        defer { git_odb_free(db) }
        var raw = oid.raw
        return git_odb_exists(db, &raw) != 0
    }

    /// Every object id in the repository (loose and packed), each once.
    func allObjectIDs() throws -> [GitOID] {
        var db: OpaquePointer?
        try gitCheck(git_repository_odb(&db, handle), "opening the object database")
        defer { git_odb_free(db) }
        final class Collected { var ids = Set<GitOID>() }
        let collected = Collected()
        let box = Unmanaged.passUnretained(collected).toOpaque()
        try gitCheck(
            git_odb_foreach(
                db,
                { id, payload in
                    guard let id, let payload else { return 0 }
                    Unmanaged<Collected>.fromOpaque(payload).takeUnretainedValue().ids.insert(GitOID(id.pointee))
                    return 0
                }, box),
            "listing the objects")
        return Array(collected.ids)
    }

    func blobBytes(_ oid: GitOID) throws -> [UInt8] {
        var raw = oid.raw
        var blob: OpaquePointer?
        try gitCheck(git_blob_lookup(&blob, handle, &raw), "reading the blob \(oid.hex)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// Stores bytes as a blob (content-addressed: the same bytes are stored once).
    func writeBlob(_ bytes: [UInt8]) throws -> GitOID {
        var oid = git_oid()
        try gitCheck(
            bytes.withUnsafeBytes { git_blob_create_from_buffer(&oid, handle, $0.baseAddress, $0.count) },
            "storing a blob")
        return GitOID(oid)
    }

    /// Writes a commit object (no ref is moved). Author and committer are `evolve` at `time`.
    func writeCommit(tree: GitOID, parents: [GitOID], message: String, time: Date) throws -> GitOID {
        var signature: UnsafeMutablePointer<git_signature>?
        try gitCheck(
            git_signature_new(&signature, "evolve", "evolve@localhost", git_time_t(time.timeIntervalSince1970), 0),
            "making the commit signature")
        defer { git_signature_free(signature) }
        let treeObject = try lookupTree(tree)
        defer { git_tree_free(treeObject) }
        var parentObjects: [OpaquePointer?] = []
        defer { for parent in parentObjects { git_commit_free(parent) } }
        for parent in parents { parentObjects.append(try lookupCommit(parent)) }
        var oid = git_oid()
        try parentObjects.withUnsafeMutableBufferPointer { buffer in
            try gitCheck(
                git_commit_create(
                    &oid, handle, nil, signature, signature, "UTF-8", message, treeObject,
                    buffer.count, buffer.baseAddress),
                "writing a commit")
        }
        return GitOID(oid)
    }

    // MARK: Refs

    /// Creates (or, with `force`, moves) a ref to `target`.
    func setReference(_ name: String, to target: GitOID, force: Bool = false, log: String) throws {
        var ref: OpaquePointer?
        var raw = target.raw
        try gitCheck(git_reference_create(&ref, handle, name, &raw, force ? 1 : 0, log), "writing the ref \(name)")
        git_reference_free(ref)
    }

    /// The commit a ref points at; nil when the ref does not exist.
    func resolveReference(_ name: String) throws -> GitOID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try gitCheck(rc, "reading the ref \(name)")
        return GitOID(oid)
    }

    /// All refs matching a glob, with their targets.
    func references(matching glob: String) throws -> [(name: String, target: GitOID)] {
        var iterator: OpaquePointer?
        try gitCheck(git_reference_iterator_glob_new(&iterator, handle, glob), "listing the refs \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var result: [(String, GitOID)] = []
        var ref: OpaquePointer?
        while git_reference_next(&ref, iterator) == 0 {
            defer { git_reference_free(ref) }
            if let target = git_reference_target(ref) {
                result.append((String(cString: git_reference_name(ref)), GitOID(target.pointee)))
            }
        }
        return result
    }
}

// MARK: - Objects as stored

extension GitRepository: GitObjectReading {
    func readObject(_ id: String) throws -> (kind: GitObjectKind, bytes: [UInt8])? {
        guard var raw = GitOID(hex: id)?.raw else { return nil }
        var db: OpaquePointer?
        try gitCheck(git_repository_odb(&db, handle), "opening the object database")
        defer { git_odb_free(db) }
        var object: OpaquePointer?
        let rc = git_odb_read(&object, db, &raw)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try gitCheck(rc, "reading the object \(id)")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        let bytes: [UInt8] =
            size > 0 && git_odb_object_data(object) != nil
            ? Array(UnsafeRawBufferPointer(start: git_odb_object_data(object), count: size)) : []
        return (Self.kind(git_odb_object_type(object)), bytes)
    }

    func objectKind(_ id: String) throws -> GitObjectKind? {
        guard var raw = GitOID(hex: id)?.raw else { return nil }
        var db: OpaquePointer?
        try gitCheck(git_repository_odb(&db, handle), "opening the object database")
        defer { git_odb_free(db) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        let rc = git_odb_read_header(&size, &type, db, &raw)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try gitCheck(rc, "reading the header of \(id)")
        return Self.kind(type)
    }

    static func kind(_ type: git_object_t) -> GitObjectKind {
        switch type {
        case GIT_OBJECT_COMMIT: .commit
        case GIT_OBJECT_TREE: .tree
        case GIT_OBJECT_BLOB: .blob
        case GIT_OBJECT_TAG: .tag
        default: .unknown
        }
    }
}

// MARK: - Errors

/// Every libgit2 return code goes through here: libgit2's own words plus what we were doing.
func gitCheck(_ rc: Int32, _ doing: @autoclosure () -> String) throws {
    guard rc < 0 else { return }
    var message = "libgit2 error \(rc)"
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    }
    let kind: EvolveError.Kind = rc == GIT_ENOTFOUND.rawValue ? .notFound : .git
    throw EvolveError(kind, "\(doing()) failed: \(message)")
}
