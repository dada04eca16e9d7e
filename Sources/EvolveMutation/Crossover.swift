import EvolveArchive
import EvolveSupport

/// `crossover`: a three-way libgit2 merge of two variants from their merge base. A conflict gives an
/// invalid child that names the conflicting files.
public struct CrossoverOperator: MutationOperator {
    public let name = OperatorKind.crossover.rawValue
    public let arity = 2

    public init() {}

    public func mutate(_ request: MutationRequest) async throws -> MutationResult {
        let a = request.parents[0]
        let b = request.parents[1]
        let summary = "merge \(a.id) and \(b.id)"
        if a.id == b.id {
            return .invalid(
                reason: "crossover needs two different parents, got \(a.id) twice", MutationInfo(summary: summary))
        }
        switch try request.archive.merge(a.id, b.id) {
        case .success(let tree): return .tree(tree, MutationInfo(summary: summary))
        case .failure(let conflict):
            return .invalid(
                reason: "merge conflict in \(conflict.paths.joined(separator: ", "))", MutationInfo(summary: summary))
        }
    }
}
