import EvolveArchive
import EvolveSupport

/// What one planning step draws parents from: the pool's `SelectionIndex` when it keeps one for the
/// selector (no list of candidates is made), else the candidates as a list, objectives applied.
struct ParentDraw {
    private let selector: any ParentSelector
    private let pool: CandidatePool?
    /// The candidates, when the selector draws from the list (empty when it draws from the pool's index).
    let candidates: [Candidate]
    /// How many candidates there are.
    let count: Int

    /// A draw from the pool's index.
    init(selector: any ParentSelector, pool: CandidatePool, count: Int) {
        (self.selector, self.pool, candidates, self.count) = (selector, pool, [], count)
    }

    /// A draw from the list.
    init(selector: any ParentSelector, candidates: [Candidate]) {
        (self.selector, pool, self.candidates, count) = (selector, nil, candidates, candidates.count)
    }

    /// `count` parents for the slots `context` names.
    func select(count: Int, context: SelectionContext, rng: inout SeededGenerator) throws -> [VariantID] {
        if let pool, let drawn = try pool.select(count: count, rng: &rng) { return drawn }
        return selector.select(candidates, count: count, context: context, rng: &rng)
    }

    /// Any candidate, all alike (one uniform draw, as `weightedIndex` over equal weights).
    func anyCandidate(_ rng: inout SeededGenerator) throws -> VariantID {
        let u = rng.unit()
        guard let pool else { return candidates[min(Int(u * Double(count)), count - 1)].id }
        // Read under the pool's lock: a candidate may have left since `count` was taken.
        guard let id = try pool.candidateID(atFraction: u) else { throw SearchService.noParent }
        return id
    }
}

extension SearchService {
    /// The parents a selector may draw from now: the pool's index when it keeps one, else the candidates
    /// with objective scores and metric features applied.
    func parentDraw() throws -> ParentDraw {
        guard candidatePool.drawsByIndex else {
            return ParentDraw(selector: selector, candidates: try parentCandidates())
        }
        let count = try candidatePool.count()
        guard count > 0 else { throw Self.noParent }
        return ParentDraw(selector: selector, pool: candidatePool, count: count)
    }

    static let noParent = EvolveError(
        .invalidInput, "no variant can be a parent: none is valid and evaluated",
        hint: "`evolve show v0` tells how the seed did; a seed must run to be improved")
}
