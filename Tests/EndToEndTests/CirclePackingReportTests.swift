import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// `evolve report` after a seeded circle-packing search with a MAP-Elites selector: the Pareto front, the
/// sum of the radii per generation and the grid are on the page, with the archive's own values.
@Suite("Circle packing report", .enabled(if: hasBubblewrap))
struct CirclePackingReportTests {
    /// configs/circle-packing-scripted.yaml with a MAP-Elites selector over the sum of the radii and code size.
    static let config = """
        archive: archive
        seed: seeds/agents/circle-packing
        suites: [circle-packing]
        generations: 3
        children: 2
        workers: 2
        random_seed: 1
        selector:
          name: map-elites
          features: [{name: sum_radii, bins: 3, min: 0, max: 2.7}, {name: code_size, bins: 2}]
        operators:
          - {name: scripted, weight: 1.0, file: configs/edits/circle-packing.json}
        budget: {evaluations: 100}
        sandbox: {timeout_s: 30, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
        """

    /// What a search left: its archive, its valid scored variants (as `list --json` rows), the members of
    /// `list --pareto --json`, and the best score.
    struct Searched {
        var archive: String
        var scored: [[String: Any]]
        var front: [[String: Any]]
        var best: Double
    }

    static func search(in scratch: String) async throws -> Searched {
        let archive = scratch + "/archive"
        try Self.config.write(toFile: scratch + "/circles.yaml", atomically: true, encoding: .utf8)
        let search = try await evolve(["search", "--config", scratch + "/circles.yaml", "--archive", archive])
        #expect(search.status == 0, "\(search.stderr)")
        let list = try await evolve(["list", "--archive", archive, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        let scored = rows.filter { $0["status"] as? String == "valid" && $0["score"] is Double }
        let best = try #require(scored.compactMap { $0["score"] as? Double }.max())
        #expect(best > 0)
        let pareto = try await evolve(["list", "--archive", archive, "--pareto", "--json"])
        let front = try JSONSerialization.jsonObject(with: Data(pareto.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!front.isEmpty)
        return Searched(archive: archive, scored: scored, front: front, best: best)
    }

    @Test func theReportShowsTheFrontTheSumOfRadiiPerGenerationAndTheGrid() async throws {
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-circles-report")
        defer { Files.removeTree(scratch) }
        let searched = try await Self.search(in: scratch)
        let (archive, scored, front, best) = (searched.archive, searched.scored, searched.front, searched.best)

        let report = try await evolve(["report", "--archive", archive, "--out", scratch + "/report.html"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(!report.stderr.contains("note:"), "\(report.stderr)")
        let html = try String(contentsOfFile: scratch + "/report.html", encoding: .utf8)
        for id in ["pareto", "objectives", "elites"] { #expect(html.contains("<section id=\"\(id)\">"), "\(id)") }

        // The front: the members of `evolve list --pareto`, among every valid, scored variant.
        #expect(html.contains("\(front.count) of \(scored.count) variants on the front"))
        for row in front {
            let id = try #require(row["id"] as? String)
            #expect(html.contains("<circle class=\"point front\" data-id=\"\(id)\""), "\(id)")
        }
        #expect(html.components(separatedBy: "<circle class=\"point").count - 1 == scored.count)

        // The sum of the radii per generation: its best is the best variant's (one task, score = sum / 2.7).
        #expect(html.contains("aria-label=\"sum_radii per generation\""))
        #expect(html.contains("best sum_radii \(String(format: "%.6g", best * 2.7))</title>"), "\(best * 2.7)")

        // The grid: 3 × 2 bins, each filled cell names its elite, and the best variant is the elite of its cell.
        let grid = html.components(separatedBy: "aria-label=\"MAP-Elites grid\"").last ?? ""
        let full = grid.components(separatedBy: "<g class=\"bin full\"").count - 1
        let empty = grid.components(separatedBy: "<rect class=\"bin empty\"").count - 1
        #expect(full >= 2 && full + empty == 6, "\(full) full, \(empty) empty")
        let bestID = try #require(scored.first { $0["score"] as? Double == best }?["id"] as? String)
        #expect(grid.contains("<g class=\"bin full\" data-id=\"\(bestID)\""))
        #expect(html.contains(">sum_radii · 3 bins</text>") && html.contains(">code_size · 2 bins</text>"))

        // The check's metrics and artifacts reach the side panel.
        #expect(html.contains("sum_radii = ") && html.contains("<b>check</b>: valid; sum "))

        // Run where the suites cannot be found: the page is written without those views, and a note says why.
        let elsewhere = try await evolve(["report", "--archive", archive, "--out", scratch + "/b.html"], in: scratch)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        #expect(elsewhere.stderr.contains("note: the suites of run"), "\(elsewhere.stderr)")
        let plain = try String(contentsOfFile: scratch + "/b.html", encoding: .utf8)
        #expect(!plain.contains("<section id=\"pareto\">") && !plain.contains("<section id=\"elites\">"))
    }

    @Test func theLiveViewOfEvolveServeShowsTheSameSections() async throws {
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-circles-serve")
        defer { Files.removeTree(scratch) }
        let searched = try await Self.search(in: scratch)
        let archive = searched.archive
        let (serve, banner) = try await offThePool {
            try EvalReportServeCLITests.startServe(archive: archive, in: repoRoot)
        }
        defer { serve.stop() }
        let port = try #require(
            banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "no port in: \(banner)")
        let body = try EvalReportServeCLITests.fetch("http://127.0.0.1:\(port)/api/report")
        #expect(body.status == "200")
        for id in ["pareto", "objectives", "elites"] { #expect(body.body.contains("<section id=\"\(id)\">"), "\(id)") }
        #expect(body.body.contains("\(searched.front.count) of \(searched.scored.count) variants on the front"))
        serve.signal(SIGTERM)
        await serve.wait()
    }
}
