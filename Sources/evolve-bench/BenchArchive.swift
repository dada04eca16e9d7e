import EvolveArchive
import EvolveSupport
import Foundation

// MARK: - make-archive

/// A small deterministic generator (SplitMix64), so every benchmark archive is the same.
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

/// The suite name under which `make-archive --tasks K` records per-task outcomes.
let benchSuiteName = "bench"

/// The task ids of the simulated suite: t00, t01, …
func benchTaskIDs(_ count: Int) -> [String] { (0..<count).map { String(format: "t%02d", $0) } }

/// Builds an archive of `count` variants: a seed and `count - 1` children in a realistic tree (parents drawn
/// from the recent past, one file changed each, 15 % invalid). With `tasks > 0` every valid variant also gets
/// one recorded outcome per task of the suite `bench`, consistent with its score, so that the selectors'
/// view (`Candidates.build`) has outcome vectors and clade counts to work on.
func makeArchive(count: Int, at path: String, tasks: Int) throws {
    let seed = try Files.makeTemporaryDirectory(prefix: "bench-seed")
    defer { Files.removeTree(seed) }
    for i in 0..<8 {
        try Data("def f\(i)(x):\n    return x + \(i)\n".utf8).write(to: URL(fileURLWithPath: "\(seed)/f\(i).py"))
    }
    try Data("name: bench\nrun: python3 agent.py\n".utf8).write(to: URL(fileURLWithPath: "\(seed)/agent.yaml"))
    let archive = try Archive.create(at: path, seed: seed)
    try archive.setScore(VariantID(0), score: 0.2, status: .valid)
    var rng = SplitMix64(state: 42)
    var trees = [try archive.variant(VariantID(0)).tree]
    var scores = [0.2]
    let taskIDs = benchTaskIDs(tasks)
    func recordOutcomes(tree: String, score: Double) throws {
        for (i, task) in taskIDs.enumerated() {
            // The first ⌊score·K⌋ tasks pass, shifted by the tree's hash so vectors differ between variants.
            let shift = Int(tree.prefix(4), radix: 16) ?? 0
            let passed = (i + shift) % tasks < Int(score * Double(tasks))
            try archive.record(
                TaskOutcome(
                    tree: tree, suite: benchSuiteName, task: task, status: passed ? .passed : .failed,
                    durationSeconds: 0.05, log: passed ? "ok\n" : "FAILED\n", run: "bench"))
        }
    }
    if tasks > 0 { try recordOutcomes(tree: trees[0], score: 0.2) }
    let start = Date()
    for n in 1..<max(count, 1) {
        // Parents from the recent past, as a search draws them; scores drift up with noise.
        let window = min(n, 200)
        let parent = n - 1 - rng.below(window)
        let file = "f\(rng.below(8)).py"
        let tree = try archive.writeTree(
            base: trees[parent], changes: [file: .write("def g(x):\n    return x * \(n)\n")])
        let invalid = rng.unit() < 0.15
        let score = invalid ? nil : min(1, max(0, scores[parent] + (rng.unit() - 0.45) * 0.1))
        let v = try archive.record(
            parents: [VariantID(parent)], tree: invalid ? trees[parent] : tree,
            metadata: VariantMetadata(
                generation: n / 8 + 1, operator: "llm", run: "bench", status: invalid ? .invalid : .valid,
                reason: invalid ? "empty diff" : nil, score: score, summary: "edit \(file) (child \(n))",
                model: "bench"))
        if let score, tasks > 0 { try recordOutcomes(tree: v.tree, score: score) }
        trees.append(v.tree)
        scores.append(score ?? scores[parent])
        if n % 10_000 == 0 {
            let rate = Double(n) / Date().timeIntervalSince(start)
            FileHandle.standardError.write(Data("  \(n) variants (\(Int(rate))/s)\n".utf8))
        }
    }
    try archive.compact()
    let rate = Double(count) / Date().timeIntervalSince(start)
    print("made \(count) variants in \(String(format: "%.1f", Date().timeIntervalSince(start))) s (\(Int(rate))/s)")
}
