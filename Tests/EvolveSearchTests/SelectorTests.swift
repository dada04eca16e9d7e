import EvolveArchive
import EvolveSupport
import Foundation
import Testing

@testable import EvolveSearch

/// A fixed archive of five candidates.
let fixed: [Candidate] = [
    Candidate(
        id: VariantID(0), score: 0.2, children: 3, outcomes: [true, true, false, false], cladePasses: 30, cladeFails: 50
    ),
    Candidate(
        id: VariantID(1), score: 0.5, children: 1, outcomes: [true, true, false, false], cladePasses: 12, cladeFails: 8),
    Candidate(
        id: VariantID(2), score: 0.5, children: 0, outcomes: [false, false, true, true], cladePasses: 2, cladeFails: 2),
    Candidate(
        id: VariantID(3), score: 0.8, children: 2, outcomes: [true, true, true, false], cladePasses: 9, cladeFails: 3),
    Candidate(
        id: VariantID(4), score: 0.8, children: 0, outcomes: [true, false, true, true], cladePasses: 3, cladeFails: 1),
]

func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Draw frequencies of a selector over many draws.
func frequencies(_ selector: any ParentSelector, _ candidates: [Candidate], draws: Int = 40_000, seed: UInt64 = 9)
    -> [VariantID: Double]
{
    var rng = SeededGenerator(seed: seed)
    var counts: [VariantID: Int] = [:]
    for id in selector.select(candidates, count: draws, rng: &rng) { counts[id, default: 0] += 1 }
    return counts.mapValues { Double($0) / Double(draws) }
}

@Suite struct SelectorTests {
    @Test func dgmWeightsAreTheFormula() {
        let weights = DGMSelector().weights(fixed)
        for (c, w) in zip(fixed, weights) {
            #expect(abs(w - sigmoid(10 * (c.score - 0.5)) / Double(1 + c.children)) < 1e-12)
        }
        // v4 (0.8, no children) outweighs v3 (0.8, two children) three to one.
        #expect(abs(weights[4] / weights[3] - 3) < 1e-12)
        let p = DGMSelector().probabilities(fixed)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        let f = frequencies(DGMSelector(), fixed)
        for (c, expected) in zip(fixed, p) { #expect(abs((f[c.id] ?? 0) - expected) < 0.01) }
    }

    @Test func noveltyOnKnownVectors() {
        let vectors: [[Bool]] = [[true, true, false, false], [true, true, false, false], [false, false, true, true]]
        #expect(Novelty.scores(vectors, k: 1) == [0, 0, 1])
        #expect(Novelty.scores(vectors, k: 2) == [0.5, 0.5, 1])
        #expect(Novelty.scores([[true, false]], k: 3) == [0])
        // Vectors longer than one 64-bit word.
        let long = (0..<3).map { i in (0..<130).map { ($0 + i) % 3 == 0 } }
        let scores = Novelty.scores(long, k: 1)
        let expected = Double(zip(long[0], long[1]).filter { $0 != $1 }.count) / 130
        #expect(abs(scores[0] - expected) < 1e-12)
    }

    @Test func noveltyInALargeArchiveUsesEvenlySpacedReferences() {
        // 3,001 vectors: two crowds and one outlier. Against 2,000 references the crowds stay at 0 and the
        // outlier is as far as it is from everyone.
        var vectors = (0..<3000).map { i in i % 2 == 0 ? [true, true, false, false] : [false, false, true, true] }
        vectors.append([true, false, true, false])
        let scores = Novelty.scores(vectors, k: 3)
        #expect(scores.count == 3001)
        #expect(scores[0] == 0 && scores[1] == 0 && scores[2999] == 0)
        #expect(scores[3000] == 0.5)
    }

    @Test func noveltyWeightIsDGMTimesOnePlusBetaNovelty() {
        let selector = NoveltySelector(k: 2, beta: 2.0)
        let novelty = Novelty.scores(fixed.map(\.outcomes), k: 2)
        for (i, w) in selector.weights(fixed).enumerated() {
            #expect(abs(w - DGMSelector.weight(fixed[i]) * (1 + 2.0 * novelty[i])) < 1e-12)
        }
        // v2 is the odd one out: its novelty is the largest.
        #expect(novelty.firstIndex(of: novelty.max()!) == 2)
        let p = selector.probabilities(fixed)
        let f = frequencies(selector, fixed)
        for (c, expected) in zip(fixed, p) { #expect(abs((f[c.id] ?? 0) - expected) < 0.01) }
    }

    @Test func hgmThompsonMatchesTheBetaPosteriors() {
        // Two clades: P(Beta(4, 2) > Beta(2, 4)) computed by numerical integration, against the draws.
        let a = Candidate(id: VariantID(0), score: 0, cladePasses: 3, cladeFails: 1)
        let b = Candidate(id: VariantID(1), score: 0, cladePasses: 1, cladeFails: 3)
        func betaPDF(_ x: Double, _ p: Double, _ q: Double) -> Double {
            exp(lgamma(p + q) - lgamma(p) - lgamma(q)) * pow(x, p - 1) * pow(1 - x, q - 1)
        }
        let n = 4000
        var cdfB = 0.0
        var prob = 0.0
        for i in 0..<n {
            let x = (Double(i) + 0.5) / Double(n)
            cdfB += betaPDF(x, 2, 4) / Double(n)
            prob += betaPDF(x, 4, 2) * cdfB / Double(n)
        }
        let f = frequencies(HGMSelector(), [a, b])
        #expect(abs((f[VariantID(0)] ?? 0) - prob) < 0.015)
        #expect(prob > 0.8 && prob < 0.9)
        // A clade with a strong record wins almost always; equal records split evenly.
        let strong = frequencies(
            HGMSelector(), [fixed[0], Candidate(id: VariantID(9), score: 0, cladePasses: 90, cladeFails: 10)])
        #expect((strong[VariantID(9)] ?? 0) > 0.99)
        let even = frequencies(
            HGMSelector(), [a, Candidate(id: VariantID(7), score: 0, cladePasses: 3, cladeFails: 1)])
        #expect(abs((even[VariantID(0)] ?? 0) - 0.5) < 0.015)
    }

    @Test func greedyAndRandom() {
        // Greedy: the best score, ties to the newest (v4 over v3).
        #expect(GreedySelector().probabilities(fixed) == [0, 0, 0, 0, 1])
        var rng = SeededGenerator(seed: 1)
        #expect(Set(GreedySelector().select(fixed, count: 50, rng: &rng)) == [VariantID(4)])
        let f = frequencies(RandomSelector(), fixed)
        for c in fixed { #expect(abs((f[c.id] ?? 0) - 0.2) < 0.01) }
    }

    @Test func everySelectorIsReproducible() throws {
        for name in ["novelty", "dgm", "hgm", "greedy", "random"] {
            let selector = try makeSelector(name: name, k: 3, beta: 1)
            var r1 = SeededGenerator(seed: 42, 3, 1)
            var r2 = SeededGenerator(seed: 42, 3, 1)
            #expect(selector.select(fixed, count: 25, rng: &r1) == selector.select(fixed, count: 25, rng: &r2))
        }
        var r3 = SeededGenerator(seed: 42, 3, 1)
        var r4 = SeededGenerator(seed: 43, 3, 1)
        #expect(
            RandomSelector().select(fixed, count: 25, rng: &r3) != RandomSelector().select(fixed, count: 25, rng: &r4))
        #expect(throws: EvolveError.self) { try makeSelector(name: "best", k: 1, beta: 1) }
    }
}
