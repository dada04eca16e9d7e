import EvolveArchive
import EvolveSupport
import Foundation

// evolve-bench: generators for the benchmark scripts in scripts/ (not part of the user's command line).
//
//   evolve-bench make-archive N DIR     an archive of N variants (a seed and N-1 children in a realistic
//                                       tree: parents drawn from the better half, one file changed each)

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

func makeArchive(count: Int, at path: String) throws {
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
    let start = Date()
    for n in 1..<count {
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

let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "make-archive" where arguments.count == 3:
        try makeArchive(count: Int(arguments[arguments.startIndex + 1]) ?? 1000, at: arguments[arguments.startIndex + 2])
    default:
        FileHandle.standardError.write(Data("usage: evolve-bench make-archive N DIR\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("evolve-bench: \(error)\n".utf8))
    exit(1)
}
