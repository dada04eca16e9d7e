import EvolveSupport
import Foundation

/// The archive: every agent variant as a commit in a bare git repository (`repo.git`), with a SQLite
/// index beside it (`index.sqlite`, WAL mode) for fast queries.
///
/// Git is the source of truth for what a variant *is* (its tree, its parents, its metadata trailers);
/// the index adds what is learnt later (scores, per-task outcomes, costs). Writing a child is one
/// recoverable step: the commit object first, then the index row (one transaction), then the ref. A crash
/// between the last two is repaired the next time the archive is opened for writing.
///
/// Thread-safe: every method takes the archive's lock, so evaluation workers can record concurrently.
public final class Archive: @unchecked Sendable {
    /// The archive folder.
    public let path: String
    let git: GitRepository
    let db: SQLiteDatabase
    let lock = NSRecursiveLock()
    /// This process's claim to write the archive (`claimWriting`), held until the archive is closed.
    private let writer = Locked<WriterLock?>(nil)

    static let repoName = "repo.git"
    static let indexName = "index.sqlite"
    static let schemaVersion = 2

    init(path: String, git: GitRepository, db: SQLiteDatabase) {
        self.path = path
        self.git = git
        self.db = db
    }

    /// Claims the archive for this process's writing (see `WriterLock`): one process at a time changes its
    /// variants and refs. Throws, naming the holder, while another process holds the claim; a claim held
    /// already by this archive or another of this process's is shared.
    public func claimWriting(for purpose: String) throws {
        try writer.withLock { claim in
            if claim == nil { claim = try WriterLock.claim(path, for: purpose) }
        }
    }

    /// Whether a process holds the archive for writing (a search running on it, this process's included).
    public var isBeingWritten: Bool { WriterLock.isHeld(path) }

    /// The pid of the process writing the archive, as it wrote it in `writer.lock`; nil when none writes it.
    public var writerPID: Int32? { isBeingWritten ? WriterLock.holderPID(path) : nil }

    /// Runs `body` under the archive's lock.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - Creating and opening

    /// Creates a new archive at `path` and imports `seed` as variant `v0`: a root commit whose tree is the
    /// seed's files, byte for byte, modes included. Refuses to touch an existing archive. The new archive is
    /// claimed for writing (`claimWriting`) for `purpose`, the command that creates it.
    public static func create(at path: String, seed: String, run: String? = nil, for purpose: String = "init")
        throws -> Archive
    {
        let path = Files.absolute(path)
        let seed = Files.absolute(seed)
        guard Files.exists(seed) else {
            throw EvolveError(
                .notFound, "the seed \(seed) does not exist", hint: "pass a folder with the agent's source")
        }
        guard Files.isDirectory(seed) else {
            throw EvolveError(.invalidInput, "the seed \(seed) is a file, not a folder")
        }
        if Files.exists(path) {
            guard Files.isDirectory(path) else {
                throw EvolveError(.alreadyExists, "\(path) exists and is a file; an archive is a folder")
            }
            if Files.exists(path + "/" + repoName) || Files.exists(path + "/" + indexName) {
                throw EvolveError(
                    .alreadyExists, "an archive already exists at \(path); evolve never overwrites one",
                    hint: "pass another --archive folder, or remove this one yourself if you mean to")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw EvolveError(.io, "cannot make the archive folder \(path): \(error.localizedDescription)")
            }
        }
        let claim = try WriterLock.claim(path, for: purpose)
        let git = try GitRepository.createBare(at: path + "/" + repoName)
        let (tree, files) = try git.writeTree(fromDirectory: seed)
        guard files > 0 else {
            Files.removeTree(path + "/" + repoName)
            throw EvolveError(
                .invalidInput, "the seed \(seed) holds no files", hint: "a seed is the agent's source folder")
        }
        if let problem = try TreeInspector(store: git).problems(ofTree: tree.hex).first {
            Files.removeTree(path + "/" + repoName)
            throw EvolveError(
                .invalidInput, "the seed \(seed) cannot be archived safely: \(problem)",
                hint: "remove or rename that entry (a link must point inside the seed's folder)")
        }
        let db = try SQLiteDatabase(path: path + "/" + indexName, create: true)
        try Schema.create(db)
        let archive = Archive(path: path, git: git, db: db)
        archive.writer.withLock { $0 = claim }
        let name = URL(fileURLWithPath: seed).lastPathComponent
        _ = try archive.record(
            parents: [], tree: tree.hex,
            metadata: VariantMetadata(
                generation: 0, operator: "seed", run: run, status: .pending,
                summary: "seed \(name)"))
        return archive
    }

    /// Opens the archive at `path`. With `repair` (for the one process that writes variants, the search),
    /// claims the archive for writing (`claimWriting`, refused while another search holds it) and finishes
    /// any child whose ref a crash left unwritten; readers leave that to it.
    public static func open(at path: String, repair: Bool = false) throws -> Archive {
        let path = Files.absolute(path)
        guard Files.exists(path) else {
            throw EvolveError(
                .notFound, "there is no archive at \(path)",
                hint: "create one with `evolve init --seed DIR`, or point --archive (or EVOLVE_ARCHIVE) at one")
        }
        guard Files.isDirectory(path) else {
            throw EvolveError(.notAnArchive, "\(path) is a file, not an archive folder")
        }
        let repoPath = path + "/" + repoName
        let indexPath = path + "/" + indexName
        guard Files.isDirectory(repoPath), Files.exists(indexPath) else {
            let missing = [Files.isDirectory(repoPath) ? nil : repoName, Files.exists(indexPath) ? nil : indexName]
                .compactMap { $0 }.joined(separator: " and ")
            throw EvolveError(
                .notAnArchive, "\(path) is not an evolve archive: \(missing) missing",
                hint: "an archive holds repo.git and index.sqlite; create one with `evolve init --seed DIR`")
        }
        let git: GitRepository
        do {
            git = try GitRepository.openBare(at: repoPath)
        } catch let error as EvolveError {
            throw EvolveError(.notAnArchive, "\(repoPath) is not a readable git repository (\(error.message))")
        }
        let db = try SQLiteDatabase(path: indexPath, create: false)
        let archive = Archive(path: path, git: git, db: db)
        try Schema.verify(db, path: indexPath)
        if repair {
            try archive.claimWriting(for: "search")
            try archive.finishInterruptedChildren()
        }
        return archive
    }

    // MARK: - Recording children

    /// Records a new variant whose source is `tree` (a tree id already in the repository).
    ///
    /// Writes the commit (parents = the parents' commits, trailers = the metadata), the index row, and
    /// the ref `refs/variants/<id>`, in that order; returns the recorded variant.
    ///
    /// A tree that is unsafe to check out (see `treeProblems(_:)`) is never recorded as a valid or
    /// pending variant: the child becomes invalid, with the problem as its reason, and keeps its first
    /// parent's tree like every invalid child. Without a parent there is nothing to keep: that throws.
    @discardableResult
    public func record(parents: [VariantID], tree: String, metadata: VariantMetadata, time: Date = Date()) throws
        -> Variant
    {
        try locked {
            guard var treeOID = GitOID(hex: tree), git.contains(treeOID) else {
                throw EvolveError(.notFound, "the tree \(tree) is not in the archive's repository")
            }
            let parentVariants = try parents.map { try self.variant($0) }
            var tree = tree
            var metadata = metadata
            if metadata.status != .invalid, let reason = try unsafeTreeReason(tree) {
                guard let parent = parentVariants.first, let parentTree = GitOID(hex: parent.tree) else {
                    throw EvolveError(
                        .invalidInput, "refusing to record the tree \(tree.prefix(12)): \(reason)",
                        hint: "a variant's tree must be safe to check out")
                }
                metadata.status = .invalid
                metadata.reason = reason
                tree = parent.tree
                treeOID = parentTree
            }
            let recorded: Variant = try db.transaction {
                let number = try db.first("SELECT COALESCE(MAX(num) + 1, 0) FROM variants") { $0.int(0) } ?? 0
                let id = VariantID(number)
                let message = Self.commitMessage(id: id, parents: parents, metadata: metadata)
                let commit = try git.writeCommit(
                    tree: treeOID, parents: parentVariants.map { GitOID(hex: $0.commit)! }, message: message, time: time
                )
                let variant = Variant(
                    id: id, commit: commit.hex, tree: tree, parents: parents, generation: metadata.generation,
                    operator: metadata.operator, run: metadata.run, status: metadata.status, reason: metadata.reason,
                    score: metadata.score, summary: metadata.summary, model: metadata.model,
                    costUSD: metadata.costUSD, createdAt: time.timeIntervalSince1970, slot: metadata.slot,
                    details: metadata.details)
                try insert(variant)
                return variant
            }
            try git.setReference(recorded.id.refName, to: GitOID(hex: recorded.commit)!, log: "evolve: \(recorded.id)")
            try db.run("UPDATE variants SET ref_written = 1 WHERE num = ?", recorded.id.number)
            return recorded
        }
    }

    /// Records a child whose source is the parent's tree with `patch` (a unified diff) applied by libgit2.
    @discardableResult
    public func record(parent: VariantID, patch: String, metadata: VariantMetadata) throws -> Variant {
        try locked {
            let base = try variant(parent)
            let tree = try git.apply(patch: patch, to: GitOID(hex: base.tree)!)
            return try record(parents: [parent], tree: tree.hex, metadata: metadata)
        }
    }

    /// What makes a tree unsafe to write into a folder (names git refuses, duplicate names, a link that
    /// leads out of the folder, bad modes, missing objects…); empty when it is safe.
    public func treeProblems(_ tree: String) throws -> [TreeProblem] {
        try locked {
            guard let oid = GitOID(hex: tree) else { throw EvolveError(.invalidInput, "bad tree id \(tree)") }
            return try TreeInspector(store: git).problems(ofTree: oid.hex)
        }
    }

    /// The invalid-child reason for an unsafe tree (`unsafe tree: <path>: <problem>`), or nil when it is safe.
    public func unsafeTreeReason(_ tree: String) throws -> String? {
        let problems = try treeProblems(tree)
        guard let first = problems.first else { return nil }
        return "unsafe tree: \(first)" + (problems.count > 1 ? " (and \(problems.count - 1) more)" : "")
    }

    /// Stores a folder's files as a tree in the repository (for operators that produce whole folders).
    public func writeTree(fromDirectory directory: String) throws -> String {
        try locked { try git.writeTree(fromDirectory: directory).tree.hex }
    }

    /// Stores `base` with files written or removed, without touching the disk; returns the new tree id.
    public func writeTree(base: String, changes: [String: FileChange]) throws -> String {
        try locked {
            guard let oid = GitOID(hex: base) else { throw EvolveError(.invalidInput, "bad tree id \(base)") }
            return try git.updateTree(oid, changes: changes).hex
        }
    }

    /// Whether a file exists at `path` in a tree.
    public func treeContains(_ tree: String, path: String) throws -> Bool {
        try locked {
            guard let oid = GitOID(hex: tree) else { throw EvolveError(.invalidInput, "bad tree id \(tree)") }
            return try git.treeContains(oid, path: path)
        }
    }

    /// Packs refs and, when `git` is installed, loose objects (`git repack -d`): a finished run takes a
    /// fraction of the disk and lookups stay fast. Safe to interrupt; nothing is removed that a ref reaches.
    public func compact() throws {
        try locked { try git.packReferences() }
        let repack = Spawn.command("/usr/bin/git", ["--git-dir", path + "/" + Self.repoName, "repack", "-d", "-q"])
        _ = try? repack.run(errorOutput: .discarded)
    }

    /// Applies a unified diff to a tree and stores the result; returns the new tree id.
    public func applyPatch(_ patch: String, toTree tree: String) throws -> String {
        try locked {
            guard let oid = GitOID(hex: tree) else { throw EvolveError(.invalidInput, "bad tree id \(tree)") }
            return try git.apply(patch: patch, to: oid).hex
        }
    }

    /// A three-way merge of two variants: the merged tree, or the conflicting paths.
    public func merge(_ a: VariantID, _ b: VariantID) throws -> Result<String, MergeConflict> {
        try locked {
            let va = try variant(a)
            let vb = try variant(b)
            return try git.merge(GitOID(hex: va.commit)!, GitOID(hex: vb.commit)!).map(\.hex)
        }
    }

    /// Stores bytes content-addressed in the repository; returns the blob id.
    public func storeBlob(_ text: String) throws -> String {
        try locked { try git.writeBlob(Array(text.utf8)).hex }
    }

    /// Reads a blob stored with `storeBlob`.
    public func blob(_ id: String) throws -> String {
        try locked {
            guard let oid = GitOID(hex: id) else { throw EvolveError(.invalidInput, "bad blob id \(id)") }
            return String(decoding: try git.blobBytes(oid), as: UTF8.self)
        }
    }

    static func commitMessage(id: VariantID, parents: [VariantID], metadata: VariantMetadata) -> String {
        let summary =
            metadata.summary.split(separator: "\n", omittingEmptySubsequences: false).first
            .map(String.init) ?? ""
        var lines = [summary.isEmpty ? "variant \(id)" : summary, ""]
        lines.append("Variant: \(id)")
        lines.append("Generation: \(metadata.generation)")
        if let run = metadata.run { lines.append("Run: \(run)") }
        lines.append("Operator: \(metadata.operator)")
        if !parents.isEmpty { lines.append("Parents: \(parents.map(\.description).joined(separator: " "))") }
        if let model = metadata.model { lines.append("Model: \(model)") }
        if let slot = metadata.slot { lines.append("Slot: \(slot)") }
        lines.append("Status: \(metadata.status.rawValue)")
        if let reason = metadata.reason {
            lines.append("Reason: \(reason.replacingOccurrences(of: "\n", with: " ").prefix(300))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func insert(_ v: Variant) throws {
        try db.run(
            """
            INSERT INTO variants (num, commit_id, tree_id, generation, operator, run_id, status, reason, score,
                                  summary, model, cost_usd, created_at, ref_written, slot, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """,
            v.id.number, v.commit, v.tree, v.generation, v.operator, v.run, v.status.rawValue, v.reason, v.score,
            v.summary, v.model, v.costUSD, v.createdAt, v.slot, v.details)
        for (position, parent) in v.parents.enumerated() {
            try db.run(
                "INSERT INTO variant_parents (child, parent, position) VALUES (?, ?, ?)",
                v.id.number, parent.number, position)
        }
    }

    /// Writes the refs of children whose index row was committed but whose ref a crash left unwritten.
    ///
    /// A writer killed while it wrote a ref leaves that ref's lock file, which would refuse every later write
    /// of it (and, for `packed-refs.lock`, every later `compact()`). Those locks are removed first: only the
    /// search writes a child's ref, once, and packs the refs at its end.
    func finishInterruptedChildren() throws {
        try locked {
            unlink("\(path)/\(Self.repoName)/packed-refs.lock")
            let pending = try db.rows("SELECT num, commit_id FROM variants WHERE ref_written = 0") {
                (VariantID($0.int(0)), $0.string(1))
            }
            for (id, commit) in pending {
                unlink("\(path)/\(Self.repoName)/\(id.refName).lock")
                guard let oid = GitOID(hex: commit), git.contains(oid) else {
                    throw EvolveError(
                        .corrupt, "the index lists \(id) as commit \(commit), which the repository does not hold",
                        hint: "run `evolve doctor` for a full report")
                }
                try git.setReference(id.refName, to: oid, force: true, log: "evolve: finish \(id) after a crash")
                try db.run("UPDATE variants SET ref_written = 1 WHERE num = ?", id.number)
            }
        }
    }
}
