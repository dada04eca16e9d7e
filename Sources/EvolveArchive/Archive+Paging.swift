import EvolveSupport
import Foundation

/// The order of a page of variants.
public enum VariantOrder: String, Sendable, CaseIterable {
    /// Oldest first.
    case id
    /// Best score first (not evaluated last), ties to the older.
    case score
}

extension Archive {
    /// One page of variants, sorted and cut in SQL: only the rows asked for are read (with their parents).
    /// With `limit` nil, every variant from `offset` on. `validOnly` leaves out invalid children;
    /// `scoredOnly` leaves out every variant without a score (for "the best variants").
    public func variants(
        order: VariantOrder, validOnly: Bool = false, scoredOnly: Bool = false, limit: Int? = nil,
        offset: Int = 0
    ) throws -> [Variant] {
        var conditions: [String] = []
        if validOnly { conditions.append("status != '\(VariantStatus.invalid.rawValue)'") }
        if scoredOnly { conditions.append("status = '\(VariantStatus.valid.rawValue)' AND score IS NOT NULL") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sort = order == .id ? "ORDER BY num" : "ORDER BY coalesce(score, -1) DESC, num ASC"
        // SQLite reads LIMIT -1 as "no limit".
        let page = "LIMIT ? OFFSET ?"
        let arguments: [SQLBindable] = [limit ?? -1, max(0, offset)]
        return try locked {
            guard let limit, limit <= 2000 else {
                // A long page: parents from one pass over the parents table, not a subquery per row.
                var variants = try db.rows(
                    "SELECT \(Self.variantColumnsWithoutParents) FROM variants \(filter) \(sort) \(page)", arguments,
                    Self.variant(from:))
                guard !variants.isEmpty else { return variants }
                var parents: [Int: [VariantID]] = [:]
                let low = variants.map(\.id.number).min()!
                let high = variants.map(\.id.number).max()!
                try db.query(
                    "SELECT child, parent FROM variant_parents WHERE child BETWEEN ? AND ? ORDER BY child, position",
                    [low, high]
                ) { parents[$0.int(0), default: []].append(VariantID($0.int(1))) }
                for i in variants.indices { variants[i].parents = parents[variants[i].id.number] ?? [] }
                return variants
            }
            return try db.rows(
                "SELECT \(Self.variantColumns) FROM variants \(filter) \(sort) \(page)", arguments,
                Self.variant(from:))
        }
    }
}

// MARK: - Ranking

extension Variant {
    /// Whether `a` ranks above `b` among the best variants: the higher score first (a variant without one
    /// counts as -1), the older (lower id) on a tie. `VariantOrder.score` sorts the same way in SQL.
    public static func ranksAbove(_ a: Variant, _ b: Variant) -> Bool {
        let sa = a.score ?? -1
        let sb = b.score ?? -1
        return sa != sb ? sa > sb : a.id < b.id
    }
}

extension Sequence where Element == Variant {
    /// The evaluated, valid variants among these, best first: the order of `Archive.bestVariants(limit:)`,
    /// for variants already in memory.
    public func ranked() -> [Variant] {
        filter { $0.status == .valid && $0.score != nil }.sorted(by: Variant.ranksAbove)
    }
}

extension Archive {
    /// The evaluated, valid variants of the archive, best first (ties to the older); all of them when `limit`
    /// is nil.
    public func bestVariants(limit: Int? = nil) throws -> [Variant] {
        try variants(order: .score, scoredOnly: true, limit: limit)
    }
}
