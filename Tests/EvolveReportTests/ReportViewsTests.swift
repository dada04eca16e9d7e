import EvolveApp
import EvolveArchive
import EvolveReport
import EvolveSearch
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// `ReportViews`: what `evolve report` and `evolve serve` compute for the page from the run's saved
/// configuration, with the search's own front and binning.
@Suite("Report views from the run")
struct ReportViewsTests {
    static let task = "c01-26-circles"

    /// An archive on the circle-packing suite: the seed and four children with their sums of radii (nil: the
    /// check failed), agent costs per task, and a run saved with `selector`.
    static func archive(_ dir: String, selector: String, suitesDir: String = repoRoot + "/seeds/suites") throws
        -> (Archive, [Variant])
    {
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try "print(0)\n".write(toFile: dir + "/seed/pack.py", atomically: true, encoding: .utf8)
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        var variants = [try archive.variant(VariantID(0))]
        let sums: [Double?] = [1.0, 2.0, nil, 2.4, 2.4]
        let costs = [0, 0.01, 0.02, 0.03, 0.01]
        for (i, sum) in sums.enumerated() {
            if i > 0 {
                let lines = String(repeating: "x = 1\n", count: i * 10)
                let tree = try archive.writeTree(base: variants[0].tree, changes: ["pack.py": .write(lines)])
                variants.append(
                    try archive.record(
                        parents: [VariantID(0)], tree: tree,
                        metadata: VariantMetadata(generation: 1, operator: "test", summary: "c\(i)", slot: i - 1)))
            }
            let v = variants[i]
            try archive.record(
                TaskOutcome(
                    tree: v.tree, suite: "circle-packing", task: task, status: sum == nil ? .failed : .passed,
                    durationSeconds: 1, log: "",
                    verdicts: TaskVerdicts(source: "metrics", tests: [], metrics: ["sum_radii": sum ?? 0])))
            try archive.setScore(v.id, score: (sum ?? 0) / 2.7, status: .valid)
            if costs[i] > 0 {
                try archive.recordCall(
                    LLMCallRow(
                        run: nil, variant: v.id, taskKey: "\(v.id)/circle-packing/\(task)", purpose: "agent",
                        model: "m",
                        requestHash: UUID().uuidString, tokensIn: 1, tokensOut: 1, latencySeconds: 0,
                        costUSD: costs[i], transcriptBlob: "", createdAt: 0),
                    transcript: "{}")
            }
        }
        let config = """
            {"seed": "\(dir)/seed", "suites": ["circle-packing"], "suites_dir": "\(suitesDir)", "selector": \(selector)}
            """
        _ = try archive.startRun(config: config)
        return (archive, variants)
    }

    @Test func theFrontTheObjectiveAndTheGridComeFromTheSearchsDefinitions() throws {
        let scratch = try Scratch()
        let selector = """
            {"name": "map-elites", "features": [{"name": "sum_radii", "bins": 3, "min": 0, "max": 2.7}, \
            {"name": "code_size", "bins": 2}]}
            """
        let (archive, v) = try Self.archive(scratch.path, selector: selector)
        let views = try ReportViews.load(from: archive)
        #expect(views.notes.isEmpty)

        // The front: the same members as `evolve list --pareto`; every variant a point.
        let pareto = try #require(views.pareto)
        #expect(pareto.points.count == 5)
        let listed = try ParetoList.front(archive: archive).map(\.variant.id)
        #expect(Set(pareto.front.map(\.id)) == Set(listed))
        #expect(pareto.front.map(\.id) == [v[0].id, v[4].id])

        // sum_radii per generation: the seed's, then the best and mean of the children whose check passed.
        let series = try #require(views.objectives.first)
        #expect(views.objectives.count == 1 && series.name == "sum_radii" && series.maximize)
        #expect(series.generations.map(\.best) == [1.0, 2.4])
        #expect(abs((series.generations[1].mean ?? 0) - 6.8 / 3) < 1e-12)

        // The grid: the declared dimensions, each variant binned as the selector bins it.
        let grid = try #require(views.grid)
        #expect(grid.dimensions.map(\.name) == ["sum_radii", "code_size"])
        #expect(grid.dimensions.map(\.bins) == [3, 2])
        #expect(grid.dimensions[0].min == 0 && grid.dimensions[0].max == 2.7)
        #expect(grid.unplaced == 0)
        #expect(grid.cells.map(\.occupants).reduce(0, +) == 5)
        // v3 and v4 share sum_radii 2.4 (the top bin) and the larger code size: the older, v3, is the elite.
        let top = try #require(grid.cells.first { $0.coordinates == [2, 1] })
        #expect(top.elite == v[3].id && top.occupants == 2)
        #expect(grid.cells.first { $0.coordinates == [1, 0] }?.elite == v[0].id)
        #expect(grid.cells.first { $0.coordinates == [2, 0] }?.elite == v[1].id)
        // v2 failed its check: sum_radii 0, score 0, in the first bin.
        #expect(grid.cells.first { $0.coordinates == [0, 0] }?.elite == v[2].id)
    }

    @Test func aPassFailRunOrAnotherSelectorHasNoGridAndNoObjectives() throws {
        let scratch = try Scratch()
        let (archive, _) = try Self.archive(scratch.path, selector: "{\"name\": \"greedy\"}")
        let views = try ReportViews.load(from: archive)
        #expect(views.grid == nil && views.pareto != nil && !views.objectives.isEmpty)

        let plain = try Scratch()
        let made = try DemoArchive.make(at: plain.path + "/archive", variants: 8)
        #expect(try ReportViews.load(from: made.archive).isEmpty)  // no run at all
        _ = try made.archive.startRun(
            config: "{\"seed\": \"x\", \"suites\": [\"pyfix\"], \"suites_dir\": \"\(repoRoot)/seeds/suites\"}")
        let passFail = try ReportViews.load(from: made.archive)
        #expect(passFail.isEmpty && passFail.notes.isEmpty)
    }

    @Test func suitesThatCannotBeFoundAreANoteNotAFailure() throws {
        let scratch = try Scratch()
        let (archive, _) = try Self.archive(
            scratch.path, selector: "{\"name\": \"map-elites\"}", suitesDir: scratch.path + "/nowhere")
        let views = try ReportViews.load(from: archive)
        #expect(views.isEmpty)
        #expect(views.notes.count == 1 && views.notes[0].contains("cannot be read"))
    }
}
