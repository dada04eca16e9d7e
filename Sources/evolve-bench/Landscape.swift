import EvolveArchive
import EvolveSearch
import EvolveSupport
import Foundation

// MARK: - landscape

/// A simulated fitness landscape in the spirit of the Huxley-Gödel Machine paper, where a variant's own
/// score is a poor guide to how good its descendants will be:
///
/// - A variant has an outcome vector over `tasks` tasks; its score is the fraction passed. The seed passes
///   `seedPasses` of them.
/// - Every variant carries a hidden promise p (never shown to the selectors). The seed's is `rootPromise`;
///   a child's is its parent's plus Gaussian noise of standard deviation `promiseNoise`, clamped to
///   [0.01, 0.95]. So promise is a property of a clade that drifts along its lineages.
/// - A child of a parent with score s and promise p: with probability p it passes one more task
///   (s + δ, δ = 1/tasks: one failing task, drawn uniformly, now passes); otherwise, with probability
///   `worseShare` it passes one fewer (s − δ), else its score is unchanged but one passing task fails and
///   one failing task passes (a neutral change of behaviour).
/// - One evaluation = one child scored. A search makes `batch` children per generation from parents drawn
///   by the real selector (`EvolveSearch`) on `Candidate` values built from the simulated archive exactly
///   as `Candidates.build` would: score, children, outcome vector, clade-pooled pass/fail task counts.
/// - It stops when a child reaches `target`, or after `maxEvaluations` (a censored run, counted at the cap).
struct Landscape {
    var tasks = 20
    var seedPasses = 4
    var rootPromise = 0.25
    var promiseNoise = 0.1
    var worseShare = 0.5
    var target = 0.9
    var batch = 2
    var maxEvaluations = 2000

    struct Node {
        var outcomes: [Bool]
        var passes: Int
        var promise: Double
        var parent: Int?
        var children = 0
        var cladePasses: Int
        var cladeFails: Int
    }

    /// Evaluations until a child reaches the target, or nil when `maxEvaluations` pass first.
    func run(selector: any ParentSelector, seed: UInt64) -> Int? {
        var world = SeededGenerator(seed: seed, 0x1A2D)  // the landscape's own chance
        var choice = SeededGenerator(seed: seed, 0x5E1E)  // the selector's
        var seedOutcomes = [Bool](repeating: false, count: tasks)
        for i in 0..<seedPasses { seedOutcomes[i] = true }
        var nodes = [
            Node(
                outcomes: seedOutcomes, passes: seedPasses, promise: rootPromise, parent: nil,
                cladePasses: seedPasses, cladeFails: tasks - seedPasses)
        ]
        let targetPasses = Int((target * Double(tasks)).rounded(.up))
        var evaluations = 0
        while evaluations < maxEvaluations {
            let candidates = nodes.enumerated().map { i, n in
                Candidate(
                    id: VariantID(i), score: Double(n.passes) / Double(tasks), children: n.children,
                    outcomes: n.outcomes, cladePasses: n.cladePasses, cladeFails: n.cladeFails)
            }
            let parents = selector.select(candidates, count: batch, rng: &choice)
            for parent in parents.map(\.number) {
                let child = makeChild(of: parent, nodes: nodes, rng: &world)
                nodes[parent].children += 1
                nodes.append(child)
                // Pool the child's task outcomes into every clade it belongs to.
                var ancestor: Int? = parent
                while let a = ancestor {
                    nodes[a].cladePasses += child.passes
                    nodes[a].cladeFails += tasks - child.passes
                    ancestor = nodes[a].parent
                }
                evaluations += 1
                if child.passes >= targetPasses { return evaluations }
                if evaluations >= maxEvaluations { break }
            }
        }
        return nil
    }

    private func makeChild(of parent: Int, nodes: [Node], rng: inout SeededGenerator) -> Node {
        let p = nodes[parent]
        var outcomes = p.outcomes
        let passing = outcomes.indices.filter { outcomes[$0] }
        let failing = outcomes.indices.filter { !outcomes[$0] }
        if rng.unit() < p.promise, !failing.isEmpty {
            outcomes[failing[Int(rng.next() % UInt64(failing.count))]] = true
        } else if !passing.isEmpty {
            outcomes[passing[Int(rng.next() % UInt64(passing.count))]] = false
            if rng.unit() >= worseShare, !failing.isEmpty {
                outcomes[failing[Int(rng.next() % UInt64(failing.count))]] = true
            }
        }
        let promise = min(0.95, max(0.01, p.promise + promiseNoise * rng.normal()))
        let passes = outcomes.filter { $0 }.count
        return Node(
            outcomes: outcomes, passes: passes, promise: promise, parent: parent, cladePasses: passes,
            cladeFails: tasks - passes)
    }
}

/// Runs every selector on `seeds` seeds of the landscape and prints mean ± sd (and median) evaluations.
func runLandscape(_ landscape: Landscape, selectors: [String], seeds: Int) throws {
    print(
        "landscape: \(landscape.tasks) tasks, seed score \(Double(landscape.seedPasses) / Double(landscape.tasks)), "
            + "target \(landscape.target), promise \(landscape.rootPromise) ± \(landscape.promiseNoise) per generation, "
            + "\(landscape.batch) children per generation, cap \(landscape.maxEvaluations) evaluations, \(seeds) seeds")
    for name in selectors {
        let selector = try makeSelector(name: name, k: 5, beta: 1.0)
        let started = Date()
        var counts: [Double] = []
        var censored = 0
        for seed in 0..<seeds {
            if let n = landscape.run(selector: selector, seed: UInt64(seed)) {
                counts.append(Double(n))
            } else {
                counts.append(Double(landscape.maxEvaluations))
                censored += 1
            }
        }
        let mean = counts.reduce(0, +) / Double(counts.count)
        let sd = (counts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, counts.count - 1))).squareRoot()
        print(
            String(
                format: "landscape %@ mean=%.0f sd=%.0f median=%.0f reached=%d/%d seconds=%.1f", name, mean, sd,
                median(counts), seeds - censored, seeds, Date().timeIntervalSince(started)))
    }
}
