import EvolveArchive
import Foundation

/// The family tree as SVG: a row per generation, nodes coloured by score, invalid children faint, the
/// path from the seed to the best variant drawn bold. Every node is a `circle.node` with `data-id`, so a
/// page can make it clickable and a test can count it.
public enum FamilyTreeSVG {
    /// Widest the tree is drawn before it scrolls sideways instead of shrinking further.
    static let targetWidth = 1180.0

    public static func render(_ data: ReportData) -> String {
        let variants = data.variants
        guard !variants.isEmpty else { return "<p class=\"empty\">No variants yet.</p>" }
        let layout = TreeLayout(variants)
        let onPath = Set(data.bestPath)
        let bestID = data.best?.id
        let labelled = Set(
            variants.ranked().prefix(5).map(\.id) + [VariantID(0)] + (bestID.map { [$0] } ?? []))

        let dx = min(28, max(9, (targetWidth - 90) / max(layout.width, 1)))
        let dy = layout.rows > 60 ? 18.0 : layout.rows > 30 ? 22.0 : 30.0
        let radius = min(7, max(3.2, dx * 0.36))
        let left = 62.0
        let top = 18.0
        let labelRoom = 70.0
        let width = left + layout.width * dx + labelRoom
        let height = top * 2 + Double(max(layout.rows - 1, 0)) * dy + 8
        func px(_ id: VariantID) -> Double { left + (layout.x[id] ?? 0) * dx + dx / 2 }
        func py(_ id: VariantID) -> Double { top + Double(layout.row[id] ?? 0) * dy }

        var svg = """
            <svg class="tree" xmlns="http://www.w3.org/2000/svg" width="\(Markup.n(width))" \
            height="\(Markup.n(height))" viewBox="0 0 \(Markup.n(width)) \(Markup.n(height))" role="img" \
            aria-label="Family tree of \(variants.count) variants">

            """
        // Rows, labelled with their generation.
        let labelEvery = layout.rows <= 30 ? 1 : layout.rows <= 80 ? 5 : 10
        svg += "<g class=\"rows\">"
        for r in 0..<layout.rows {
            let y = top + Double(r) * dy
            svg +=
                "<line x1=\"\(Markup.n(left - 6))\" x2=\"\(Markup.n(width - labelRoom + 10))\" y1=\"\(Markup.n(y))\" "
                + "y2=\"\(Markup.n(y))\" class=\"\(r % labelEvery == 0 ? "grid" : "grid faint")\"/>"
            if r % labelEvery == 0 {
                svg +=
                    "<text x=\"\(Markup.n(left - 12))\" y=\"\(Markup.n(y + 4))\" class=\"tick\" "
                    + "text-anchor=\"end\">\(r)</text>"
            }
        }
        svg +=
            "<text x=\"14\" y=\"\(Markup.n(top + Double(max(layout.rows - 1, 0)) * dy / 2))\" class=\"axis-label\" "
            + "text-anchor=\"middle\" transform=\"rotate(-90 14 \(Markup.n(top + Double(max(layout.rows - 1, 0)) * dy / 2)))\">"
            + "generation</text></g>\n"

        // Edges: one path per kind keeps the picture small with thousands of nodes.
        var plain = ""
        var faint = ""
        var cross = ""
        var bold = ""
        func curve(_ from: VariantID, _ to: VariantID) -> String {
            let (x1, y1, x2, y2) = (px(from), py(from), px(to), py(to))
            let mid = y1 + min(dy * 0.6, (y2 - y1) / 2)
            return "M\(Markup.n(x1)) \(Markup.n(y1))C\(Markup.n(x1)) \(Markup.n(mid)) \(Markup.n(x2)) "
                + "\(Markup.n(y2 - dy * 0.5)) \(Markup.n(x2)) \(Markup.n(y2))"
        }
        let known = Set(variants.map(\.id))
        for v in variants {
            for (i, p) in v.parents.enumerated() where known.contains(p) {
                let d = curve(p, v.id)
                if i > 0 {
                    cross += d
                } else if onPath.contains(v.id) && onPath.contains(p) {
                    bold += d
                } else if v.status == .invalid {
                    faint += d
                } else {
                    plain += d
                }
            }
        }
        svg += "<g class=\"edges\">"
        if !faint.isEmpty { svg += "<path class=\"edge invalid\" d=\"\(faint)\"/>" }
        if !plain.isEmpty { svg += "<path class=\"edge\" d=\"\(plain)\"/>" }
        if !cross.isEmpty { svg += "<path class=\"edge crossover\" d=\"\(cross)\"/>" }
        if !bold.isEmpty { svg += "<path class=\"edge best\" d=\"\(bold)\"/>" }
        svg += "</g>\n<g class=\"nodes\">"

        // Nodes: invalid first (underneath), the best path last (on top).
        let order = variants.sorted { rank($0, onPath) < rank($1, onPath) }
        for v in order {
            var classes = "node"
            if v.status == .invalid { classes += " invalid" }
            if v.status == .pending || v.score == nil { classes += " unscored" }
            if onPath.contains(v.id) { classes += " path" }
            if v.id == bestID { classes += " best" }
            let r =
                v.id == bestID
                ? radius + 2.5
                : onPath.contains(v.id)
                    ? radius + 1
                    : v.status == .invalid
                        ? radius * 0.75 : radius
            let fill = v.status == .invalid ? "#9ca3af" : Markup.scoreColor(v.score)
            svg +=
                "<circle class=\"\(classes)\" data-id=\"\(v.id)\" cx=\"\(Markup.n(px(v.id)))\" "
                + "cy=\"\(Markup.n(py(v.id)))\" r=\"\(Markup.n(r))\" fill=\"\(fill)\">"
                + "<title>\(Markup.escape(tooltip(v)))</title></circle>"
        }
        svg += "</g>\n<g class=\"labels\">"
        // Labels: the seed, the best and the next few (all of them in a small tree), none on top of another.
        var placed: [(Double, Double)] = []
        let candidates = variants.filter { labelled.contains($0.id) || variants.count <= 40 }
            .sorted { ($0.id == bestID ? 0 : 1, $0.id) < ($1.id == bestID ? 0 : 1, $1.id) }
        for v in candidates {
            let (lx, ly) = (px(v.id), py(v.id))
            if placed.contains(where: { abs($0.0 - lx) < 70 && abs($0.1 - ly) < 12 }) { continue }
            placed.append((lx, ly))
            let isBest = v.id == bestID
            let text = isBest ? "★ \(v.id) \(Markup.score(v.score))" : v.id.description
            svg +=
                "<text class=\"\(isBest ? "node-label best" : "node-label")\" x=\"\(Markup.n(px(v.id) + radius + 4))\" "
                + "y=\"\(Markup.n(py(v.id) + 3.5))\">\(Markup.escape(text))</text>"
        }
        svg += "</g></svg>"
        return svg
    }

    private static func rank(_ v: Variant, _ onPath: Set<VariantID>) -> Int {
        onPath.contains(v.id) ? 2 : v.status == .invalid ? 0 : 1
    }

    static func tooltip(_ v: Variant) -> String {
        var text = "\(v.id) · score \(Markup.score(v.score)) · generation \(v.generation) · \(v.operator)"
        if v.status != .valid { text += " · \(v.status.rawValue)" }
        if let reason = v.reason { text += ": \(reason.prefix(120))" }
        if !v.summary.isEmpty { text += "\n\(v.summary.prefix(160))" }
        return text
    }

    /// The colour scale and the marks, as a small SVG legend.
    public static func legend() -> String {
        var stops = ""
        for i in 0...10 {
            let s = Double(i) / 10
            stops += "<stop offset=\"\(Int(s * 100))%\" stop-color=\"\(Lineage.heatColor(s))\"/>"
        }
        return """
            <svg class="legend" xmlns="http://www.w3.org/2000/svg" width="620" height="34" viewBox="0 0 620 34">\
            <defs><linearGradient id="scale">\(stops)</linearGradient></defs>\
            <text x="0" y="15" class="tick">score</text>\
            <rect x="40" y="5" width="150" height="12" rx="3" fill="url(#scale)"/>\
            <text x="40" y="30" class="tick" text-anchor="middle">0</text>\
            <text x="115" y="30" class="tick" text-anchor="middle">0.5</text>\
            <text x="190" y="30" class="tick" text-anchor="middle">1</text>\
            <circle cx="222" cy="11" r="5" fill="#e5e7eb" stroke="#9ca3af"/>\
            <text x="231" y="15" class="tick">not evaluated</text>\
            <circle cx="322" cy="11" r="4" fill="#9ca3af" opacity="0.35"/>\
            <text x="331" y="15" class="tick">invalid</text>\
            <line x1="384" x2="408" y1="11" y2="11" stroke="#111827" stroke-width="2.5"/>\
            <text x="413" y="15" class="tick">path to the best</text>\
            <line x1="508" x2="530" y1="11" y2="11" stroke="#8b5cf6" stroke-width="1.2" stroke-dasharray="3 2"/>\
            <text x="535" y="15" class="tick">crossover</text>\
            </svg>
            """
    }
}
