import EvolveArchive
import Foundation

/// A plot area with two axes, nice ticks and labels; charts draw into it in data coordinates.
struct ChartFrame {
    var width = 560.0
    var height = 280.0
    var left = 58.0, right = 20.0, top = 14.0, bottom = 44.0
    var xMin: Double, xMax: Double, yMin: Double, yMax: Double

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ value: Double) -> Double { left + (value - xMin) / max(xMax - xMin, 1e-9) * plotWidth }
    func y(_ value: Double) -> Double { top + plotHeight - (value - yMin) / max(yMax - yMin, 1e-9) * plotHeight }

    /// About `count` round tick values covering `lo…hi`.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = ceil(lo / step) * step
        while t <= hi + step * 1e-6 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    /// The opening tag, the grid, the ticks and the axis labels.
    func open(
        label: String, xLabel: String, yLabel: String, yFormat: (Double) -> String,
        integerX: Bool = true, xFormat: (Double) -> String = { Markup.compact($0) }
    ) -> String {
        var s = """
            <svg class="chart" xmlns="http://www.w3.org/2000/svg" width="\(Markup.n(width))" \
            height="\(Markup.n(height))" viewBox="0 0 \(Markup.n(width)) \(Markup.n(height))" role="img" \
            aria-label="\(Markup.escape(label))">
            """
        for t in Self.ticks(yMin, yMax) {
            let yy = Markup.n(y(t))
            s +=
                "<line class=\"grid\" x1=\"\(Markup.n(left))\" x2=\"\(Markup.n(width - right))\" y1=\"\(yy)\" y2=\"\(yy)\"/>"
            s +=
                "<text class=\"tick\" x=\"\(Markup.n(left - 8))\" y=\"\(Markup.n(y(t) + 4))\" text-anchor=\"end\">"
                + "\(Markup.escape(yFormat(t)))</text>"
        }
        var xTicks = Self.ticks(xMin, xMax, count: 8)
        if integerX { xTicks = Array(Set(xTicks.map { $0.rounded() })).sorted().filter { $0 >= xMin && $0 <= xMax } }
        for t in xTicks {
            let xx = Markup.n(x(t))
            s +=
                "<line class=\"axis\" x1=\"\(xx)\" x2=\"\(xx)\" y1=\"\(Markup.n(top + plotHeight))\" "
                + "y2=\"\(Markup.n(top + plotHeight + 5))\"/>"
            s +=
                "<text class=\"tick\" x=\"\(xx)\" y=\"\(Markup.n(top + plotHeight + 18))\" text-anchor=\"middle\">"
                + "\(Markup.escape(xFormat(t)))</text>"
        }
        s +=
            "<line class=\"axis\" x1=\"\(Markup.n(left))\" x2=\"\(Markup.n(width - right))\" "
            + "y1=\"\(Markup.n(top + plotHeight))\" y2=\"\(Markup.n(top + plotHeight))\"/>"
        s +=
            "<line class=\"axis\" x1=\"\(Markup.n(left))\" x2=\"\(Markup.n(left))\" y1=\"\(Markup.n(top))\" "
            + "y2=\"\(Markup.n(top + plotHeight))\"/>"
        s +=
            "<text class=\"axis-label\" x=\"\(Markup.n(left + plotWidth / 2))\" y=\"\(Markup.n(height - 6))\" "
            + "text-anchor=\"middle\">\(Markup.escape(xLabel))</text>"
        let cy = Markup.n(top + plotHeight / 2)
        s +=
            "<text class=\"axis-label\" x=\"14\" y=\"\(cy)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(cy))\">"
            + "\(Markup.escape(yLabel))</text>"
        return s
    }
}

/// The plots of the report, each a self-contained SVG element.
public enum Charts {
    // MARK: - Score per generation

    /// Best so far, best in the generation, and mean score, per generation.
    public static func scores(_ stats: [ReportData.GenerationStats]) -> String {
        let last = Double(stats.last?.generation ?? 1)
        var frame = ChartFrame(xMin: 0, xMax: max(last, 1), yMin: 0, yMax: 1)
        frame.width = 1290
        frame.height = 300
        var s = frame.open(
            label: "Best and mean score per generation", xLabel: "generation", yLabel: "score",
            yFormat: { String(format: "%.1f", $0) })
        // Best so far: a step line (it only changes when a generation beats it).
        var step = ""
        var previous: (Double, Double)?
        for g in stats {
            guard let b = g.bestSoFar else { continue }
            let (x, y) = (frame.x(Double(g.generation)), frame.y(b))
            if let (_, py) = previous {
                step += "L\(Markup.n(x)) \(Markup.n(py))L\(Markup.n(x)) \(Markup.n(y))"
            } else {
                step += "M\(Markup.n(x)) \(Markup.n(y))"
            }
            previous = (x, y)
        }
        if !step.isEmpty { s += "<path class=\"series best-so-far\" d=\"\(step)\"/>" }
        s += polyline(stats.map { ($0.generation, $0.mean) }, frame, cls: "series mean")
        s += polyline(stats.map { ($0.generation, $0.best) }, frame, cls: "series best-gen")
        let dense = stats.count > 80
        for g in stats {
            if let m = g.mean, !dense {
                s +=
                    "<circle class=\"dot mean\" cx=\"\(Markup.n(frame.x(Double(g.generation))))\" "
                    + "cy=\"\(Markup.n(frame.y(m)))\" r=\"2.5\"><title>generation \(g.generation): mean "
                    + "\(Markup.score(m))</title></circle>"
            }
            if let b = g.best, !dense {
                s +=
                    "<circle class=\"dot best-gen\" cx=\"\(Markup.n(frame.x(Double(g.generation))))\" "
                    + "cy=\"\(Markup.n(frame.y(b)))\" r=\"3\"><title>generation \(g.generation): best "
                    + "\(Markup.score(b)) of \(g.variants) variants (\(g.invalid) invalid)</title></circle>"
            }
        }
        return s + "</svg>"
    }

    static func polyline(_ points: [(Int, Double?)], _ frame: ChartFrame, cls: String) -> String {
        var d = ""
        var pen = false
        for (x, y) in points {
            guard let y else {
                pen = false
                continue
            }
            d += (pen ? "L" : "M") + "\(Markup.n(frame.x(Double(x)))) \(Markup.n(frame.y(y)))"
            pen = true
        }
        return d.isEmpty ? "" : "<path class=\"\(cls)\" d=\"\(d)\"/>"
    }

    // MARK: - Tokens and cost

    /// Input and output tokens per generation, stacked bars.
    public static func tokens(_ usage: [GenerationUsage]) -> String {
        let total = usage.map { Double($0.tokensIn + $0.tokensOut) }
        let top = max(total.max() ?? 0, 1)
        let last = Double(usage.map(\.generation).max() ?? 1)
        var frame = ChartFrame(xMin: -0.5, xMax: max(last, 1) + 0.5, yMin: 0, yMax: niceCeiling(top))
        frame.left = 62
        frame.width = 610
        var s = frame.open(
            label: "Tokens per generation", xLabel: "generation", yLabel: "tokens",
            yFormat: { Markup.compact($0) })
        if total.allSatisfy({ $0 == 0 }) {
            s +=
                "<text class=\"note\" x=\"\(Markup.n(frame.left + frame.plotWidth / 2))\" "
                + "y=\"\(Markup.n(frame.top + frame.plotHeight / 2))\" text-anchor=\"middle\">no LLM calls recorded "
                + "yet</text>"
        }
        let barWidth = max(1, min(24, frame.plotWidth / max(last + 1, 1) * 0.75))
        for u in usage where u.tokensIn + u.tokensOut > 0 {
            let x = frame.x(Double(u.generation)) - barWidth / 2
            let yIn = frame.y(Double(u.tokensIn))
            let yAll = frame.y(Double(u.tokensIn + u.tokensOut))
            let base = frame.y(0)
            let tip = "generation \(u.generation): \(u.calls) calls, \(u.tokensIn) tokens in, \(u.tokensOut) out"
            s += "<g><title>\(Markup.escape(tip))</title>"
            s +=
                "<rect class=\"bar tokens-in\" x=\"\(Markup.n(x))\" y=\"\(Markup.n(yIn))\" width=\"\(Markup.n(barWidth))\" "
                + "height=\"\(Markup.n(base - yIn))\"/>"
            s +=
                "<rect class=\"bar tokens-out\" x=\"\(Markup.n(x))\" y=\"\(Markup.n(yAll))\" "
                + "width=\"\(Markup.n(barWidth))\" height=\"\(Markup.n(yIn - yAll))\"/></g>"
        }
        return s + "</svg>"
    }

    /// Cost per generation (bars) and the running total (a line on its own axis, right).
    public static func cost(_ usage: [GenerationUsage]) -> String {
        let perGeneration = usage.map(\.costUSD)
        let cumulative = perGeneration.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        let top = niceCeiling(max(perGeneration.max() ?? 0, 1e-4))
        let totalTop = niceCeiling(max(cumulative.last ?? 0, 1e-4))
        let last = Double(usage.map(\.generation).max() ?? 1)
        var frame = ChartFrame(xMin: -0.5, xMax: max(last, 1) + 0.5, yMin: 0, yMax: top)
        frame.left = 80
        frame.right = 62
        frame.width = 660
        var s = frame.open(
            label: "Cost per generation", xLabel: "generation", yLabel: "USD per generation",
            yFormat: { Markup.dollars($0) })
        if cumulative.last ?? 0 == 0 {
            s +=
                "<text class=\"note\" x=\"\(Markup.n(frame.left + frame.plotWidth / 2))\" "
                + "y=\"\(Markup.n(frame.top + frame.plotHeight / 2))\" text-anchor=\"middle\">no cost recorded yet</text>"
        }
        let barWidth = max(1, min(24, frame.plotWidth / max(last + 1, 1) * 0.75))
        for u in usage where u.costUSD > 0 {
            let x = frame.x(Double(u.generation)) - barWidth / 2
            let y = frame.y(u.costUSD)
            s +=
                "<rect class=\"bar cost\" x=\"\(Markup.n(x))\" y=\"\(Markup.n(y))\" width=\"\(Markup.n(barWidth))\" "
                + "height=\"\(Markup.n(frame.y(0) - y))\"><title>generation \(u.generation): "
                + "\(Markup.dollars(u.costUSD))</title></rect>"
        }
        // The running total against the right axis.
        var right = frame
        right.yMax = totalTop
        var d = ""
        for (u, total) in zip(usage, cumulative) {
            d += (d.isEmpty ? "M" : "L") + "\(Markup.n(right.x(Double(u.generation)))) \(Markup.n(right.y(total)))"
        }
        if !d.isEmpty, (cumulative.last ?? 0) > 0 { s += "<path class=\"series cumulative\" d=\"\(d)\"/>" }
        let axisX = frame.width - frame.right
        s +=
            "<line class=\"axis\" x1=\"\(Markup.n(axisX))\" x2=\"\(Markup.n(axisX))\" y1=\"\(Markup.n(frame.top))\" "
            + "y2=\"\(Markup.n(frame.top + frame.plotHeight))\"/>"
        for t in ChartFrame.ticks(0, totalTop) {
            s +=
                "<text class=\"tick cumulative\" x=\"\(Markup.n(axisX + 6))\" y=\"\(Markup.n(right.y(t) + 4))\">"
                + "\(Markup.escape(Markup.dollars(t)))</text>"
        }
        let cy = Markup.n(frame.top + frame.plotHeight / 2)
        let lx = Markup.n(frame.width - 8)
        s +=
            "<text class=\"axis-label cumulative\" x=\"\(lx)\" y=\"\(cy)\" text-anchor=\"middle\" "
            + "transform=\"rotate(90 \(lx) \(cy))\">total USD</text>"
        return s + "</svg>"
    }

    /// A round number at or above `value` (1, 2, 2.5, 5 × a power of ten).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        return [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= value * 0.999 } ?? value
    }
}
