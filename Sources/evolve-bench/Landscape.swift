import EvolveArchive
import EvolveEvaluation
import EvolveSearch
import EvolveSupport
import EvolveTasks
import Foundation

// MARK: - landscape

/// Simulated fitness landscapes on which the real selectors (`EvolveSearch`) choose parents from
/// `Candidate` values built exactly as `Candidates.build` would (score, children, outcome vector,
/// clade-pooled pass/fail counts, generation and slot, code size). One evaluation = one child scored. A
/// search makes `batch` children per generation; it stops when a child reaches the shape's target, or
/// after `maxEvaluations` (a censored run, counted at the cap).
///
/// Shapes (`tasks` tasks, the seed passes `seedPasses`; δ = one task):
///
/// - `hgm` (the Huxley-Gödel Machine paper's point: a variant's own score is a poor guide to its
///   descendants): every variant carries a hidden promise p (root `rootPromise`; a child's is its
///   parent's plus N(0, `promiseNoise`), clamped to [0.01, 0.95]). With probability p a child passes one
///   more task; otherwise with probability `worseShare` one fewer, else a neutral change (one passing task
///   fails, one failing task passes). Target: score ≥ `target`.
/// - `deceptive`: the seed's family climbs easily (p = 0.5) but can only ever pass the first
///   `trapTasks` tasks: a local optimum at 0.6 that greedy climbs and cannot leave. A child of that family
///   escapes with probability `escapeChance` into a new approach that passes `escapeTasks` other tasks only
///   (0.2, the seed's score, far below the trap's 0.6 by then) and climbs from there at p = `escapedPromise`
///   towards every task. Target: score ≥ `target`.
/// - `needle` (sparse reward): every variant scores the seed's score, its behaviour drifting neutrally,
///   while a hidden depth takes a step up (probability 0.35) or down (0.15) per child; a variant at depth
///   `needleDepth` passes everything. Target: that variant.
/// - `multi-objective`: pass rate (maximise, weight 0.7) and code size in lines (minimise, weight 0.3,
///   bounds 50…400) aggregated by `Objectives.aggregate` into the score. Passing a new task (hidden
///   promise, as `hgm`) adds 10–30 lines; otherwise with probability 0.4 a refactor removes 15 % of the
///   lines and in 30 % of those breaks a passing task; else a neutral change of ±5 lines. Target: pass
///   rate ≥ `target` and at most `sizeTarget` lines.
struct Landscape {
    enum Shape: String, CaseIterable {
        case hgm, deceptive, needle
        case multiObjective = "multi-objective"
    }

    var shape = Shape.hgm
    var tasks = 20
    var seedPasses = 4
    var rootPromise = 0.25
    var promiseNoise = 0.1
    var worseShare = 0.5
    var target = 0.9
    var batch = 2
    var maxEvaluations = 2000
    /// "best after N": the best score once this many evaluations are done.
    var bestAfter = 200
    var trapTasks = 12
    var escapeChance = 0.05
    var escapeTasks = 4
    var escapedPromise = 0.4
    var needleDepth = 6
    var seedSize = 200.0
    var sizeTarget = 150.0

    static let objectives = [
        Objective(name: "pass_rate", direction: .maximize, weight: 0.7, bounds: 0...1),
        Objective(name: "code_size", direction: .minimize, weight: 0.3, bounds: 50...400),
    ]

    struct Node {
        var outcomes: [Bool]
        var passes: Int
        var promise: Double
        var parent: Int?
        var children = 0
        var cladePasses: Int
        var cladeFails: Int
        var generation = 0
        var slot: Int?
        var size: Double
        /// deceptive: 0 = the trapped family, 1 = escaped. needle: the hidden depth.
        var hidden = 0
    }

    struct Result {
        /// Evaluations until a child reached the target; nil when the cap came first.
        var evaluations: Int?
        /// The best score after `bestAfter` evaluations (or when the target was reached, if sooner).
        var bestAfter: Double
    }

    func run(selector: any ParentSelector, seed: UInt64) -> Result {
        var world = SeededGenerator(seed: seed, 0x1A2D)  // the landscape's own chance
        var sizes = SeededGenerator(seed: seed, 0x512E)  // code size drift, apart so `hgm` stays as it was
        var choice = SeededGenerator(seed: seed, 0x5E1E)  // the selector's
        var seedOutcomes = [Bool](repeating: false, count: tasks)
        for i in 0..<seedPasses { seedOutcomes[i] = true }
        var nodes = [
            Node(
                outcomes: seedOutcomes, passes: seedPasses, promise: rootPromise, parent: nil,
                cladePasses: seedPasses, cladeFails: tasks - seedPasses, size: seedSize)
        ]
        var scores = [score(nodes[0])]
        var best = scores[0]
        var bestAtN: Double?
        var evaluations = 0
        var generation = 0
        while evaluations < maxEvaluations {
            generation += 1
            let candidates = nodes.enumerated().map { i, n in
                Candidate(
                    id: VariantID(i), score: scores[i], children: n.children, outcomes: n.outcomes,
                    cladePasses: n.cladePasses, cladeFails: n.cladeFails, parent: n.parent.map(VariantID.init),
                    generation: n.generation, slot: n.slot, codeSize: Int(n.size))
            }
            let context = SelectionContext(generation: generation, childrenPerGeneration: batch)
            let parents = selector.select(candidates, count: batch, context: context, rng: &choice)
            for (slot, parent) in parents.map(\.number).enumerated() {
                var child = makeChild(of: nodes[parent], rng: &world, sizes: &sizes)
                child.parent = parent
                child.generation = generation
                child.slot = slot
                nodes[parent].children += 1
                nodes.append(child)
                scores.append(score(child))
                best = max(best, scores.last!)
                // Pool the child's task outcomes into every clade it belongs to.
                var ancestor: Int? = parent
                while let a = ancestor {
                    nodes[a].cladePasses += child.passes
                    nodes[a].cladeFails += tasks - child.passes
                    ancestor = nodes[a].parent
                }
                evaluations += 1
                if evaluations == bestAfter { bestAtN = best }
                if reached(child) { return Result(evaluations: evaluations, bestAfter: bestAtN ?? best) }
                if evaluations >= maxEvaluations { break }
            }
        }
        return Result(evaluations: nil, bestAfter: bestAtN ?? best)
    }

    func score(_ n: Node) -> Double {
        let passRate = Double(n.passes) / Double(tasks)
        guard shape == .multiObjective else { return passRate }
        return (try? Objectives.aggregate(["pass_rate": passRate, "code_size": n.size], Self.objectives)) ?? 0
    }

    func reached(_ n: Node) -> Bool {
        let targetPasses = Int((target * Double(tasks)).rounded(.up))
        switch shape {
        case .hgm, .deceptive: return n.passes >= targetPasses
        case .needle: return n.hidden >= needleDepth
        case .multiObjective: return n.passes >= targetPasses && n.size <= sizeTarget
        }
    }

    private func makeChild(of p: Node, rng: inout SeededGenerator, sizes: inout SeededGenerator) -> Node {
        var child = p
        child.children = 0
        child.slot = nil
        child.size = max(10, p.size + 20 * sizes.unit() - 10)  // neutral drift of code size
        switch shape {
        case .hgm:
            step(&child.outcomes, improve: p.promise, rng: &rng)
            child.promise = min(0.95, max(0.01, p.promise + promiseNoise * rng.normal()))
        case .deceptive:
            if p.hidden == 0 && rng.unit() < escapeChance {
                child.hidden = 1
                child.outcomes = (0..<tasks).map { $0 >= trapTasks && $0 < trapTasks + escapeTasks }
            } else {
                step(
                    &child.outcomes, improve: p.hidden == 0 ? 0.5 : escapedPromise,
                    within: p.hidden == 0 ? trapTasks : tasks,
                    rng: &rng)
            }
        case .needle:
            let u = rng.unit()
            child.hidden = u < 0.35 ? p.hidden + 1 : (u < 0.5 ? max(0, p.hidden - 1) : p.hidden)
            swapOne(&child.outcomes, rng: &rng)
            if child.hidden >= needleDepth { child.outcomes = Array(repeating: true, count: tasks) }
        case .multiObjective:
            child.size = p.size
            if rng.unit() < p.promise, child.outcomes.contains(false) {
                step(&child.outcomes, improve: 1, rng: &rng)
                child.size = p.size + 10 + 20 * rng.unit()
            } else if rng.unit() < 0.4 {
                child.size = p.size * 0.85
                if rng.unit() < 0.3 { breakOne(&child.outcomes, rng: &rng) }
            } else {
                swapOne(&child.outcomes, rng: &rng)
                child.size = p.size + 10 * rng.unit() - 5
            }
            child.size = max(10, child.size)
            child.promise = min(0.95, max(0.01, p.promise + promiseNoise * rng.normal()))
        }
        child.passes = child.outcomes.filter { $0 }.count
        child.cladePasses = child.passes
        child.cladeFails = tasks - child.passes
        return child
    }

    /// With probability `improve` one failing task among the first `within` passes; otherwise one passing
    /// task fails and, with probability 1 − `worseShare`, one failing task passes (a neutral change).
    private func step(_ outcomes: inout [Bool], improve: Double, within: Int? = nil, rng: inout SeededGenerator) {
        let limit = within ?? outcomes.count
        let passing = outcomes.indices.filter { outcomes[$0] }
        let failing = outcomes.indices.filter { !outcomes[$0] && $0 < limit }
        if rng.unit() < improve, !failing.isEmpty {
            outcomes[failing[Int(rng.next() % UInt64(failing.count))]] = true
        } else if !passing.isEmpty {
            outcomes[passing[Int(rng.next() % UInt64(passing.count))]] = false
            if rng.unit() >= worseShare, !failing.isEmpty {
                outcomes[failing[Int(rng.next() % UInt64(failing.count))]] = true
            }
        }
    }

    /// One passing task fails and one failing task passes.
    private func swapOne(_ outcomes: inout [Bool], rng: inout SeededGenerator) {
        let passing = outcomes.indices.filter { outcomes[$0] }
        let failing = outcomes.indices.filter { !outcomes[$0] }
        guard !passing.isEmpty, !failing.isEmpty else { return }
        outcomes[passing[Int(rng.next() % UInt64(passing.count))]] = false
        outcomes[failing[Int(rng.next() % UInt64(failing.count))]] = true
    }

    private func breakOne(_ outcomes: inout [Bool], rng: inout SeededGenerator) {
        let passing = outcomes.indices.filter { outcomes[$0] }
        guard !passing.isEmpty else { return }
        outcomes[passing[Int(rng.next() % UInt64(passing.count))]] = false
    }
}
