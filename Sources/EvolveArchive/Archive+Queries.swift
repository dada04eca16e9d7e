import EvolveSupport
import Foundation

// MARK: - Reading variants

extension Archive {
    static let variantColumns = """
        num, commit_id, tree_id, generation, operator, run_id, status, reason, score, summary, model, cost_usd,
        created_at, slot, details, (SELECT group_concat(parent, ' ') FROM (SELECT parent FROM variant_parents
                     WHERE child = variants.num ORDER BY position))
        """

    static func variant(from row: SQLiteRow) -> Variant {
        let parents =
            row.optionalString(15).map {
                $0.split(separator: " ").compactMap { Int($0) }.map(VariantID.init)
            } ?? []
        return Variant(
            id: VariantID(row.int(0)), commit: row.string(1), tree: row.string(2), parents: parents,
            generation: row.int(3), operator: row.string(4), run: row.optionalString(5),
            status: VariantStatus(rawValue: row.string(6)) ?? .invalid, reason: row.optionalString(7),
            score: row.optionalDouble(8), summary: row.string(9), model: row.optionalString(10),
            costUSD: row.double(11), createdAt: row.double(12), slot: row.optionalInt(13),
            details: row.optionalString(14))
    }

    /// The variant with this id.
    public func variant(_ id: VariantID) throws -> Variant {
        try locked {
            guard
                let found = try db.first(
                    "SELECT \(Self.variantColumns) FROM variants WHERE num = ?", [id.number],
                    Self.variant(from:))
            else {
                throw EvolveError(
                    .notFound, "there is no variant \(id) in \(path)",
                    hint: "`evolve list` shows the variants there are")
            }
            return found
        }
    }

    /// Finds a variant by id (`v12`, `12`) or by a prefix of its commit (at least 4 hex characters).
    /// An input that could be both, or a prefix shared by several commits, is an error that lists them.
    public func resolve(_ text: String) throws -> Variant {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !text.isEmpty else { throw EvolveError(.usage, "an empty variant id") }
        return try locked {
            var matches: [Variant] = []
            if let id = VariantID(parsing: text),
                let byID = try db.first(
                    "SELECT \(Self.variantColumns) FROM variants WHERE num = ?", [id.number],
                    Self.variant(from:))
            {
                matches.append(byID)
            }
            let isHex = text.count >= 4 && text.count <= 40 && text.allSatisfy(\.isHexDigit)
            if isHex {
                let upper = text + "g"  // every hex digit sorts below "g": [text, text+"g") is the prefix range
                let byCommit = try db.rows(
                    "SELECT \(Self.variantColumns) FROM variants WHERE commit_id >= ? AND commit_id < ? LIMIT 6",
                    [text, upper], Self.variant(from:))
                for v in byCommit where !matches.contains(where: { $0.id == v.id }) { matches.append(v) }
            }
            switch matches.count {
            case 1:
                return matches[0]
            case 0:
                let what = VariantID(parsing: text) != nil ? "variant id" : (isHex ? "commit prefix" : "id")
                var hint = "ids look like v12; a commit prefix needs at least 4 hex characters"
                if let count = try? variantCount() { hint += "; this archive has v0…v\(max(count - 1, 0))" }
                throw EvolveError(.notFound, "no variant matches the \(what) '\(text)'", hint: hint)
            default:
                let listed = matches.prefix(5).map { "\($0.id) (\($0.commit.prefix(12)))" }.joined(separator: ", ")
                throw EvolveError(
                    .ambiguous, "'\(text)' is ambiguous: it matches \(listed)",
                    hint: "use the v-id, or a longer commit prefix")
            }
        }
    }

    /// The variant columns without the per-row parents subquery (for reading many rows at once).
    static let variantColumnsWithoutParents = """
        num, commit_id, tree_id, generation, operator, run_id, status, reason, score, summary, model, cost_usd,
        created_at, slot, details, NULL
        """

    /// Every variant, in id order. Parents come from one pass over `variant_parents`, not a query per row.
    public func allVariants() throws -> [Variant] {
        try locked {
            var parents: [Int: [VariantID]] = [:]
            try db.query("SELECT child, parent FROM variant_parents ORDER BY child, position") {
                parents[$0.int(0), default: []].append(VariantID($0.int(1)))
            }
            var variants = try db.rows(
                "SELECT \(Self.variantColumnsWithoutParents) FROM variants ORDER BY num", [],
                Self.variant(from:))
            for i in variants.indices { variants[i].parents = parents[variants[i].id.number] ?? [] }
            return variants
        }
    }

    /// The number of variants.
    public func variantCount() throws -> Int {
        try locked { try db.first("SELECT count(*) FROM variants") { $0.int(0) } ?? 0 }
    }

    /// The ids of the direct children of a variant.
    public func children(of id: VariantID) throws -> [VariantID] {
        try locked {
            try db.rows("SELECT child FROM variant_parents WHERE parent = ? ORDER BY child", [id.number]) {
                VariantID($0.int(0))
            }
        }
    }

    /// The variants recorded with this tree (duplicates share a tree).
    public func variants(withTree tree: String) throws -> [Variant] {
        try locked {
            try db.rows(
                "SELECT \(Self.variantColumns) FROM variants WHERE tree_id = ? ORDER BY num", [tree],
                Self.variant(from:))
        }
    }

    /// Updates a variant's score and status after evaluation.
    public func setScore(_ id: VariantID, score: Double?, status: VariantStatus) throws {
        try locked {
            let changed = try db.run(
                "UPDATE variants SET score = ?, status = ? WHERE num = ?", score, status.rawValue,
                id.number)
            guard changed == 1 else { throw EvolveError(.notFound, "there is no variant \(id) to score") }
        }
    }

    /// Adds to a variant's recorded cost (LLM calls made for it).
    public func addCost(_ id: VariantID, usd: Double) throws {
        try locked { _ = try db.run("UPDATE variants SET cost_usd = cost_usd + ? WHERE num = ?", usd, id.number) }
    }

    // MARK: - Source

    /// Checks that the variant's ref exists and points at its commit; a missing ref is an error that says
    /// how to restore it.
    public func verifyReference(_ v: Variant) throws {
        try locked {
            let target = try git.resolveReference(v.id.refName)
            guard let target else {
                throw EvolveError(
                    .corrupt, "the ref \(v.id.refName) of \(v.id) is missing from \(path)/repo.git",
                    hint: "`evolve doctor --repair` restores it from the index (commit \(v.commit.prefix(12)))")
            }
            guard target.hex == v.commit else {
                throw EvolveError(
                    .corrupt,
                    "the ref \(v.id.refName) points at \(target.hex.prefix(12)), the index says "
                        + "\(v.commit.prefix(12))",
                    hint: "`evolve doctor` reports every such mismatch")
            }
        }
    }

    /// Writes exactly the variant's tree into `directory`: afterwards the folder's git tree hash equals the
    /// commit's tree. The folder may be missing or empty; a non-empty one needs `force` (then it is
    /// emptied first). A file at that path is refused, and so is a tree that could write outside the folder
    /// (see `treeProblems(_:)`): files are created relative to their folder's descriptor, never following
    /// a link.
    public func checkout(_ id: VariantID, into directory: String, force: Bool = false) throws {
        let directory = Files.absolute(directory)
        let v = try variant(id)
        try verifyReference(v)
        let problems = try treeProblems(v.tree)
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
            throw EvolveError(
                .corrupt, "refusing to check out \(v.id): its tree is unsafe to write: \(first)\(more)",
                hint: "nothing was written to \(directory). The variant is hostile or damaged; "
                    + "`evolve doctor` lists every such variant. Check out another one")
        }
        if Files.exists(directory) {
            guard Files.isDirectory(directory) else {
                throw EvolveError(.invalidInput, "\(directory) is a file; checkout writes into a folder")
            }
            let entries = Files.entries(directory) ?? []
            if !entries.isEmpty {
                guard force else {
                    throw EvolveError(
                        .alreadyExists, "\(directory) is not empty (\(entries.count) entries)",
                        hint: "pick an empty or new folder, or pass --force to replace its contents")
                }
                for entry in entries { try FileManager.default.removeItem(atPath: directory + "/" + entry) }
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw EvolveError(.io, "cannot make \(directory): \(error.localizedDescription)")
            }
        }
        try locked { try git.materialize(tree: GitOID(hex: v.tree)!, into: directory) }
    }

    /// The git tree id that a folder would have if committed (the same rules as `init`).
    public func treeHash(ofDirectory directory: String) throws -> String {
        try writeTree(fromDirectory: directory)
    }

    /// The unified diff from the variant's first parent (or from nothing, for the seed) to the variant.
    public func diff(_ id: VariantID, against other: VariantID? = nil) throws -> String {
        let v = try variant(id)
        let base = try (other ?? v.parents.first).map { try variant($0).tree }
        return try locked { try git.diff(from: base.flatMap(GitOID.init(hex:)), to: GitOID(hex: v.tree)!) }
    }

    /// The files of a variant's tree (path → contents), for prompts; files over `maxBytes` are skipped.
    public func files(of id: VariantID, maxBytes: Int = 256 * 1024) throws -> [(path: String, contents: String)] {
        let directory = try Files.makeTemporaryDirectory(prefix: "evolve-files")
        defer { Files.removeTree(directory) }
        try locked { try git.materialize(tree: GitOID(hex: try variant(id).tree)!, into: directory) }
        var result: [(String, String)] = []
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            let full = directory + "/" + relative
            guard !Files.isDirectory(full), let data = FileManager.default.contents(atPath: full),
                data.count <= maxBytes
            else { continue }
            result.append((relative, String(decoding: data, as: UTF8.self)))
        }
        return result.sorted { $0.0 < $1.0 }
    }
}
