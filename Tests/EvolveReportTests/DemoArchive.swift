import EvolveSupport
import Foundation

@testable import EvolveArchive

/// A small deterministic generator (SplitMix64), so every demo archive is the same.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Builds an archive that looks like a search ran on it: a seed, children chosen DGM-style from the
/// better variants, some invalid children, a few crossovers, per-task outcomes with logs, and the
/// meta-agent's LLM calls with transcripts.
enum DemoArchive {
    static let tasks = [
        "add-numbers", "fizzbuzz", "reverse-words", "parse-csv", "balanced-brackets", "roman-numerals",
        "word-count", "flatten-list", "merge-intervals", "lru-cache", "matrix-transpose", "binary-search",
        "run-length", "anagram-groups", "date-diff", "json-path", "topo-sort", "dijkstra",
    ]

    struct Made {
        var archive: Archive
        var variants: Int
        var invalid: Int
        /// A valid child with a real diff against its parent.
        var child: VariantID
    }

    @discardableResult
    static func make(at path: String, variants count: Int, childrenPerGeneration: Int = 6) throws -> Made {
        let seed = path + "-seed"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        defer { Files.removeTree(seed) }
        try write(seed + "/agent.yaml", "name: coding-agent\nrun: python3 agent.py\n")
        try write(seed + "/agent.py", agentSource(tweaks: []))
        try write(seed + "/tools.py", "def read(path):\n    return open(path).read()\n")
        let archive = try Archive.create(at: path, seed: seed)

        var rng = SplitMix64(state: 7)
        var passes: [VariantID: [Bool]] = [:]
        var tweaks: [VariantID: [String]] = [VariantID(0): []]
        var childCount: [VariantID: Int] = [:]
        let seedPasses = tasks.indices.map { $0 < 4 }
        try evaluate(archive, VariantID(0), seedPasses, &rng)
        passes[VariantID(0)] = seedPasses
        var invalid = 0
        var firstValidChild: VariantID?
        var made = 1
        var generation = 1
        while made < count {
            // Parents come from earlier generations only, as in a search.
            let pool = passes.keys.sorted()
            for slot in 0..<childrenPerGeneration where made < count {
                // DGM-style choice: good parents with few children.
                let weights = pool.map { id -> Double in
                    let score = Double(passes[id]!.filter { $0 }.count) / Double(tasks.count)
                    return 1 / (1 + exp(-10 * (score - 0.5))) / Double(1 + (childCount[id] ?? 0))
                }
                let parent = pick(pool, weights, &rng)
                childCount[parent, default: 0] += 1
                let parentVariant = try archive.variant(parent)
                let roll = rng.unit()
                if roll < 0.14 {
                    // An invalid child: the edit could not be applied; it keeps its parent's tree.
                    let reasons = [
                        "the edit did not apply: SEARCH block not found in agent.py",
                        "empty diff", "syntax error in agent.py line 12", "duplicate of an existing tree",
                    ]
                    let v = try archive.record(
                        parents: [parent], tree: parentVariant.tree,
                        metadata: VariantMetadata(
                            generation: generation, operator: "llm", run: "demo", status: .invalid,
                            reason: reasons[rng.below(reasons.count)], summary: "a failed edit",
                            model: "smollm2-135m"))
                    try call(archive, v.id, &rng)
                    invalid += 1
                    made += 1
                    continue
                }
                var parents = [parent]
                var operatorName = "llm"
                if roll > 0.95, pool.count > 3 {
                    let other = pool[rng.below(pool.count)]
                    if other != parent {
                        parents.append(other)
                        operatorName = "crossover"
                    }
                }
                var mine = tweaks[parent]!
                let tweak = "hint_\(made) = \"\(tasks[rng.below(tasks.count)])\""
                mine.append(tweak)
                let tree = try archive.writeTree(
                    base: parentVariant.tree,
                    changes: ["agent.py": .write(agentSource(tweaks: mine))])
                let v = try archive.record(
                    parents: parents, tree: tree,
                    metadata: VariantMetadata(
                        generation: generation, operator: operatorName, run: "demo", status: .pending,
                        summary: "teach the agent about \(tweak.split(separator: "\"")[1]) (slot \(slot))",
                        model: "smollm2-135m"))
                tweaks[v.id] = mine
                // Outcomes: the parent's, with a few flips that lean towards passing.
                var result = passes[parent]!
                for i in result.indices where rng.unit() < 0.12 { result[i] = rng.unit() < 0.62 }
                try evaluate(archive, v.id, result, &rng)
                passes[v.id] = result
                try call(archive, v.id, &rng)
                if firstValidChild == nil { firstValidChild = v.id }
                made += 1
            }
            generation += 1
        }
        return Made(archive: archive, variants: made, invalid: invalid, child: firstValidChild ?? VariantID(0))
    }

    static func agentSource(tweaks: [String]) -> String {
        """
        import json, os, sys

        TURN_LIMIT = int(os.environ.get("EVOLVE_TURN_LIMIT", "8"))
        \(tweaks.joined(separator: "\n"))

        def main():
            task = open(os.environ["EVOLVE_TASK_FILE"]).read()
            for turn in range(TURN_LIMIT):
                reply = ask(task)
                if apply(reply):
                    return 0
            return 1

        """
    }

    private static func pick(_ pool: [VariantID], _ weights: [Double], _ rng: inout SplitMix64) -> VariantID {
        var r = rng.unit() * weights.reduce(0, +)
        for (id, w) in zip(pool, weights) {
            r -= w
            if r <= 0 { return id }
        }
        return pool.last!
    }

    private static func evaluate(_ archive: Archive, _ id: VariantID, _ result: [Bool], _ rng: inout SplitMix64)
        throws
    {
        let v = try archive.variant(id)
        for (task, passed) in zip(tasks, result) {
            let status: OutcomeStatus = passed ? .passed : (rng.unit() < 0.15 ? .timeout : .failed)
            let log =
                passed
                ? "agent: wrote solution.py\ncheck: Ran 4 tests in 0.01s\n\nOK\n"
                : "agent: wrote solution.py\ncheck: FAIL: test_edge_case (test_\(task).Tests)\nAssertionError: 3 != 4\n"
            try archive.record(
                TaskOutcome(
                    tree: v.tree, suite: "pyfix", task: task, status: status,
                    durationSeconds: 1 + rng.unit() * 20, log: log,
                    detail: status == .timeout ? "killed after 120 s" : nil, run: "demo"))
        }
        try archive.setScore(id, score: Double(result.filter { $0 }.count) / Double(tasks.count), status: .valid)
    }

    /// One meta-agent call, as the gateway records it.
    private static func call(_ archive: Archive, _ id: VariantID, _ rng: inout SplitMix64) throws {
        let tokensIn = 1500 + rng.below(2500)
        let tokensOut = 200 + rng.below(600)
        let transcript = """
            [system] You improve a coding agent. Answer with SEARCH/REPLACE blocks.
            [user] The agent failed 3 tasks: fizzbuzz, lru-cache, dijkstra. Here is agent.py: …
            [assistant] agent.py
            <<<<<<< SEARCH
            TURN_LIMIT = 8
            =======
            TURN_LIMIT = 10
            >>>>>>> REPLACE
            """
        let blob = try archive.storeBlob(transcript)
        try archive.addCost(id, usd: Double(tokensIn) * 0.15e-6 + Double(tokensOut) * 0.6e-6)
        _ = try archive.locked {
            try archive.db.run(
                """
                INSERT INTO llm_calls (run_id, variant, task_key, purpose, model, request_hash, tokens_in,
                                       tokens_out, latency_s, cost_usd, transcript_blob, created_at)
                VALUES (?, ?, NULL, 'mutate', 'smollm2-135m', ?, ?, ?, ?, ?, ?, ?)
                """, "demo", id.number, "hash-\(id.number)", tokensIn, tokensOut, 2.5,
                Double(tokensIn) * 0.15e-6 + Double(tokensOut) * 0.6e-6, blob, Date().timeIntervalSince1970)
        }
    }

    private static func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
