import EvolveArchive
import Foundation

/// The page's sections for `ObjectiveViews`: each one only when it has something to draw, so the page of
/// a pass/fail run without a MAP-Elites selector has none of them.
enum ObjectiveSections {
    static func html(_ views: ObjectiveViews) -> String {
        var s = ""
        if let pareto = views.pareto { s += self.pareto(pareto) }
        if !views.objectives.isEmpty { s += objectives(views.objectives) }
        if let grid = views.grid { s += self.grid(grid) }
        return s
    }

    static func pareto(_ view: ParetoView) -> String {
        let front = view.front.count
        return """
            <section id="pareto"><h2>Pareto front: score against cost per task <span class="muted">\
            \(front) of \(view.points.count) variant\(view.points.count == 1 ? "" : "s") on the front · \
            the same front as <code>evolve list --pareto</code> · click a point for its details</span></h2>
            <div class="keys"><span class="key"><i style="background:\(Markup.scoreColor(1))"></i>on the front \
            (coloured by score)</span><span class="key"><i style="background:#cbd5e1"></i>dominated</span>\
            <span class="key"><i class="line front"></i>the front's staircase</span></div>
            <div class="pair">\(ObjectiveCharts.pareto(view))\(ObjectiveCharts.frontTable(view))</div></section>

            """
    }

    static func objectives(_ series: [ObjectiveSeries]) -> String {
        let names = series.map { Markup.escape($0.name) }.joined(separator: ", ")
        var s = """
            <section id="objectives"><h2>Objectives per generation <span class="muted">\(names) · valid variants \
            whose check passed</span></h2>
            <div class="keys"><span class="key"><i class="line best-gen"></i>best of the generation</span>\
            <span class="key"><i class="line mean"></i>mean of the generation</span></div>
            <div class="pair">
            """
        for one in series { s += "<div class=\"objective\">\(ObjectiveCharts.objective(one))</div>" }
        return s + "</div></section>\n"
    }

    static func grid(_ grid: EliteGridView) -> String {
        let names = grid.dimensions.map { "\(Markup.escape($0.name)) (\($0.bins))" }.joined(separator: " × ")
        return """
            <section id="elites"><h2>MAP-Elites grid <span class="muted">\(names) · each cell's elite, coloured by \
            its score · click a cell for its details</span></h2>
            \(EliteGridSVG.legend(grid))
            <div class="scroll">\(EliteGridSVG.render(grid))</div></section>

            """
    }
}
