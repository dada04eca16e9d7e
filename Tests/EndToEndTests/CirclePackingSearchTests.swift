import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

enum HiddenMarker {
    /// What the engine writes in place of hidden-test text (`HiddenTextRedactor.marker`).
    static let text = "[hidden test text]"
}

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

    @Test func theScoreRisesAndInvalidPackingsScoreNothing() async throws {
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-circles")
        defer { Files.removeTree(scratch) }
        let archive = scratch + "/archive"
        let search = try await evolve([
            "search", "--config", "configs/circle-packing-scripted.yaml", "--archive", archive,
        ])
        #expect(search.status == 0, "\(search.stderr)")
        let list = try await evolve(["list", "--archive", archive, "--json"])
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
        // The check's artifacts are stored with its metrics, readable (not redacted as hidden-test text).
        let stored = try run(["sqlite3", "-readonly", archive + "/index.sqlite", "SELECT verdicts FROM evaluations"])
        #expect(
            stored.out.contains(String(format: "\"check\":\"valid; sum %.6f\"", try Self.seedSum())), "\(stored.out)")
        #expect(stored.out.contains("\"check\":\"circle 0: outside\""))
        #expect(!stored.out.contains(HiddenMarker.text))
    }

    /// The check on hostile packings: each is refused with its reason and a sum of 0; the seed's passes.
    @Test func theCheckRefusesHostilePackings() throws {
        let check = repoRoot + "/seeds/suites/circle-packing/tasks/c01-26-circles/tests/check_packing.py"
        let good = (0..<26).map { i in "[\(0.1 + Double(i % 5) * 0.2), \(0.1 + Double(i / 5) * 0.16), 0.05]" }
        let cases: [(String, String?, String)] = [
            ("{\"circles\": [\(good.joined(separator: ","))]}", nil, "valid; sum 1.300000"),
            ("{\"circles\": [\(good.dropLast().joined(separator: ","))]}", nil, "25 circles, not 26"),
            ("{\"circles\": [[NaN, 0.5, 0.1],\(good.dropFirst().joined(separator: ","))]}", nil, ": not finite"),
            ("{\"circles\": [[0.95, 0.5, 0.1],\(good.dropFirst().joined(separator: ","))]}", nil, "circle 0: outside"),
            (
                "{\"circles\": [[0.1, 0.1, 0.05],\(good.dropLast().joined(separator: ","))]}", nil,
                "circles 0 and 1 overlap"
            ),
            (
                "{\"circles\": [[0.1, 0.1, true],\(good.dropFirst().joined(separator: ","))]}", nil,
                "circle 0: not [x, y, r]"
            ),
            ("", "/etc/hostname", "no packing.json file"),
            (String(repeating: "[", count: 100_000), nil, "not JSON"),
        ]
        for (text, linkTarget, expected) in cases {
            let dir = try Files.makeTemporaryDirectory(prefix: "evolve-packing")
            defer { Files.removeTree(dir) }
            if let linkTarget {
                try FileManager.default.createSymbolicLink(
                    atPath: dir + "/packing.json", withDestinationPath: linkTarget)
            } else {
                try text.write(toFile: dir + "/packing.json", atomically: true, encoding: .utf8)
            }
            try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
            let result = try run(["EVOLVE_RESULTS_DIR=\(dir)/out", "/usr/bin/python3", check], in: dir)
            #expect(result.out.contains(expected), "\(expected): \(result.out)")
            let report =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/metrics.json"))) as? [String: Any]
            let metrics = report?["metrics"] as? [String: Double]
            let valid = expected.hasPrefix("valid")
            #expect(result.status == (valid ? 0 : 1), "\(expected)")
            #expect(metrics?["valid"] == (valid ? 1 : 0), "\(expected)")
            #expect(valid ? abs((metrics?["sum_radii"] ?? 0) - 1.3) < 1e-9 : metrics?["sum_radii"] == 0, "\(expected)")
        }
    }
}
