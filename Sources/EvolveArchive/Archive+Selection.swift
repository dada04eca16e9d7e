import CSQLite
import EvolveSupport
import Foundation

/// What a search's candidate pool reads of one variant: where it sits in the tree, its tree and its
/// status, without the text (summary, reason, details) a listing shows.
public struct VariantOutline: Sendable, Equatable {
    public var id: VariantID
    public var tree: String
    public var status: VariantStatus
    /// All its parents, in order (the first is the one clades follow).
    public var parents: [VariantID]
    public var generation: Int
    public var slot: Int?

    public init(
        id: VariantID, tree: String, status: VariantStatus, parents: [VariantID], generation: Int, slot: Int?
    ) {
        (self.id, self.tree, self.status, self.parents, self.generation, self.slot) =
            (id, tree, status, parents, generation, slot)
    }

    /// The outline of a variant read in full.
    public init(_ v: Variant) {
        self.init(
            id: v.id, tree: v.tree, status: v.status, parents: v.parents, generation: v.generation, slot: v.slot)
    }
}

extension Archive {
    /// Every variant's outline, in id order: what `allVariants` reads, less the columns a selection never
    /// looks at (a search's start-up reads one per variant of the archive).
    public func variantOutlines() throws -> [VariantOutline] {
        try locked {
            var parents: [Int: [VariantID]] = [:]
            try db.query("SELECT child, parent FROM variant_parents ORDER BY child, position") {
                parents[$0.int(0), default: []].append(VariantID($0.int(1)))
            }
            return try db.rows("SELECT num, tree_id, status, generation, slot FROM variants ORDER BY num") { row in
                let id = row.int(0)
                return VariantOutline(
                    id: VariantID(id), tree: row.string(1),
                    status: VariantStatus(rawValue: row.string(2)) ?? .invalid, parents: parents[id] ?? [],
                    generation: row.int(3), slot: row.optionalInt(4))
            }
        }
    }

    /// The first-attempt outcomes on `suite` of every tree that has one (or of `tree` only), as rows over
    /// `tasks`: position i holds task i's outcome, 1 passed, 0 not passed, −1 not run (or not one of
    /// `tasks`). What `passMatrix` reads, with one string per tree rather than two per outcome, which is
    /// most of a search's start-up at 100,000 variants (1,000,000 outcomes).
    public func outcomeRows(suite: String, tasks: [String], tree: String? = nil) throws -> [String: [Int8]] {
        var positions: [String: [Int]] = [:]
        for (i, task) in tasks.enumerated() { positions[task, default: []].append(i) }
        return try locked {
            var rows: [String: [Int8]] = [:]
            var lastTree: [UInt8] = []
            var current: (key: String, row: [Int8])?
            var seen: [(name: [UInt8], positions: [Int])] = []
            var hint = 0
            func flush() {
                guard let (key, row) = current else { return }
                guard var known = rows[key] else {
                    rows[key] = row
                    return
                }
                // The tree's outcomes were not all together: merge.
                for i in row.indices where row[i] >= 0 { known[i] = row[i] }
                rows[key] = known
            }
            // One tree through the primary key; all of them in one pass over the table.
            let (sql, arguments): (String, [SQLBindable]) =
                if let tree {
                    (
                        "SELECT tree_id, task, status = 'passed' FROM evaluations WHERE tree_id = ? AND suite = ?"
                            + " AND attempt = 0", [tree, suite]
                    )
                } else {
                    (
                        "SELECT tree_id, task, status = 'passed' FROM evaluations WHERE suite = ? AND attempt = 0",
                        [suite]
                    )
                }
            try db.query(sql, arguments) { row in
                let same = row.withBytes(0) { bytes in
                    bytes.count == lastTree.count
                        && (bytes.isEmpty || memcmp(bytes.baseAddress!, lastTree, bytes.count) == 0)
                }
                if !same {
                    flush()
                    lastTree = row.withBytes(0) { Array($0) }
                    current = (String(decoding: lastTree, as: UTF8.self), [Int8](repeating: -1, count: tasks.count))
                }
                // A tree's tasks mostly come in the order the last tree's came: try the one after the last
                // match first, comparing bytes, before a string is made and looked up.
                let at = row.withBytes(1) { bytes -> [Int]? in
                    for step in 0..<min(seen.count, 2) {
                        let k = (hint + step) % seen.count
                        if seen[k].name.count == bytes.count
                            && (bytes.isEmpty || memcmp(bytes.baseAddress!, seen[k].name, bytes.count) == 0)
                        {
                            hint = k + 1
                            return seen[k].positions
                        }
                    }
                    let name = String(decoding: bytes, as: UTF8.self)
                    guard let found = positions[name] else { return nil }
                    if let k = seen.firstIndex(where: { $0.name.elementsEqual(name.utf8) }) {
                        hint = k + 1
                    } else {
                        seen.append((Array(name.utf8), found))
                        hint = seen.count
                    }
                    return found
                }
                guard let at else { return }
                let outcome: Int8 = row.int(2) == 0 ? 0 : 1
                for i in at { current!.row[i] = outcome }
            }
            flush()
            return rows
        }
    }
}
