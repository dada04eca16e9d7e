import EvolveArchive
import EvolveReport
import EvolveTestSupport
import Foundation
import Testing

/// Occurrences of `needle` in `text`.
func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// The part of `html` between the first `open` and the next `close`.
func slice(_ html: String, from open: String, to close: String) -> String {
    guard let start = html.range(of: open), let end = html.range(of: close, range: start.upperBound..<html.endIndex)
    else { return "" }
    return String(html[start.lowerBound..<end.upperBound])
}

@Suite("The HTML report")
struct ReportTests {
    @Test("the report draws every variant once, with the plots a reader expects")
    func reportHasEverything() throws {
        let scratch = try Scratch()
        let made = try DemoArchive.make(at: scratch.path + "/archive", variants: 40)
        let (html, data) = try ReportService().render(archivePath: scratch.path + "/archive")

        #expect(data.variants.count == made.variants)
        let tree = slice(html, from: "<svg class=\"tree\"", to: "</svg>")
        #expect(count("<circle class=\"node", in: tree) == made.variants)
        #expect(count("<circle class=\"node invalid", in: tree) == made.invalid)
        #expect(made.invalid > 0)
        // Every id appears exactly once as a node.
        for n in 0..<made.variants { #expect(count("data-id=\"v\(n)\" cx=", in: tree) == 1) }
        // The best path is bold and ends at the best variant.
        let best = try #require(data.best)
        #expect(tree.contains("class=\"node path best\" data-id=\"\(best.id)\""))
        #expect(data.bestPath.first == VariantID(0) && data.bestPath.last == best.id)
        #expect(tree.contains("class=\"edge best\""))

        // The plots, with labelled axes.
        #expect(html.contains("aria-label=\"Best and mean score per generation\""))
        #expect(html.contains("class=\"series best-so-far\"") && html.contains("class=\"series mean\""))
        #expect(html.contains("aria-label=\"Tokens per generation\"") && html.contains("class=\"bar tokens-in\""))
        #expect(html.contains("aria-label=\"Cost per generation\"") && html.contains("class=\"bar cost\""))
        #expect(html.contains(">generation</text>") && html.contains(">score</text>"))
        let heat = slice(html, from: "<svg class=\"heatmap\"", to: "</svg>")
        #expect(count("<rect class=\"cell\"", in: heat) == DemoArchive.tasks.count * data.heatMap.columns.count)
        #expect(data.heatMap.columns.first?.id == best.id)

        // The best variants' diffs, and a panel for every node.
        #expect(html.contains("<section id=\"diffs\">"))
        #expect(html.contains("<span class=\"da\">+hint_"))
        #expect(count("<template id=\"d-v", in: html) == made.variants)
        // Self-contained: nothing is fetched from anywhere.
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))
    }

    @Test("per-generation figures: best so far never drops, cost and tokens add up")
    func generationFigures() throws {
        let scratch = try Scratch()
        let made = try DemoArchive.make(at: scratch.path + "/archive", variants: 30)
        let data = try ReportData.load(from: made.archive)
        var previous = -1.0
        for g in data.generations {
            if let b = g.bestSoFar {
                #expect(b >= previous)
                previous = b
            }
            if let mean = g.mean, let best = g.best { #expect(mean <= best) }
        }
        #expect(data.generations.map(\.variants).reduce(0, +) == made.variants)
        // Every variant but the seed has one recorded call.
        #expect(data.usage.map(\.calls).reduce(0, +) == made.variants - 1)
        #expect(data.totalTokens > 0 && data.totalCostUSD > 0)
    }

    @Test("a variant's panel shows its metadata, outcomes with logs, diff and transcript")
    func variantDetail() throws {
        let scratch = try Scratch()
        let made = try DemoArchive.make(at: scratch.path + "/archive", variants: 12)
        let detail = try VariantDetail.load(from: made.archive, id: made.child)
        let html = detail.html()
        #expect(html.contains("<h3>") && html.contains(made.child.description))
        #expect(html.contains("Outcomes on pyfix:"))
        #expect(html.contains("Ran 4 tests") || html.contains("AssertionError"))
        #expect(html.contains("<span class=\"da\">+hint_"))
        #expect(html.contains("SEARCH/REPLACE"))
        let json = detail.json()
        #expect(json.contains("\"diff\":\"diff --git") && json.contains("\"llm_calls\":[{"))
    }

    @Test("an archive with only the seed still makes a page")
    func seedOnly() throws {
        let scratch = try Scratch()
        let seed = scratch.path + "/seed"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        try Data("print('hi')\n".utf8).write(to: URL(fileURLWithPath: seed + "/agent.py"))
        _ = try Archive.create(at: scratch.path + "/archive", seed: seed)
        let (html, data) = try ReportService().render(archivePath: scratch.path + "/archive")
        #expect(data.variants.count == 1 && data.best == nil)
        #expect(count("<circle class=\"node", in: html) == 1)
        #expect(html.contains("No per-task outcomes recorded yet."))
        #expect(html.contains("no LLM calls recorded yet"))
    }

    @Test("the tree layout keeps rows by generation and never overlaps two nodes")
    func layout() throws {
        let scratch = try Scratch()
        let made = try DemoArchive.make(at: scratch.path + "/archive", variants: 120, childrenPerGeneration: 8)
        let variants = try made.archive.allVariants()
        let layout = TreeLayout(variants)
        var seen: [Int: [Double]] = [:]
        for v in variants {
            let row = try #require(layout.row[v.id])
            #expect(row == v.generation)
            seen[row, default: []].append(try #require(layout.x[v.id]))
        }
        for xs in seen.values {
            let sorted = xs.sorted()
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(b - a >= 0.999) }
        }
        #expect(layout.width <= Double(variants.count))
    }

    @Test("the report never writes to the archive")
    func readOnly() throws {
        let scratch = try Scratch()
        try DemoArchive.make(at: scratch.path + "/archive", variants: 10)
        let before = try Archive.open(at: scratch.path + "/archive", repair: false).stamp()
        let index = scratch.path + "/archive/index.sqlite"
        let modified = try FileManager.default.attributesOfItem(atPath: index)[.modificationDate] as? Date
        try ReportService().write(archivePath: scratch.path + "/archive", to: scratch.path + "/out/report.html")
        let after = try Archive.open(at: scratch.path + "/archive", repair: false).stamp()
        #expect(before == after)
        #expect(try FileManager.default.attributesOfItem(atPath: index)[.modificationDate] as? Date == modified)
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/out/report.html"))
    }
}
