import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation
import Testing

@testable import EvolveSearch

func sized(_ id: Int, lines: Int, score: Double, outcomes: [Bool] = [true], metrics: [String: Double] = [:])
    -> Candidate
{
    Candidate(id: VariantID(id), score: score, outcomes: outcomes, codeSize: lines, features: metrics)
}

@Suite struct MapElitesTests {
    @Test func binsAtTheirEdges() {
        // 8 bins over 0…8: an inner edge belongs to the upper bin, the top bound to the last bin.
        let cases: [(Double, Int)] = [
            (0, 0), (0.999, 0), (1, 1), (3.5, 3), (7, 7), (7.999, 7), (8, 7), (-3, 0), (1e9, 7),
        ]
        for (value, expected) in cases {
            #expect(FeatureDimension.bin(value, low: 0, high: 8, bins: 8) == expected, "value \(value)")
        }
        // Decimal edges that floating point cannot represent exactly still land where a person expects.
        for i in 0...10 {
            #expect(
                FeatureDimension.bin(Double(i) / 10, low: 0, high: 1, bins: 10) == min(i, 9), "value \(Double(i) / 10)")
            #expect(FeatureDimension.bin(Double(i) / 10 - 1e-9, low: 0, high: 1, bins: 10) == max(0, i - 1))
        }
        #expect(FeatureDimension.bin(5, low: 2, high: 2, bins: 4) == 0)  // no width: one bin
        #expect(FeatureDimension.bin(5, low: 0, high: 10, bins: 1) == 0)
    }

    @Test func eachCellKeepsItsBestAndTiesGoToTheOlder() {
        let selector = MapElitesSelector(features: [FeatureDimension(name: "code_size", bins: 4, min: 0, max: 400)])
        let grid = selector.grid([
            sized(0, lines: 10, score: 0.2), sized(1, lines: 50, score: 0.6), sized(2, lines: 90, score: 0.6),
            sized(3, lines: 150, score: 0.1), sized(4, lines: 399, score: 0.3), sized(5, lines: 400, score: 0.9),
        ])
        #expect(grid.cells.map(\.coordinates) == [[0], [1], [3]])
        #expect(grid.cell([0]) == EliteCell(coordinates: [0], elite: VariantID(1), score: 0.6, occupants: 3))
        #expect(grid.cell([1])?.elite == VariantID(3))
        #expect(grid.cell([3]) == EliteCell(coordinates: [3], elite: VariantID(5), score: 0.9, occupants: 2))
        #expect(grid.unplaced == 0)
        #expect(grid.dimensions[0].min == 0 && grid.dimensions[0].max == 400)
    }

    @Test func drawsAreUniformOverOccupiedCellsNotOverVariants() {
        // One crowded cell (9 variants) and one lone variant: each elite is drawn about half the time.
        var candidates = (0..<9).map { sized($0, lines: 100, score: Double($0) / 10) }
        candidates.append(sized(9, lines: 900, score: 0))
        let selector = MapElitesSelector(features: [FeatureDimension(name: "code_size", bins: 2)])
        let f = frequencies(selector, candidates, draws: 20_000)
        #expect(Set(f.keys) == [VariantID(8), VariantID(9)])
        #expect(abs((f[VariantID(9)] ?? 0) - 0.5) < 0.02)
    }

    @Test func aMetricThatIsNaNOrInfiniteTakesNoCell() {
        // A hostile variant reports an infinite (or NaN) metric with a perfect score: it is left out of the
        // grid and never drawn; the honest variants keep their cells.
        let candidates = [
            sized(0, lines: 10, score: 0.3, metrics: ["speed": 1]),
            sized(1, lines: 10, score: 0.5, metrics: ["speed": 9]),
            sized(2, lines: 10, score: 1, metrics: ["speed": .infinity]),
            sized(3, lines: 10, score: 1, metrics: ["speed": .nan]),
            sized(4, lines: 10, score: 1),
        ]
        let selector = MapElitesSelector(features: [FeatureDimension(name: "speed", bins: 2)])
        let grid = selector.grid(candidates)
        #expect(grid.unplaced == 3)
        #expect(grid.cells.map(\.elite) == [VariantID(0), VariantID(1)])
        #expect(grid.dimensions[0].max == 9)  // the bounds come from the finite values only
        #expect(Set(frequencies(selector, candidates, draws: 2000).keys) == [VariantID(0), VariantID(1)])
    }

    @Test func diversityIsTheMeanHammingDistanceToTheOthers() {
        let vectors: [[Bool]] = [[true, true, false, false], [true, true, false, false], [false, false, true, true]]
        #expect(FeatureValues.meanDistances(vectors) == [0.5, 0.5, 1])
        #expect(FeatureValues.meanDistances([[true]]) == [0])
        let grid = MapElitesSelector(features: [FeatureDimension(name: "diversity", bins: 2, min: 0, max: 1)])
            .grid(vectors.enumerated().map { Candidate(id: VariantID($0), score: 0, outcomes: $1) })
        #expect(grid.cells.map(\.coordinates) == [[1]])  // 0.5 sits on the edge: the upper bin, with 1.0
    }

    @Test func sameSeedSamePicksAndTwoFeatureGrid() {
        let candidates = (0..<30).map { i in
            sized(i, lines: 20 * i, score: Double(i % 5) / 5, outcomes: (0..<6).map { (i >> $0) & 1 == 1 })
        }
        let selector = MapElitesSelector(features: MapElitesSelector.defaultFeatures)
        #expect(selector.needsCodeSize)
        func picks(_ seed: UInt64) -> [VariantID] {
            var rng = SeededGenerator(seed: seed)
            return selector.select(candidates, count: 50, rng: &rng)
        }
        #expect(picks(1) == picks(1))
        #expect(picks(1) != picks(2))
        let grid = selector.grid(candidates)
        #expect(grid.cells.allSatisfy { $0.coordinates.count == 2 })
        #expect(grid.cells.reduce(0) { $0 + $1.occupants } == 30)
        #expect(Set(picks(1)).isSubset(of: Set(grid.cells.map(\.elite))))
    }

    @Test func withNothingPlaceableItFallsBackToTheBest() {
        // No code size measured: every candidate is unplaced; the draw is the best score, ties to the older.
        let candidates = [
            Candidate(id: VariantID(0), score: 0.4), Candidate(id: VariantID(1), score: 0.7),
            Candidate(id: VariantID(2), score: 0.7),
        ]
        var rng = SeededGenerator(seed: 0)
        let picks = MapElitesSelector(features: [FeatureDimension(name: "code_size")]).select(
            candidates, count: 3, rng: &rng)
        #expect(picks == [VariantID(1), VariantID(1), VariantID(1)])
    }
}

@Suite struct CodeSizeTests {
    @Test func codeSizeIsTheLinesOfTheTreeReadFromGit() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-size")
        defer { Files.removeTree(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/seed/lib", withIntermediateDirectories: true)
        try "a\nb\n".write(toFile: dir + "/seed/agent.py", atomically: true, encoding: .utf8)
        try "one\ntwo\nthree".write(toFile: dir + "/seed/lib/util.py", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        let seed = try archive.variant(VariantID(0))
        #expect(try archive.lineCount(tree: seed.tree) == 5)
        // A child that adds a 10-line file and a line to agent.py: 16; a binary file adds no lines.
        let tree = try archive.writeTree(
            base: seed.tree,
            changes: [
                "more.py": .write(String(repeating: "x\n", count: 10)), "agent.py": .write("a\nb\nc\n"),
                "blob.bin": .write("\u{0}\u{1}\u{2}binary\u{0}"),
            ])
        let child = try archive.record(
            parents: [seed.id], tree: tree,
            metadata: VariantMetadata(generation: 1, operator: "test", summary: "grow", slot: 0))
        #expect(try archive.lineCount(tree: child.tree) == 16)
        #expect(throws: EvolveError.self) { try archive.lineCount(tree: "not-a-tree") }

        // Candidates carry it only when asked (MAP-Elites with code_size), with generation, slot and parent.
        let task = SuiteTask(
            id: "t", directory: dir, promptPath: dir, workspacePath: nil, testsPath: nil, check: "true",
            timeoutSeconds: 1, checkTimeoutSeconds: 1)
        let suite = Suite(
            name: "s", directory: dir, check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1, stages: [],
            tasks: [task])
        for v in [seed, child] {
            try archive.record(
                TaskOutcome(tree: v.tree, suite: "s", task: "t", status: .passed, durationSeconds: 0, log: ""))
            try archive.setScore(v.id, score: 1, status: .valid)
        }
        let plain = try Candidates.build(archive: archive, suites: [suite])
        #expect(plain.map(\.codeSize) == [nil, nil])
        let measured = try Candidates.build(archive: archive, suites: [suite], codeSize: true)
        #expect(measured.map(\.codeSize) == [5, 16])
        #expect(measured[1].parent == VariantID(0) && measured[1].generation == 1 && measured[1].slot == 0)
        #expect(measured[0].parent == nil && measured[0].slot == nil)
    }
}
