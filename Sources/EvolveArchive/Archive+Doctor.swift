import EvolveSupport
import Foundation

/// What `evolve doctor` found.
public struct DoctorReport: Sendable {
    public var variants = 0
    /// How many git objects were read and checked.
    public var objects = 0
    public var problems: [String] = []
    /// Variants whose tree is unsafe to check out; reported, never deleted, not even by `--repair`.
    public var unsafeVariants: [String] = []
    public var repaired: [String] = []
    public var isHealthy: Bool { problems.count == repaired.count }
}

extension Archive {
    /// Checks the index against the repository: SQLite's integrity check, every variant's ref and commit,
    /// and refs the index does not know; then every git object as `git fsck` would and every variant's
    /// tree as a checkout would (`checkObjects`). With `repair`, restores missing refs from the index and
    /// adds index rows for refs it lacks (metadata from the commit trailers), once no other process writes
    /// the archive (`claimWriting`); unsafe variants are only reported.
    public func doctor(repair: Bool) throws -> DoctorReport {
        if repair { try claimWriting(for: "doctor --repair") }
        return try locked {
            var report = DoctorReport()
            let integrity = try db.rows("PRAGMA integrity_check") { $0.string(0) }
            if integrity != ["ok"] {
                report.problems.append("index.sqlite integrity: " + integrity.prefix(5).joined(separator: "; "))
            }
            let variants = try allVariants()
            report.variants = variants.count
            let refs = Dictionary(
                try git.references(matching: "refs/variants/*").map { ($0.name, $0.target.hex) },
                uniquingKeysWith: { a, _ in a })
            for v in variants {
                guard let commit = GitOID(hex: v.commit), git.contains(commit) else {
                    report.problems.append("\(v.id): its commit \(v.commit.prefix(12)) is not in repo.git")
                    continue
                }
                switch refs[v.id.refName] {
                case nil:
                    report.problems.append("\(v.id): the ref \(v.id.refName) is missing")
                    if repair {
                        try git.setReference(v.id.refName, to: commit, force: true, log: "evolve doctor")
                        report.repaired.append("restored \(v.id.refName)")
                    }
                case let target? where target != v.commit:
                    report.problems.append(
                        "\(v.id): \(v.id.refName) points at \(target.prefix(12)), not \(v.commit.prefix(12))")
                    if repair {
                        try git.setReference(v.id.refName, to: commit, force: true, log: "evolve doctor")
                        report.repaired.append("moved \(v.id.refName) back to \(v.commit.prefix(12))")
                    }
                default: break
                }
            }
            let known = Set(variants.map(\.id.refName))
            for (name, target) in refs.sorted(by: { $0.key < $1.key }) where !known.contains(name) {
                report.problems.append("\(name) (\(target.prefix(12))) has no row in the index")
                if repair {
                    try restoreRow(ref: name, commit: target)
                    report.repaired.append("indexed \(name) from its commit")
                }
            }
            try checkObjects(into: &report)
            return report
        }
    }

    /// Adds an index row for a variant from its ref and commit trailers.
    private func restoreRow(ref: String, commit: String) throws {
        guard let id = VariantID(parsing: String(ref.dropFirst("refs/variants/".count))), let oid = GitOID(hex: commit)
        else { throw EvolveError(.corrupt, "\(ref) does not name a variant") }
        let message = try git.message(ofCommit: oid)
        let trailers = Self.trailers(of: message)
        let parents = (trailers["Parents"] ?? "").split(separator: " ").compactMap { VariantID(parsing: String($0)) }
        let tree = try git.treeOfCommit(oid)
        let time = try git.time(ofCommit: oid)
        try db.transaction {
            try db.run(
                """
                INSERT INTO variants (num, commit_id, tree_id, generation, operator, run_id, status, reason, score,
                                      summary, model, cost_usd, created_at, ref_written, slot)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, ?, 1, ?)
                """,
                id.number, commit, tree.hex, Int(trailers["Generation"] ?? "") ?? 0, trailers["Operator"] ?? "unknown",
                trailers["Run"], trailers["Status"] == "invalid" ? "invalid" : "pending", trailers["Reason"],
                String(message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""),
                trailers["Model"], time, Int(trailers["Slot"] ?? ""))
            for (position, parent) in parents.enumerated() {
                try db.run(
                    "INSERT INTO variant_parents (child, parent, position) VALUES (?, ?, ?)", id.number,
                    parent.number, position)
            }
        }
    }

    /// `Key: value` lines of a commit message.
    static func trailers(of message: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in message.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter }) else { continue }
            result[String(key)] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    /// Rebuilds `index.sqlite` from `repo.git`: the damaged file is kept beside it, every variant is
    /// re-indexed from its ref and commit trailers. Scores and outcomes are not in git: re-evaluate.
    public static func rebuildIndex(at path: String) throws -> Int {
        let path = Files.absolute(path)
        let indexPath = path + "/" + indexName
        let git = try GitRepository.openBare(at: path + "/" + repoName)
        let claim = try WriterLock.claim(path, for: "doctor --rebuild-index")
        defer { withExtendedLifetime(claim) {} }
        if Files.exists(indexPath) {
            let aside = indexPath + ".damaged-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where Files.exists(indexPath + suffix) {
                try FileManager.default.moveItem(atPath: indexPath + suffix, toPath: aside + suffix)
            }
        }
        let db = try SQLiteDatabase(path: indexPath, create: true)
        try Schema.create(db)
        let archive = Archive(path: path, git: git, db: db)
        let refs = try git.references(matching: "refs/variants/*")
            .compactMap { ref -> (VariantID, String)? in
                VariantID(parsing: String(ref.name.dropFirst("refs/variants/".count))).map { ($0, ref.target.hex) }
            }
            .sorted { $0.0 < $1.0 }
        for (id, commit) in refs { try archive.restoreRow(ref: id.refName, commit: commit) }
        return refs.count
    }
}
