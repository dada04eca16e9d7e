import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// Pages of variants sorted and cut in SQL (`evolve list --sort --limit --offset`) against the same
/// order computed in memory from every variant.
@Suite struct VariantPagingTests {
    /// The branching archive with scores (ties included), one variant invalid and one not evaluated.
    static func scoredArchive(_ scratch: Scratch) throws -> Archive {
        let archive = try makeBranchingArchive(in: scratch)
        let scores: [Int: Double] = [0: 0.2, 1: 0.5, 2: 0.5, 3: 0.9, 5: 0.1, 6: 0.5]
        for (n, score) in scores { try archive.setScore(VariantID(n), score: score, status: .valid) }
        try archive.setScore(VariantID(4), score: nil, status: .invalid)
        return archive
    }

    static func byScore(_ variants: [Variant]) -> [VariantID] {
        variants.sorted { ($0.score ?? -1, -$0.id.number) > ($1.score ?? -1, -$1.id.number) }.map(\.id)
    }

    @Test func pagesByScoreFollowTheInMemoryOrder() throws {
        let scratch = try Scratch()
        let archive = try Self.scoredArchive(scratch)
        let all = try archive.allVariants()
        let expected = Self.byScore(all)
        #expect(expected.first == VariantID(3))
        var paged: [VariantID] = []
        for offset in stride(from: 0, to: all.count, by: 3) {
            paged += try archive.variants(order: .score, limit: 3, offset: offset).map(\.id)
        }
        #expect(paged == expected)
        #expect(try archive.variants(order: .score).map(\.id) == expected)
        #expect(try archive.variants(order: .score, limit: 2, offset: all.count).isEmpty)
    }

    @Test func aPageCarriesParentsAndFilters() throws {
        let scratch = try Scratch()
        let archive = try Self.scoredArchive(scratch)
        let all = try archive.allVariants()
        // Parents as the full read gives them, two-parent merge included, on short and long pages.
        #expect(try archive.variants(order: .id, limit: 3, offset: 6).map(\.parents) == all[6...].map(\.parents))
        #expect(try archive.variants(order: .id, offset: 6).map(\.parents) == all[6...].map(\.parents))
        #expect(try archive.variants(order: .id, limit: 3, offset: 6).last?.parents == [VariantID(4), VariantID(5)])
        let valid = try archive.variants(order: .id, validOnly: true).map(\.id)
        #expect(valid == all.filter { $0.status != .invalid }.map(\.id))
        #expect(!valid.contains(VariantID(4)))
        // Scored only: the evaluated valid ones, best first.
        let best = try archive.variants(order: .score, scoredOnly: true).map(\.id)
        #expect(best == Self.byScore(all.filter { $0.status == .valid && $0.score != nil }))
        #expect(!best.contains(VariantID(7)))
    }

    @Test func aLineageCutAtADepthReadsOnlyTheLevelsItShows() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        let full = try archive.lineage(of: VariantID(0))
        for depth in 0...3 {
            let cut = try archive.lineage(of: VariantID(0), levels: depth + 1)
            #expect(cut.renderText(maxDepth: depth) == full.renderText(maxDepth: depth), "depth \(depth)")
        }
        // Two levels below v0: v1, v2 and their children v3, v4, v5; not v6 or v7.
        #expect(Set(try archive.lineage(of: VariantID(0), levels: 2).nodes.keys) == Set((0...5).map(VariantID.init)))
        #expect(full.renderText(maxDepth: 1).contains("more below"))
    }
}
