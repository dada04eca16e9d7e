import EvolveArchive
import EvolveSupport

/// What a `CandidatePool` keeps for its selector, updated as candidates come, go and change, so that a draw
/// neither copies the candidates nor weighs every one of them: for DGM the weights in a tree of sums, for
/// greedy the best in a tree of maxima, for HGM the candidates grouped by clade counts, for random nothing
/// (the pool's list is enough). Other selectors (novelty, MAP-Elites, islands) and objective scores draw
/// from the list of candidates, as before.
///
/// Draws by the index follow the selector's own distribution and are the same for the same seed and the
/// same candidates, however the pool reached them. Random and greedy draw exactly what the list would; DGM
/// takes the same one random number per draw and walks the tree of sums where the list was scanned, so only
/// a target within rounding of a boundary between two candidates can land differently; HGM draws other
/// random numbers (see `CladeGroups`).
struct SelectionIndex {
    enum Kind: Sendable {
        case dgm, random, greedy, hgm
    }

    let kind: Kind
    private var weights = WeightTree()
    private var best = BestTree()
    private var groups = CladeGroups()

    /// The index for `selector`; nil for selectors that draw from the list.
    init?(for selector: any ParentSelector) {
        switch selector {
        case is DGMSelector: kind = .dgm
        case is RandomSelector: kind = .random
        case is GreedySelector: kind = .greedy
        case is HGMSelector: kind = .hgm
        default: return nil
        }
    }

    /// Variant `number` is now `candidate` (nil: not a candidate).
    mutating func update(_ number: Int, _ candidate: Candidate?) {
        switch kind {
        case .dgm: weights.set(number, candidate.map(DGMSelector.weight) ?? 0)
        case .random: break
        case .greedy: best.set(number, candidate?.score)
        case .hgm:
            groups.set(number, candidate.map { CladeGroups.Key(passes: $0.cladePasses, fails: $0.cladeFails) })
        }
    }

    /// Draws `count` parents (with replacement) from `pool`, the candidates this index was kept for.
    func select(count: Int, pool: [Candidate], rng: inout SeededGenerator) -> [VariantID] {
        guard !pool.isEmpty else { return [] }
        return (0..<count).map { _ in
            switch kind {
            case .dgm:
                // As `weightedIndex`: one uniform, scaled by the total.
                let target = rng.unit() * weights.total
                guard let leaf = weights.leaf(at: target) else { return pool[Int(rng.next() % UInt64(pool.count))].id }
                return VariantID(leaf)
            case .random:
                return pool[uniformIndex(pool.count, &rng)].id
            case .greedy:
                // The list's draw takes one uniform for a weight of 1 on the best; so does this one.
                _ = rng.unit()
                return VariantID(best.top ?? pool[pool.count - 1].id.number)
            case .hgm:
                return VariantID(groups.draw(&rng) ?? pool[0].id.number)
            }
        }
    }

    /// The index `weightedIndex` gives for `count` equal weights, drawing the same number.
    private func uniformIndex(_ count: Int, _ rng: inout SeededGenerator) -> Int {
        min(Int(rng.unit() * Double(count)), count - 1)
    }
}
