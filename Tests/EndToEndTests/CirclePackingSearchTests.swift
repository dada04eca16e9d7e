import EvolveSupport
import Foundation
import Testing

/// The circle-packing example end to end: a seeded search with the scripted operator on a numeric suite.
@Suite("Circle packing search", .enabled(if: hasBubblewrap))
struct CirclePackingSearchTests {
    /// The sum of the radii the seed program prints, computed here from its own output.
    static func seedSum() throws -> Double {
        let result = try run(["/usr/bin/python3", repoRoot + "/seeds/agents/circle-packing/pack.py"])
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        let circles = object?["circles"] as? [[Double]] ?? []
        #expect(circles.count == 26)
        return circles.map { $0[2] }.reduce(0, +)
    }

    @Test func theScoreRisesAndInvalidPackingsScoreNothing() throws {
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-circles")
        defer { Files.removeTree(scratch) }
        let archive = scratch + "/archive"
        let search = try evolve(["search", "--config", "configs/circle-packing-scripted.yaml", "--archive", archive])
        #expect(search.status == 0, "\(search.stderr)")
        let list = try evolve(["list", "--archive", archive, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        func score(_ summary: String) -> Double? {
            rows.first { ($0["summary"] as? String)?.contains(summary) == true }?["score"] as? Double
        }
        let seed = try #require(score("seed circle-packing"))
        // The seed's score is its sum of radii over the objective's upper bound (2.7).
        #expect(abs(seed - (try Self.seedSum()) / 2.7) < 1e-9)
        let full = try #require(score("use the full radii"))
        let grown = try #require(score("grow each circle"))
        #expect(full > seed)
        #expect(grown > full)
        // Overlapping circles report a large sum but fail the check: the score is 0.
        #expect(score("inflate every circle") == 0)
        // A sum written next to the circles is ignored: the check recomputes it from the circles.
        #expect(score("report a forged sum") == grown)
        let best = rows.compactMap { $0["score"] as? Double }.max() ?? 0
        #expect(best == grown)
    }
}
