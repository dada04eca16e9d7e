import EvolveArchive
import Foundation

/// Tasks (rows) × the best variants (columns): which task each of them passes.
public enum HeatMapSVG {
    public static func render(_ map: ReportData.HeatMap) -> String {
        guard !map.columns.isEmpty, !map.tasks.isEmpty else {
            return "<p class=\"empty\">No per-task outcomes recorded yet.</p>"
        }
        let longest = map.tasks.map(\.count).max() ?? 8
        let left = min(260, max(80, Double(longest) * 6.6 + 16))
        let cell = map.columns.count > 30 ? 14.0 : 20.0
        let cellHeight = map.tasks.count > 60 ? 12.0 : 17.0
        let top = 64.0
        let width = left + Double(map.columns.count) * cell + 20
        let height = top + Double(map.tasks.count) * cellHeight + 12
        var s = """
            <svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="\(Markup.n(width))" \
            height="\(Markup.n(height))" viewBox="0 0 \(Markup.n(width)) \(Markup.n(height))" role="img" \
            aria-label="Tasks by top variants">
            """
        // Column heads: the variant id (tilted), and a strip coloured by its score.
        for (c, v) in map.columns.enumerated() {
            let x = left + Double(c) * cell
            let cx = Markup.n(x + cell / 2)
            s +=
                "<text class=\"tick col\" data-id=\"\(v.id)\" x=\"\(cx)\" y=\"\(Markup.n(top - 20))\" "
                + "transform=\"rotate(-50 \(cx) \(Markup.n(top - 20)))\">\(v.id)</text>"
            s +=
                "<rect class=\"score-strip\" data-id=\"\(v.id)\" x=\"\(Markup.n(x + 1))\" y=\"\(Markup.n(top - 14))\" "
                + "width=\"\(Markup.n(cell - 2))\" height=\"10\" rx=\"2\" fill=\"\(Markup.scoreColor(v.score))\">"
                + "<title>\(v.id): score \(Markup.score(v.score))</title></rect>"
        }
        for (r, task) in map.tasks.enumerated() {
            let y = top + Double(r) * cellHeight
            let shown = task.count > 38 ? String(task.prefix(36)) + "…" : task
            s +=
                "<text class=\"tick row\" x=\"\(Markup.n(left - 8))\" y=\"\(Markup.n(y + cellHeight * 0.72))\" "
                + "text-anchor=\"end\"><title>\(Markup.escape(task))</title>\(Markup.escape(shown))</text>"
            for (c, v) in map.columns.enumerated() {
                let status = map.cells[r][c]
                let tip = "\(task) on \(v.id): \(status?.rawValue ?? "not run")"
                s +=
                    "<rect class=\"cell\" x=\"\(Markup.n(left + Double(c) * cell + 1))\" y=\"\(Markup.n(y + 1))\" "
                    + "width=\"\(Markup.n(cell - 2))\" height=\"\(Markup.n(cellHeight - 2))\" rx=\"2\" "
                    + "fill=\"\(Markup.outcomeColor(status))\"><title>\(Markup.escape(tip))</title></rect>"
            }
        }
        return s + "</svg>"
    }

    /// What the cell colours mean.
    public static func legend() -> String {
        let items: [(String, OutcomeStatus?)] = [
            ("passed", .passed), ("failed", .failed), ("timeout", .timeout), ("memory / output cap", .memory),
            ("crashed", .crashed), ("not run", nil),
        ]
        var s = "<div class=\"keys\">"
        for (label, status) in items {
            s += "<span class=\"key\"><i style=\"background:\(Markup.outcomeColor(status))\"></i>\(label)</span>"
        }
        return s + "</div>"
    }
}
