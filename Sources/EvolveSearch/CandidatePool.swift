import EvolveArchive
import EvolveEvaluation
import EvolveTasks
import Foundation

/// The selectors' view of the archive kept in memory for a run: read once from the archive (the first time
/// it is asked for), then updated as the run records children and their outcomes arrive. It gives the same
/// candidates, in the same order, as `Candidates.build` on the archive at that moment, without reading
/// the whole archive every generation.
///
/// A resumed search builds it from the archive again, so islands and MAP-Elites, which derive everything
/// from the candidates, rebuild the same membership.
public final class CandidatePool: @unchecked Sendable {
    private let archive: Archive
    private let suites: [Suite]
    private let codeSize: Bool
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

        init(_ v: Variant) {
            (status, tree, firstParent, generation, slot) = (v.status, v.tree, v.parents.first, v.generation, v.slot)
        }
    }

    private var nodes: [VariantID: Node] = [:]
    private var byTree: [String: [VariantID]] = [:]
    /// Candidates in id order, and where each sits.
    private var pool: [Candidate] = []
    private var position: [VariantID: Int] = [:]
    /// Children made (any parent position) and pooled clade counts, for every variant.
    private var childCount: [VariantID: Int] = [:]
    private var clade: [VariantID: (passes: Int, fails: Int)] = [:]

    /// A pool over `suites`; with `codeSize`, each candidate's tree is measured too (as `Candidates.build`).
    public init(archive: Archive, suites: [Suite], codeSize: Bool = false) {
        self.archive = archive
        self.suites = suites
        self.codeSize = codeSize
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
        nodes[v.id] = Node(v)
        byTree[v.tree, default: []].append(v.id)
        clade[v.id] = (0, 0)
        for p in v.parents {
            childCount[p, default: 0] += 1
            if let i = position[p] { pool[i].children += 1 }
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
            nodes[v.id] = Node(v)
            byTree[v.tree, default: []].append(v.id)
            clade[v.id] = (0, 0)
        }
        try refresh(tree: v.tree, status: [v.id: v.status])
    }

    // MARK: - Reading once

    private func loadIfNeeded(excluding excluded: Set<VariantID> = []) throws {
        guard !loaded else { return }
        let variants = try archive.allVariants().filter { !excluded.contains($0.id) }
        var matrices: [[String: [String: Bool]]] = []
        for suite in suites { matrices.append(try archive.passMatrix(suite: suite.name)) }
        for v in variants {
            var node = Node(v)
            if v.status == .valid { fill(&node, rows: matrices.map { $0[v.tree] ?? [:] }) }
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
        }
        loaded = true
    }

    /// A valid node's vector and own counts from its tree's rows (one per suite); nil when no task ran.
    private func fill(_ node: inout Node, rows: [[String: Bool]]) {
        var vector: [Bool] = []
        var runCount = 0
        var passes = 0
        for (suite, row) in zip(suites, rows) {
            for task in suite.tasks {
                let outcome = row[task.id]
                vector.append(outcome == true)
                if outcome != nil { runCount += 1 }
                if outcome == true { passes += 1 }
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
        let total = suites.reduce(0) { $0 + $1.tasks.count }
        let c = clade[id] ?? (0, 0)
        return Candidate(
            id: id, score: total == 0 ? 0 : Double(node.passes) / Double(total), children: childCount[id] ?? 0,
            outcomes: vector, cladePasses: c.passes, cladeFails: c.fails, parent: node.firstParent,
            generation: node.generation, slot: node.slot,
            codeSize: codeSize ? try Candidates.lineCounts.count(node.tree, archive: archive) : nil)
    }

    // MARK: - Updating

    /// Re-reads the rows of one tree and updates every variant that has it, their clades and the pool.
    private func refresh(tree: String, status: [VariantID: VariantStatus]) throws {
        var rows: [[String: Bool]] = []
        for suite in suites {
            var row: [String: Bool] = [:]
            for o in try archive.outcomes(tree: tree, suite: suite.name) where o.attempt == 0 {
                row[o.task] = o.status == .passed
            }
            rows.append(row)
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
                }
                walk = nodes[at]?.firstParent
            }
            try place(id)
        }
    }

    /// Puts a variant into the pool, updates it there, or takes it out, keeping id order.
    private func place(_ id: VariantID) throws {
        let candidate = try makeCandidate(id)
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
