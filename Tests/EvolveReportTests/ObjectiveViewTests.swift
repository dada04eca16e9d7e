import EvolveArchive
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveReport

/// The report's objective views as data and as SVG: the per-generation series, the Pareto front, the grid,
/// and the page's sections (present only when there is something to draw, escaped whatever they hold).
@Suite("Objective views in the report")
struct ObjectiveViewTests {
    static func variant(_ n: Int, generation: Int, status: VariantStatus = .valid) -> Variant {
        Variant(
            id: VariantID(n), commit: String(repeating: "c", count: 40), tree: "tree\(n)", parents: [],
            generation: generation, operator: "llm", run: nil, status: status, reason: nil, score: 0.5,
            summary: "v\(n)", model: nil, costUSD: 0, createdAt: 0)
    }

    static func outcome(_ n: Int, _ task: String, passed: Bool, _ metrics: [String: Double]) -> TaskOutcome {
        TaskOutcome(
            tree: "tree\(n)", suite: "s", task: task, status: passed ? .passed : .failed, durationSeconds: 1,
            log: "", verdicts: TaskVerdicts(source: "metrics", tests: [], metrics: metrics))
    }

    @Test func eachGenerationHasTheBestAndMeanOfItsValidVariantsWhoseCheckPassed() {
        let variants = [
            Self.variant(0, generation: 0), Self.variant(1, generation: 1), Self.variant(2, generation: 1),
            Self.variant(3, generation: 1, status: .invalid), Self.variant(4, generation: 1),
            Self.variant(5, generation: 3),
        ]
        let outcomes = [
            Self.outcome(0, "a", passed: true, ["sum_radii": 2.0]),
            // v1: two tasks, a mean of 2.2 and 2.4.
            Self.outcome(1, "a", passed: true, ["sum_radii": 2.2]),
            Self.outcome(1, "b", passed: true, ["sum_radii": 2.4]),
            Self.outcome(2, "a", passed: true, ["sum_radii": 2.5]),
            // Not a result: an invalid variant, a failed check, a NaN.
            Self.outcome(3, "a", passed: true, ["sum_radii": 9]),
            Self.outcome(4, "a", passed: false, ["sum_radii": 9]),
            Self.outcome(5, "a", passed: true, ["sum_radii": .nan]),
        ]
        let up = ObjectiveSeries.perGeneration(
            name: "sum_radii", maximize: true, variants: variants, outcomes: outcomes)
        #expect(up.generations.map(\.generation) == [0, 1, 2, 3])
        #expect(up.generations[0].best == 2.0 && up.generations[0].mean == 2.0)
        #expect(up.generations[1].best == 2.5)
        #expect(abs((up.generations[1].mean ?? 0) - 2.4) < 1e-12)
        #expect(up.generations[1].variants == 2)
        #expect(up.generations[2].best == nil && up.generations[3].best == nil && up.generations[3].variants == 0)
        let down = ObjectiveSeries.perGeneration(
            name: "sum_radii", maximize: false, variants: variants, outcomes: outcomes)
        #expect(abs((down.generations[1].best ?? 0) - 2.3) < 1e-12)

        let svg = ObjectiveCharts.objective(up)
        #expect(svg.contains("aria-label=\"sum_radii per generation\""))
        #expect(svg.contains("class=\"series best-gen\"") && svg.contains("class=\"series mean\""))
        #expect(svg.contains("best sum_radii 2.5</title>"))
        #expect(count("<circle class=\"dot best-gen\"", in: svg) == 2)
    }

    static let pareto = ParetoView(points: [
        .init(id: VariantID(0), generation: 0, score: 0.5, costPerTask: 0, onFront: true),
        .init(id: VariantID(1), generation: 1, score: 0.9, costPerTask: 0.02, onFront: true),
        .init(id: VariantID(2), generation: 1, score: 0.4, costPerTask: 0.01, onFront: false),
        .init(id: VariantID(3), generation: 2, score: 0.9, costPerTask: 0.05, onFront: false),
    ])

    @Test func theFrontIsHighlightedAmongEveryVariant() {
        #expect(Self.pareto.front.map(\.id) == [VariantID(0), VariantID(1)])
        let svg = ObjectiveCharts.pareto(Self.pareto)
        #expect(count("<circle class=\"point", in: svg) == 4)
        #expect(count("<circle class=\"point front\"", in: svg) == 2)
        #expect(svg.contains("class=\"point front\" data-id=\"v1\""))
        #expect(svg.contains("class=\"point\" data-id=\"v3\""))
        #expect(svg.contains("class=\"series front\""))
        #expect(svg.contains(">agent&#39;s model cost per task (USD)</text>"))
        let table = ObjectiveCharts.frontTable(Self.pareto)
        #expect(count("<tr data-id=", in: table) == 2)
        #expect(table.range(of: "v1")!.lowerBound < table.range(of: "v0")!.lowerBound)
    }

    @Test func theGridDrawsEveryBinAndNamesEachElite() {
        let grid = EliteGridView(
            dimensions: [
                .init(name: "sum_radii", bins: 3, min: 0, max: 2.7),
                .init(name: "code_size", bins: 2, min: 10, max: 30),
            ],
            cells: [
                .init(coordinates: [0, 0], elite: VariantID(0), score: 0.3, occupants: 1),
                .init(coordinates: [2, 1], elite: VariantID(7), score: 0.9, occupants: 3),
            ],
            unplaced: 1)
        let svg = EliteGridSVG.render(grid)
        #expect(count("<rect class=\"bin empty\"", in: svg) == 4)
        #expect(count("<g class=\"bin full\"", in: svg) == 2)
        #expect(svg.contains("<g class=\"bin full\" data-id=\"v7\"><rect") && svg.contains(">v7</text>"))
        #expect(svg.contains("sum_radii 1.8…2.7; code_size 20…30: elite v7, score 0.900, 3 variants"))
        #expect(svg.contains("fill=\"\(Markup.scoreColor(0.9))\""))
        #expect(svg.contains(">sum_radii · 3 bins</text>") && svg.contains(">code_size · 2 bins</text>"))
        let legend = EliteGridSVG.legend(grid)
        #expect(legend.contains("2 of 6 cells filled") && legend.contains("1 variants without a value"))

        // A third dimension is projected: the best elite of the cells above a plane cell, occupants added.
        var deep = grid
        deep.dimensions.append(.init(name: "diversity", bins: 2, min: 0, max: 1))
        deep.cells = [
            .init(coordinates: [1, 0, 0], elite: VariantID(2), score: 0.4, occupants: 2),
            .init(coordinates: [1, 0, 1], elite: VariantID(5), score: 0.8, occupants: 1),
        ]
        #expect(deep.plane == [.init(coordinates: [1, 0], elite: VariantID(5), score: 0.8, occupants: 3)])
        #expect(EliteGridSVG.legend(deep).contains("plane of the first two features"))
        // One dimension: one row.
        let row = EliteGridView(
            dimensions: [.init(name: "score", bins: 4, min: 0, max: 1)],
            cells: [.init(coordinates: [3], elite: VariantID(1), score: 1, occupants: 1)], unplaced: 0)
        #expect(count("<rect class=\"bin empty\"", in: EliteGridSVG.render(row)) == 3)
    }

    @Test("a page without objective views is the page as before; with them, each section once")
    func sectionsOnlyWhenThereIsSomethingToDraw() throws {
        let scratch = try Scratch()
        let made = try DemoArchive.make(at: scratch.path + "/archive", variants: 20)
        let plain = ReportPage.render(try ReportData.load(from: made.archive))
        let none = ReportPage.render(
            try ReportData.load(from: made.archive, options: ReportOptions(objectiveViews: { _ in ObjectiveViews() })))
        for id in ["pareto", "objectives", "elites"] {
            #expect(!plain.contains("<section id=\"\(id)\"") && !none.contains("<section id=\"\(id)\""))
        }
        #expect(count("<section", in: plain) == count("<section", in: none))

        let views = ObjectiveViews(
            pareto: Self.pareto,
            objectives: [
                ObjectiveSeries(
                    name: "sum_radii", maximize: true,
                    generations: [.init(generation: 0, best: 2, mean: 2, variants: 1)])
            ],
            grid: EliteGridView(dimensions: [.init(name: "code_size", bins: 2, min: 0, max: 9)], cells: [], unplaced: 0)
        )
        let html = ReportPage.render(
            try ReportData.load(from: made.archive, options: ReportOptions(objectiveViews: { _ in views })))
        for id in ["pareto", "objectives", "elites"] { #expect(count("<section id=\"\(id)\"", in: html) == 1) }
        #expect(html.contains("aria-label=\"Score against cost per task\""))
        #expect(html.contains("aria-label=\"MAP-Elites grid\""))
        // The sections sit right below the score per generation.
        #expect(html.range(of: "id=\"scores\"")!.lowerBound < html.range(of: "id=\"pareto\"")!.lowerBound)
        #expect(html.range(of: "id=\"elites\"")!.lowerBound < html.range(of: "id=\"family\"")!.lowerBound)
    }

    @Test("hostile metric names, feature names and artifacts are text, never markup")
    func hostileTextIsEscaped() throws {
        let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>"
        let series = ObjectiveSeries(
            name: evil, maximize: true, generations: [.init(generation: 0, best: 1, mean: 1, variants: 1)])
        let grid = EliteGridView(
            dimensions: [.init(name: evil, bins: 2, min: 0, max: 1)],
            cells: [.init(coordinates: [1], elite: VariantID(0), score: 1, occupants: 1)], unplaced: 0)
        let outcome = TaskOutcome(
            tree: "tree0", suite: "s", task: "t", status: .passed, durationSeconds: 1, log: "",
            verdicts: {
                var v = TaskVerdicts(source: "metrics", tests: [], metrics: [evil: 2.5, "sum_radii": 2.5])
                v.artifacts = ["check": evil, evil: "x"]
                return v
            }())
        let panel = VariantDetail(variant: Self.variant(0, generation: 0), outcomes: [outcome]).html()
        #expect(panel.contains("sum_radii = 2.5") && panel.contains("<b>check</b>: &lt;script&gt;"))
        let sections = ObjectiveSections.html(ObjectiveViews(objectives: [series], grid: grid))
        for html in [panel, sections, ObjectiveCharts.objective(series), EliteGridSVG.render(grid)] {
            #expect(!html.contains("<script") && !html.contains("<img"))
            #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }
}
