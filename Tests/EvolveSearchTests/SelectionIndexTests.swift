import EvolveArchive
import EvolveSupport
import Foundation
import Testing

@testable import EvolveSearch

/// The structures a candidate pool keeps for its selector against the linear computations they replace,
/// over seeded random inserts, updates and removals.
@Suite struct SelectionIndexTests {
    /// Random leaves set, changed and zeroed in a growing tree, against a plain array of weights.
    @Test func theTreeOfSumsDrawsWhatTheListScanDraws() {
        var rng = SeededGenerator(seed: 21)
        var tree = WeightTree()
        var list: [Double] = []
        var compared = 0
        for step in 0..<3000 {
            let leaf = Int(rng.next() % UInt64(min(40 + step, 1500)))
            let weight = rng.next() % 5 == 0 ? 0 : rng.unit() * 3
            if leaf >= list.count { list += [Double](repeating: 0, count: leaf + 1 - list.count) }
            list[leaf] = weight
            tree.set(leaf, weight)
            guard step % 50 == 0 else { continue }
            let total = list.reduce(0, +)
            #expect(abs(tree.total - total) <= 1e-9 * total)
            for _ in 0..<40 {
                let target = rng.unit() * tree.total
                // The list's scan, as `weightedIndex` does it (targets within rounding of a boundary skipped).
                var rest = target
                var linear = list.lastIndex { $0 > 0 } ?? 0
                var nearBoundary = false
                for (i, w) in list.enumerated() {
                    rest -= w
                    if abs(rest) < 1e-9 { nearBoundary = true }
                    if rest < 0 {
                        linear = i
                        break
                    }
                }
                guard !nearBoundary else { continue }
                #expect(tree.leaf(at: target) == linear)
                compared += 1
            }
        }
        #expect(compared > 2000)
    }

    /// The same weights reached in another order (as a resumed run rebuilds them) give the same sums.
    @Test func theSumsDependOnTheWeightsAloneNotOnTheirHistory() {
        var rng = SeededGenerator(seed: 4)
        var grown = WeightTree()
        var weights: [Double] = Array(repeating: 0, count: 700)
        for _ in 0..<5000 {
            let leaf = Int(rng.next() % 700)
            weights[leaf] = rng.unit()
            grown.set(leaf, weights[leaf])
        }
        var fresh = WeightTree()
        for leaf in weights.indices.reversed() { fresh.set(leaf, weights[leaf]) }
        #expect(fresh.total.bitPattern == grown.total.bitPattern)
        for _ in 0..<500 {
            let target = rng.unit() * fresh.total
            #expect(fresh.leaf(at: target) == grown.leaf(at: target))
        }
    }

    /// Greedy's best: the highest score, ties to the highest number, as `GreedySelector` picks it.
    @Test func theTreeOfMaximaKeepsGreedysBest() {
        var rng = SeededGenerator(seed: 8)
        var tree = BestTree()
        var scores: [Int: Double] = [:]
        for _ in 0..<4000 {
            let leaf = Int(rng.next() % 900)
            let score: Double? = rng.next() % 6 == 0 ? nil : Double(rng.next() % 7) / 6
            scores[leaf] = score
            tree.set(leaf, score)
            let linear = scores.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key
            #expect(tree.top == linear)
        }
    }

    /// Random, greedy and DGM through the index draw what the selectors draw on the list.
    @Test func indexedDrawsAreTheListsDraws() throws {
        var rng = SeededGenerator(seed: 17)
        var candidates: [Candidate] = []
        for n in 0..<400 where rng.next() % 4 != 0 {
            candidates.append(
                Candidate(id: VariantID(n), score: Double(rng.next() % 11) / 10, children: Int(rng.next() % 4)))
        }
        for selector in [RandomSelector(), GreedySelector(), DGMSelector()] as [any ParentSelector] {
            var index = try #require(SelectionIndex(for: selector))
            for c in candidates { index.update(c.id.number, c) }
            var a = SeededGenerator(seed: 3, 1)
            var b = SeededGenerator(seed: 3, 1)
            #expect(
                index.select(count: 300, pool: candidates, rng: &a)
                    == selector.select(candidates, count: 300, rng: &b), "\(selector.name)")
        }
        #expect(SelectionIndex(for: NoveltySelector()) == nil)
    }

    /// HGM's grouped draw against a θ for every candidate: the same winning frequencies (seeded, so the test
    /// always sees the same numbers), both with every candidate drawing and with groups settled lazily.
    @Test(arguments: [4096, 0])
    func groupedThompsonDrawsFollowTheLinearDistribution(drawnDirectly: Int) {
        // A large group of leaves, a few small clades sharing counts, and concentrated large clades.
        var counts: [(Int, Int)] = Array(repeating: (3, 1), count: 20) + Array(repeating: (2, 2), count: 12)
        counts += [(6, 2), (6, 2), (1, 0), (40, 20), (45, 15), (200, 90), (9, 1)]
        let candidates = counts.enumerated().map { i, c in
            Candidate(id: VariantID(i * 3), score: 0, cladePasses: c.0, cladeFails: c.1)
        }
        var groups = CladeGroups(drawnDirectly: drawnDirectly)
        // Inserted out of order and moved once, as clades change in a run.
        for c in candidates.reversed() { groups.set(c.id.number, .init(passes: 0, fails: 0)) }
        for c in candidates { groups.set(c.id.number, .init(passes: c.cladePasses, fails: c.cladeFails)) }
        let draws = 20_000
        var linear: [Int: Int] = [:]
        var grouped: [Int: Int] = [:]
        var a = SeededGenerator(seed: 1, 2)
        var b = SeededGenerator(seed: 7, 2)
        for _ in 0..<draws {
            linear[HGMSelector().select(candidates, count: 1, rng: &a)[0].number, default: 0] += 1
            grouped[groups.draw(&b) ?? -1, default: 0] += 1
        }
        #expect(grouped[-1] == nil)
        // Per group of equal counts, and per member of the large group.
        func share(_ tally: [Int: Int], _ ids: [Int]) -> Double {
            Double(ids.reduce(0) { $0 + (tally[$1] ?? 0) }) / Double(draws)
        }
        var byCounts: [String: [Int]] = [:]
        for c in candidates { byCounts["\(c.cladePasses)/\(c.cladeFails)", default: []].append(c.id.number) }
        for (key, ids) in byCounts {
            let (p, q) = (share(linear, ids), share(grouped, ids))
            #expect(abs(p - q) < 0.02 + 4 * (p * (1 - p) / Double(draws)).squareRoot(), "counts \(key)")
        }
        let leaves = byCounts["3/1"]!
        let perLeaf = share(grouped, leaves) / Double(leaves.count)
        for id in leaves { #expect(abs(share(grouped, [id]) - perLeaf) < 0.012) }
    }

    /// The same groups reached in another order (a resumed run reads them afresh) draw the same winners,
    /// with groups settled lazily as at 100,000 candidates.
    @Test func groupedDrawsDependOnTheCandidatesNotOnTheirHistory() {
        var rng = SeededGenerator(seed: 12)
        var keys: [Int: CladeGroups.Key] = [:]
        var grown = CladeGroups(drawnDirectly: 0)
        for _ in 0..<3000 {
            let number = Int(rng.next() % 400)
            let size = Int(rng.next() % 6) + 1
            let passes = Int(rng.next() % UInt64(4 * size + 1))
            let key = rng.next() % 5 == 0 ? nil : CladeGroups.Key(passes: passes, fails: 4 * size - passes)
            keys[number] = key
            grown.set(number, key)
        }
        var fresh = CladeGroups(drawnDirectly: 0)
        for (number, key) in keys.sorted(by: { $0.key > $1.key }) { fresh.set(number, key) }
        for seed in 0..<300 {
            var a = SeededGenerator(seed: UInt64(seed), 4)
            var b = SeededGenerator(seed: UInt64(seed), 4)
            #expect(grown.draw(&a) == fresh.draw(&b))
        }
    }

    /// The sub-Gaussian bound the lazy draw prunes with is never below the Beta's tail.
    @Test func theTailBoundHolds() {
        for (a, b) in [(1.0, 1.0), (2.0, 9.0), (9.0, 2.0), (30.0, 12.0), (400.0, 390.0), (5000.0, 20.0)] {
            for step in 0...200 {
                let x = Double(step) / 200
                let gap = x - a / (a + b)
                guard gap > 0 else { continue }
                let bound = exp(-2 * (a + b + 1) * gap * gap)
                #expect(BetaFunction.tail(x, a, b) <= bound * (1 + 1e-9), "Beta(\(a), \(b)) at \(x)")
            }
        }
        // And the tail's inverse finds the point again.
        for tail in [0.9, 0.5, 1e-3, 1e-9] {
            let x = BetaFunction.quantileOfTail(tail, 7, 3)
            #expect(abs(BetaFunction.tail(x, 7, 3) - tail) <= 1e-9 * max(tail, 1e-6))
        }
    }
}
