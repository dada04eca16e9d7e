import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation

/// Builds the selectors' view of the archive: every valid, evaluated variant with its score on the
/// search's suites, its number of children, its per-task outcome vector and its clade's pooled counts.
public enum Candidates {
    /// With `codeSize`, each candidate's tree is measured too (lines of source; cached by tree).
    public static func build(archive: Archive, suites: [Suite], codeSize: Bool = false) throws -> [Candidate] {
        let variants = try archive.allVariants()
        // Outcome vectors over every task of every suite, in a fixed order; a task not run counts as failed
        // for the score and the vector, and counts neither way in the clade statistics.
        var matrices: [(suite: Suite, matrix: [String: [String: Bool]])] = []
        for suite in suites { matrices.append((suite, try archive.passMatrix(suite: suite.name))) }
        let total = suites.reduce(0) { $0 + $1.tasks.count }

        var childCount: [VariantID: Int] = [:]
        var children: [VariantID: [VariantID]] = [:]
        for v in variants {
            for p in v.parents { childCount[p, default: 0] += 1 }
            if let first = v.parents.first { children[first, default: []].append(v.id) }
        }
        var vectors: [VariantID: [Bool]] = [:]
        var counts: [VariantID: (passes: Int, fails: Int)] = [:]
        for v in variants where v.status == .valid {
            var vector: [Bool] = []
            var passes = 0
            var runCount = 0
            for (suite, matrix) in matrices {
                let row = matrix[v.tree] ?? [:]
                for task in suite.tasks {
                    let outcome = row[task.id]
                    vector.append(outcome == true)
                    if outcome != nil { runCount += 1 }
                    if outcome == true { passes += 1 }
                }
            }
            guard runCount > 0 else { continue }
            vectors[v.id] = vector
            counts[v.id] = (passes, runCount - passes)
        }
        // Clade counts: a node plus all its descendants (through first parents), pooled.
        var clade: [VariantID: (Int, Int)] = [:]
        func pool(_ id: VariantID) -> (Int, Int) {
            if let done = clade[id] { return done }
            var sum = counts[id] ?? (0, 0)
            for child in children[id] ?? [] {
                let c = pool(child)
                sum.passes += c.0
                sum.fails += c.1
            }
            clade[id] = (sum.passes, sum.fails)
            return (sum.passes, sum.fails)
        }
        // Deep chains: fill from the leaves up (ids grow from parent to child) to keep recursion shallow.
        for v in variants.reversed() { _ = pool(v.id) }

        return try variants.compactMap { v -> Candidate? in
            guard v.status == .valid, let vector = vectors[v.id] else { return nil }
            let passes = vector.filter { $0 }.count
            let c = clade[v.id] ?? (0, 0)
            return Candidate(
                id: v.id, score: total == 0 ? 0 : Double(passes) / Double(total),
                children: childCount[v.id] ?? 0, outcomes: vector, cladePasses: c.0, cladeFails: c.1,
                parent: v.parents.first, generation: v.generation, slot: v.slot,
                codeSize: codeSize ? try lineCounts.count(v.tree, archive: archive) : nil)
        }
    }

    /// Line counts by tree id: a tree never changes, so one count per tree per process.
    static let lineCounts = LineCountCache()
}

final class LineCountCache: Sendable {
    private let counts = Locked<[String: Int]>([:])

    func count(_ tree: String, archive: Archive) throws -> Int {
        if let known = counts.withLock({ $0[tree] }) { return known }
        let n = try archive.lineCount(tree: tree)
        counts.withLock { $0[tree] = n }
        return n
    }
}
