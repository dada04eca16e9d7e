import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation

/// The selectors' view of the archive kept in memory for a run: read once from the archive (the first time
/// it is asked for), then updated as the run records children and their outcomes arrive. It gives the same
/// candidates, in the same order, as `Candidates.build` on the archive at that moment, without reading
/// the whole archive every generation.
///
/// A resumed search builds it from the archive again, so islands and MAP-Elites, which derive everything
/// from the candidates, rebuild the same membership.
///
/// Made with the run's selector, it also keeps that selector's `SelectionIndex` (DGM, HGM, greedy, random on
/// suites without objectives), so `select` draws parents without a copy of the candidates or a pass over
/// them: a step at 100,000 variants costs what the few changed candidates cost, not the archive.
public final class CandidatePool: @unchecked Sendable {
    private let archive: Archive
    private let suites: [Suite]
    private let codeSize: Bool
    /// Tasks over all suites (an outcome vector's length).
    private let taskCount: Int
    private let lock = NSLock()
    private var loaded = false

    /// What is kept of every variant, candidate or not (clade counts flow through all of them).
    private struct Node {
        var status: VariantStatus
        var tree: String
        var firstParent: VariantID?
        var generation: Int
        var slot: Int?
        /// Own passes and fails (0, 0 unless valid and evaluated on some task).
        var passes = 0
        var fails = 0
        var vector: [Bool]?

        init(_ v: VariantOutline) {
            (status, tree, firstParent, generation, slot) = (v.status, v.tree, v.parents.first, v.generation, v.slot)
        }
    }

    private var nodes = ByVariant<Node>()
    private var byTree: [String: [VariantID]] = [:]
    /// Candidates in id order, and where each sits.
    private var pool: [Candidate] = []
    private var position = ByVariant<Int>()
    /// Children made (any parent position) and pooled clade counts, for every variant.
    private var childCount = ByVariant<Int>()
    private var clade = ByVariant<(passes: Int, fails: Int)>()
    /// The selector's index over `pool`, kept in step with it (nil: the selector draws from the list).
    private var index: SelectionIndex?

    /// A pool over `suites`; with `codeSize`, each candidate's tree is measured too (as `Candidates.build`).
    /// With `selector`, the pool keeps its index when it has one and the suites declare no objectives (they
    /// change the scores a selector ranks; see `ObjectiveCandidates`).
    public init(archive: Archive, suites: [Suite], codeSize: Bool = false, selector: (any ParentSelector)? = nil) {
        self.archive = archive
        self.suites = suites
        self.codeSize = codeSize
        taskCount = suites.reduce(0) { $0 + $1.tasks.count }
        let made = selector.flatMap {
            suites.contains(where: { !$0.objectives.isEmpty }) ? nil : SelectionIndex(for: $0)
        }
        index = made
        drawsByIndex = made != nil
    }

    /// True when `select` draws from the pool's index (and `candidates()` need not be asked for a draw).
    public let drawsByIndex: Bool

    /// Draws `count` parents with the index kept for the pool's selector; nil when it keeps none, and the
    /// selector draws from `candidates()`.
    public func select(count: Int, rng: inout SeededGenerator) throws -> [VariantID]? {
        lock.lock()
        defer { lock.unlock() }
        try loadIfNeeded()
        return index?.select(count: count, pool: pool, rng: &rng)
    }

    /// The number of candidates.
    public func count() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        try loadIfNeeded()
        return pool.count
    }

    /// The candidate at `fraction` (in 0 ..< 1) of the way through the candidates in id order, as they stand
    /// now (the pool may have grown or shrunk since `count()`); nil when there is none.
    public func candidateID(atFraction fraction: Double) throws -> VariantID? {
        lock.lock()
        defer { lock.unlock() }
        try loadIfNeeded()
        guard !pool.isEmpty else { return nil }
        return pool[min(Int(fraction * Double(pool.count)), pool.count - 1)].id
    }

    /// The candidates, in id order (the archive is read on the first call only).
    public func candidates() throws -> [Candidate] {
        lock.lock()
        defer { lock.unlock() }
        try loadIfNeeded()
        return pool
    }

    /// Reads the archive now, leaving out `excluded` as if they were not recorded yet: the deterministic
    /// pipeline feeds them back with `childRecorded` in child order. Does nothing once loaded.
    public func load(excluding excluded: Set<VariantID>) throws {
        lock.lock()
        defer { lock.unlock() }
        try loadIfNeeded(excluding: excluded)
    }

    /// A child was recorded (pending or invalid): its parents have one more child each.
    public func childRecorded(_ v: Variant) throws {
        lock.lock()
        defer { lock.unlock() }
        guard loaded, nodes[v.id] == nil else { return }
        nodes[v.id] = Node(VariantOutline(v))
        byTree[v.tree, default: []].append(v.id)
        clade[v.id] = (0, 0)
        for p in v.parents {
            childCount[p, default: 0] += 1
            if let i = position[p] {
                pool[i].children += 1
                index?.update(p.number, pool[i])
            }
        }
        if v.status == .valid { try refresh(tree: v.tree, status: [v.id: .valid]) }
    }

    /// A variant's outcomes arrived and its status was set (`v` as the archive holds it now): every variant
    /// with its tree has its outcome vector re-read, and the clades above them are updated.
    public func outcomesArrived(_ v: Variant) throws {
        lock.lock()
        defer { lock.unlock() }
        guard loaded else { return }
        if nodes[v.id] == nil {
            nodes[v.id] = Node(VariantOutline(v))
            byTree[v.tree, default: []].append(v.id)
            clade[v.id] = (0, 0)
        }
        try refresh(tree: v.tree, status: [v.id: v.status])
    }

    // MARK: - Reading once

    private func loadIfNeeded(excluding excluded: Set<VariantID> = []) throws {
        guard !loaded else { return }
        var variants = try archive.variantOutlines()
        if !excluded.isEmpty { variants.removeAll { excluded.contains($0.id) } }
        var matrices: [[String: [Int8]]] = []
        for suite in suites {
            matrices.append(try archive.outcomeRows(suite: suite.name, tasks: suite.tasks.map(\.id)))
        }
        byTree.reserveCapacity(variants.count)
        for v in variants {
            var node = Node(v)
            if v.status == .valid { fill(&node, rows: matrices.map { $0[v.tree] }) }
            nodes[v.id] = node
            byTree[v.tree, default: []].append(v.id)
            clade[v.id] = (node.passes, node.fails)
            for p in v.parents { childCount[p, default: 0] += 1 }
        }
        // Ids grow from parent to child: pooling from the last id down visits every child before its parent.
        for v in variants.reversed() {
            guard let p = v.parents.first, let own = clade[v.id], clade[p] != nil else { continue }
            clade[p]!.passes += own.passes
            clade[p]!.fails += own.fails
        }
        for v in variants {
            guard let candidate = try makeCandidate(v.id) else { continue }
            position[v.id] = pool.count
            pool.append(candidate)
            index?.update(v.id.number, candidate)
        }
        loaded = true
    }

    /// A valid node's vector and own counts from its tree's rows (one per suite, nil where it has no
    /// outcome; see `Archive.outcomeRows`); nil when no task ran.
    private func fill(_ node: inout Node, rows: [[Int8]?]) {
        var vector: [Bool] = []
        vector.reserveCapacity(taskCount)
        var runCount = 0
        var passes = 0
        for (suite, row) in zip(suites, rows) {
            guard let row else {
                vector += repeatElement(false, count: suite.tasks.count)
                continue
            }
            for outcome in row {
                vector.append(outcome == 1)
                if outcome >= 0 { runCount += 1 }
                if outcome == 1 { passes += 1 }
            }
        }
        guard runCount > 0 else {
            node.vector = nil
            (node.passes, node.fails) = (0, 0)
            return
        }
        node.vector = vector
        (node.passes, node.fails) = (passes, runCount - passes)
    }

    private func makeCandidate(_ id: VariantID) throws -> Candidate? {
        guard let node = nodes[id], node.status == .valid, let vector = node.vector else { return nil }
        let c = clade[id] ?? (0, 0)
        return Candidate(
            id: id, score: taskCount == 0 ? 0 : Double(node.passes) / Double(taskCount), children: childCount[id] ?? 0,
            outcomes: vector, cladePasses: c.passes, cladeFails: c.fails, parent: node.firstParent,
            generation: node.generation, slot: node.slot,
            codeSize: codeSize ? try Candidates.lineCounts.count(node.tree, archive: archive) : nil)
    }

    // MARK: - Updating

    /// Re-reads the rows of one tree and updates every variant that has it, their clades and the pool.
    private func refresh(tree: String, status: [VariantID: VariantStatus]) throws {
        var rows: [[Int8]?] = []
        for suite in suites {
            rows.append(try archive.outcomeRows(suite: suite.name, tasks: suite.tasks.map(\.id), tree: tree)[tree])
        }
        for id in byTree[tree] ?? [] {
            guard var node = nodes[id] else { continue }
            if let s = status[id] { node.status = s }
            let before = (node.passes, node.fails)
            if node.status == .valid {
                fill(&node, rows: rows)
            } else {
                (node.vector, node.passes, node.fails) = (nil, 0, 0)
            }
            nodes[id] = node
            let delta = (node.passes - before.0, node.fails - before.1)
            var walk: VariantID? = delta == (0, 0) ? nil : id
            while let at = walk, clade[at] != nil {
                clade[at]!.passes += delta.0
                clade[at]!.fails += delta.1
                if let i = position[at] {
                    pool[i].cladePasses = clade[at]!.passes
                    pool[i].cladeFails = clade[at]!.fails
                    index?.update(at.number, pool[i])
                }
                walk = nodes[at]?.firstParent
            }
            try place(id)
        }
    }

    /// Puts a variant into the pool, updates it there, or takes it out, keeping id order.
    private func place(_ id: VariantID) throws {
        let candidate = try makeCandidate(id)
        index?.update(id.number, candidate)
        switch (candidate, position[id]) {
        case (let c?, let i?):
            pool[i] = c
        case (let c?, nil):
            var at = pool.count
            while at > 0 && pool[at - 1].id > id { at -= 1 }
            pool.insert(c, at: at)
            for i in at..<pool.count { position[pool[i].id] = i }
        case (nil, let i?):
            pool.remove(at: i)
            position[id] = nil
            for j in i..<pool.count { position[pool[j].id] = j }
        case (nil, nil):
            break
        }
    }
}

/// Values by variant: an id is a row number, dense from 0, so an array indexed by it stands in for a
/// dictionary (a search's start-up fills one entry per variant of the archive).
private struct ByVariant<Value> {
    private var values: [Value?] = []

    subscript(id: VariantID) -> Value? {
        get { id.number < values.count ? values[id.number] : nil }
        set {
            if id.number >= values.count {
                guard newValue != nil else { return }
                values += repeatElement(nil, count: id.number + 1 - values.count)
            }
            values[id.number] = newValue
        }
    }

    subscript(id: VariantID, default value: @autoclosure () -> Value) -> Value {
        get { self[id] ?? value() }
        set { self[id] = newValue }
    }
}
