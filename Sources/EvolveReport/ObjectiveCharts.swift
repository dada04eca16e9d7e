import EvolveArchive
import Foundation

/// The plots of `ObjectiveViews`, each a self-contained SVG element like the other charts.
public enum ObjectiveCharts {
    // MARK: - Pareto front

    /// Every valid, scored variant as a point (cost per task across, score up); the front's members large,
    /// coloured by score and joined by the staircase that bounds what no variant beats.
    public static func pareto(_ view: ParetoView) -> String {
        guard !view.points.isEmpty else { return "<p class=\"empty\">No variant is evaluated yet.</p>" }
        let highestCost = view.points.map(\.costPerTask).max() ?? 0
        let lowestScore = min(view.points.map(\.score).min() ?? 0, 0)
        let highestScore = max(view.points.map(\.score).max() ?? 1, 1)
        var frame = ChartFrame(
            xMin: 0, xMax: highestCost > 0 ? Charts.niceCeiling(highestCost) : 0.01, yMin: lowestScore,
            yMax: highestScore)
        frame.left = 62
        frame.right = 36
        frame.width = 640
        frame.height = 320
        var s = frame.open(
            label: "Score against cost per task", xLabel: "agent's model cost per task (USD)", yLabel: "score",
            yFormat: { String(format: "%.1f", $0) }, integerX: false, xFormat: costTick)
        if highestCost == 0 {
            s +=
                "<text class=\"note\" x=\"\(Markup.n(frame.left + frame.plotWidth / 2))\" "
                + "y=\"\(Markup.n(frame.top + 16))\" text-anchor=\"middle\">no agent model calls recorded: "
                + "every variant costs $0 per task</text>"
        }
        // The staircase: from the cheapest front member right, each step up to the next better one.
        let front = view.front
        var d = ""
        for (i, p) in front.enumerated() {
            let (x, y) = (frame.x(p.costPerTask), frame.y(p.score))
            if i == 0 {
                d += "M\(Markup.n(x)) \(Markup.n(y))"
            } else {
                d += "L\(Markup.n(x)) \(Markup.n(frame.y(front[i - 1].score)))L\(Markup.n(x)) \(Markup.n(y))"
            }
        }
        if front.count > 1 { s += "<path class=\"series front\" d=\"\(d)\"/>" }
        for p in view.points.sorted(by: { !$0.onFront && $1.onFront }) {
            let tip =
                "\(p.id)\(p.onFront ? " (on the front)" : ""): score \(Markup.score(p.score)), "
                + "\(String(format: "$%.6f", p.costPerTask)) per task, generation \(p.generation)"
            let fill = p.onFront ? Markup.scoreColor(p.score) : "#cbd5e1"
            s +=
                "<circle class=\"point\(p.onFront ? " front" : "")\" data-id=\"\(p.id)\" "
                + "cx=\"\(Markup.n(frame.x(p.costPerTask)))\" cy=\"\(Markup.n(frame.y(p.score)))\" "
                + "r=\"\(p.onFront ? 6 : 3.5)\" fill=\"\(fill)\"><title>\(Markup.escape(tip))</title></circle>"
        }
        return s + "</svg>"
    }

    /// The front as a small table: id, score, cost per task, generation.
    public static func frontTable(_ view: ParetoView) -> String {
        var s = "<table class=\"front\"><tr><th>variant</th><th>score</th><th>USD per task</th><th>generation</th></tr>"
        for p in view.front.sorted(by: { ($0.score, $1.id) > ($1.score, $0.id) }) {
            s +=
                "<tr data-id=\"\(p.id)\"><td><span class=\"swatch\" style=\"background:\(Markup.scoreColor(p.score))\">"
                + "</span>\(p.id)</td><td>\(Markup.score(p.score))</td><td>\(String(format: "$%.6f", p.costPerTask))"
                + "</td><td>\(p.generation)</td></tr>"
        }
        return s + "</table>"
    }

    // MARK: - An objective per generation

    /// The best and the mean value of one objective per generation.
    public static func objective(_ series: ObjectiveSeries) -> String {
        let values = series.generations.flatMap { [$0.best, $0.mean] }.compactMap { $0 }
        let last = Double(series.generations.last?.generation ?? 1)
        var (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
        if hi - lo < 1e-12 {
            let pad = max(abs(hi) * 0.1, 0.5)
            (lo, hi) = (lo - pad, hi + pad)
        } else {
            let pad = (hi - lo) * 0.08
            (lo, hi) = (lo - pad, hi + pad)
        }
        var frame = ChartFrame(xMin: 0, xMax: max(last, 1), yMin: lo, yMax: hi)
        frame.left = 70
        frame.width = 640
        let direction = series.maximize ? "maximised" : "minimised"
        var s = frame.open(
            label: "\(series.name) per generation", xLabel: "generation", yLabel: "\(series.name) (\(direction))",
            yFormat: value)
        if values.isEmpty {
            s +=
                "<text class=\"note\" x=\"\(Markup.n(frame.left + frame.plotWidth / 2))\" "
                + "y=\"\(Markup.n(frame.top + frame.plotHeight / 2))\" text-anchor=\"middle\">no valid variant has "
                + "reported this objective yet</text>"
        }
        s += Charts.polyline(series.generations.map { ($0.generation, $0.mean) }, frame, cls: "series mean")
        s += Charts.polyline(series.generations.map { ($0.generation, $0.best) }, frame, cls: "series best-gen")
        let dense = series.generations.count > 80
        for g in series.generations where !dense {
            let x = Markup.n(frame.x(Double(g.generation)))
            if let m = g.mean {
                let tip = "generation \(g.generation): mean \(series.name) \(Self.value(m)) of \(g.variants)"
                s +=
                    "<circle class=\"dot mean\" cx=\"\(x)\" cy=\"\(Markup.n(frame.y(m)))\" r=\"2.5\">"
                    + "<title>\(Markup.escape(tip))</title></circle>"
            }
            if let b = g.best {
                let tip = "generation \(g.generation): best \(series.name) \(Self.value(b))"
                s +=
                    "<circle class=\"dot best-gen\" cx=\"\(x)\" cy=\"\(Markup.n(frame.y(b)))\" r=\"3\">"
                    + "<title>\(Markup.escape(tip))</title></circle>"
            }
        }
        return s + "</svg>"
    }

    /// A cost axis tick: dollars, with two significant digits below a tenth of a cent.
    static func costTick(_ t: Double) -> String {
        t == 0 ? "$0" : t >= 0.001 ? Markup.dollars(t) : String(format: "$%.2g", t)
    }

    /// A metric's value with the digits a packing or a timing needs.
    public static func value(_ v: Double) -> String {
        abs(v) >= 1000 || v == v.rounded() ? Markup.compact(v) : String(format: "%.6g", v)
    }
}
