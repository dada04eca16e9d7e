import EvolveArchive
import Foundation

/// The report as one self-contained HTML page: inline CSS, inline SVG, a few lines of vanilla JS, no
/// network. The same page, with `live`, is what `evolve serve` hands out: it then polls the server and
/// redraws when the archive changes, and a click fetches the variant from the server.
public enum ReportPage {
    /// The whole page.
    public static func render(_ data: ReportData, options: ReportOptions = ReportOptions()) -> String {
        let name = URL(fileURLWithPath: data.archivePath).lastPathComponent
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>evolve · \(Markup.escape(name))</title>
            <style>\(ReportStyle.css)</style>
            </head>
            <body data-live="\(options.live ? 1 : 0)" data-poll="\(options.pollSeconds * 1000)">
            <header class="top"><div><h1>evolve <span class="muted">\(options.live ? "live" : "report")</span></h1>
            <div class="path mono">\(Markup.escape(data.archivePath))</div></div>
            <div id="live-status" class="status">\(options.live ? "live · " : "")generated \
            \(VariantDetail.date(data.generatedAt.timeIntervalSince1970))</div></header>

            """
        html += body(data, options: options)
        html += """
            <aside id="panel" aria-live="polite"><button class="panel-close" title="Close">×</button>
            <div class="panel-body"></div></aside>

            """
        if !options.live { html += templates(data, options: options) }
        html += "<script>\(ReportScript.js)</script>\n</body></html>\n"
        return html
    }

    /// The part of the page a live view replaces when the archive changes: `<main id="report">…</main>`.
    public static func body(_ data: ReportData, options: ReportOptions = ReportOptions()) -> String {
        var s =
            "<main id=\"report\" data-fingerprint=\"\(data.stamp.fingerprint)\" "
            + "data-variants=\"\(data.variants.count)\">\n"
        s += cards(data)
        s += """
            <section id="scores"><h2>Score per generation</h2>
            <div class="keys"><span class="key"><i class="line best-so-far"></i>best so far</span>\
            <span class="key"><i class="line best-gen"></i>best of the generation</span>\
            <span class="key"><i class="line mean"></i>mean of the generation</span></div>
            \(Charts.scores(data.generations))</section>

            """
        s += ObjectiveSections.html(data.objectiveViews)
        let shown = data.variants.count
        s += """
            <section id="family"><h2>Family tree <span class="muted">\(shown) variants · \
            \(data.invalidCount) invalid · click a node for its details</span></h2>
            \(FamilyTreeSVG.legend())
            <div class="scroll">\(FamilyTreeSVG.render(data))</div></section>

            """
        s += """
            <section id="heatmap"><h2>Tasks × top \(data.heatMap.columns.count) variants</h2>
            \(HeatMapSVG.legend())<div class="scroll">\(HeatMapSVG.render(data.heatMap))</div></section>

            """
        s += """
            <section id="usage"><h2>Tokens and cost per generation</h2>
            <div class="keys"><span class="key"><i style="background:#93c5fd"></i>tokens in</span>\
            <span class="key"><i style="background:#1d4ed8"></i>tokens out</span>\
            <span class="key"><i style="background:#fbbf24"></i>cost of the generation</span>\
            <span class="key"><i class="line cumulative"></i>total cost so far</span></div>
            <div class="pair">\(Charts.tokens(data.usage))\(Charts.cost(data.usage))</div></section>

            """
        s += diffs(data, options: options)
        return s + "</main>\n"
    }

    // MARK: - Pieces

    static func cards(_ data: ReportData) -> String {
        let lastGeneration = data.variants.map(\.generation).max() ?? 0
        var items: [(String, String, String)] = [
            (
                "variants", "\(data.variants.count)",
                "\(data.validCount) valid · \(data.invalidCount) invalid · \(data.pendingCount) pending"
            ),
            (
                "best", data.best.map { "\(Markup.score($0.score))" } ?? "–",
                data.best.map { "\($0.id), generation \($0.generation)" } ?? "nothing evaluated yet"
            ),
            ("generations", "\(lastGeneration + 1)", "0 … \(lastGeneration)"),
            (
                "tokens", Markup.compact(Double(data.totalTokens)),
                "\(data.usage.map(\.calls).reduce(0, +)) LLM calls"
            ),
            ("cost", Markup.dollars(data.totalCostUSD), "all generations"),
        ]
        if let run = data.runs.first {
            items.append(("run", run.state, "\(run.id) · updated \(VariantDetail.date(run.updatedAt))"))
        }
        var s = "<section class=\"cards\">"
        for (label, value, note) in items {
            let best = label == "best" ? " style=\"border-top-color:\(Markup.scoreColor(data.best?.score))\"" : ""
            s +=
                "<div class=\"card\"\(best)><div class=\"label\">\(label)</div><div class=\"value\">"
                + "\(Markup.escape(value))</div><div class=\"note\">\(Markup.escape(note))</div></div>"
        }
        return s + "</section>\n"
    }

    static func diffs(_ data: ReportData, options: ReportOptions) -> String {
        guard !data.topDiffs.isEmpty else { return "" }
        var s = "<section id=\"diffs\"><h2>The best \(data.topDiffs.count) variants against their parents</h2>"
        for (i, d) in data.topDiffs.enumerated() {
            let v = d.variant
            let parent = v.parents.first.map { "against \($0)" } ?? "the seed"
            s +=
                "<details class=\"top-diff\"\(i == 0 ? " open" : "")><summary class=\"diff-head\" data-id=\"\(v.id)\">"
                + "<span class=\"swatch\" style=\"background:\(Markup.scoreColor(v.score))\"></span>"
                + "<b>\(v.id)</b> score \(Markup.score(v.score)) · generation \(v.generation) · \(Markup.escape(v.operator))"
                + " · \(parent) <span class=\"muted\">\(Markup.escape(String(v.summary.prefix(100))))</span></summary>"
                + Markup.diffHTML(d.diff, maxLines: options.maxDiffLines) + "</details>"
        }
        return s + "</section>\n"
    }

    /// One `<template>` per variant with its panel, for a page that has no server to ask.
    static func templates(_ data: ReportData, options: ReportOptions) -> String {
        var s = "<div id=\"templates\" hidden>"
        for v in data.variants {
            let detail = VariantDetail(
                variant: v, outcomes: v.status == .invalid ? [] : data.embeddedOutcomes[v.tree] ?? [],
                diff: data.embeddedDiffs[v.id])
            s += "<template id=\"d-\(v.id)\">\(detail.html(maxDiffLines: options.maxDiffLines))</template>"
        }
        return s + "</div>\n"
    }
}

/// One variant on a page of its own (what `/variant/<id>` shows when opened directly).
public enum VariantPage {
    public static func render(_ detail: VariantDetail, fragment: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>evolve · \(detail.variant.id)</title>
        <style>\(ReportStyle.css)</style></head>
        <body><header class="top"><div><h1>evolve <span class="muted">\(detail.variant.id)</span></h1></div>
        <div class="status"><a href="/">back to the report</a></div></header>
        <main><section>\(fragment)</section></main></body></html>

        """
    }
}
