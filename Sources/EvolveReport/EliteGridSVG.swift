import EvolveArchive
import Foundation

/// The MAP-Elites grid: the first feature across, the second up (one row when there is one), every bin a
/// cell; an occupied cell is coloured by its elite's score and names the elite, an empty one is outlined.
public enum EliteGridSVG {
    /// Above this many cells, empty ones are the background rather than one outline each.
    static let outlinedCellLimit = 4096

    public static func render(_ grid: EliteGridView) -> String {
        guard let across = grid.dimensions.first else {
            return "<p class=\"empty\">The selector declares no feature dimensions.</p>"
        }
        let up = grid.dimensions.count > 1 ? grid.dimensions[1] : nil
        let (columns, rows) = (across.bins, up?.bins ?? 1)
        let cell = min(64, max(6, 640 / Double(max(columns, rows))))
        let (left, top, bottom) = (96.0, 12.0, 58.0)
        let width = left + Double(columns) * cell + 24
        let height = top + Double(rows) * cell + bottom
        var s = """
            <svg class="elites" xmlns="http://www.w3.org/2000/svg" width="\(Markup.n(width))" \
            height="\(Markup.n(height))" viewBox="0 0 \(Markup.n(width)) \(Markup.n(height))" role="img" \
            aria-label="MAP-Elites grid">
            """
        func x(_ column: Int) -> Double { left + Double(column) * cell }
        func y(_ row: Int) -> Double { top + Double(rows - 1 - row) * cell }
        let plane = grid.plane
        let occupied = Set(plane.map { [$0.coordinates[0], $0.coordinates.count > 1 ? $0.coordinates[1] : 0] })
        if columns * rows <= outlinedCellLimit {
            for row in 0..<rows {
                for column in 0..<columns where !occupied.contains([column, row]) {
                    let tip = "\(binText(across, column))\(up.map { "; " + binText($0, row) } ?? ""): empty"
                    s +=
                        "<rect class=\"bin empty\" x=\"\(Markup.n(x(column) + 1))\" y=\"\(Markup.n(y(row) + 1))\" "
                        + "width=\"\(Markup.n(cell - 2))\" height=\"\(Markup.n(cell - 2))\" rx=\"3\">"
                        + "<title>\(Markup.escape(tip))</title></rect>"
                }
            }
        } else {
            s +=
                "<rect class=\"bin empty\" x=\"\(Markup.n(left))\" y=\"\(Markup.n(top))\" "
                + "width=\"\(Markup.n(Double(columns) * cell))\" height=\"\(Markup.n(Double(rows) * cell))\"/>"
        }
        for c in plane {
            let (column, row) = (c.coordinates[0], c.coordinates.count > 1 ? c.coordinates[1] : 0)
            guard column < columns, row < rows else { continue }
            let tip =
                "\(binText(across, column))\(up.map { "; " + binText($0, row) } ?? ""): elite \(c.elite), score "
                + "\(Markup.score(c.score)), \(c.occupants) variant\(c.occupants == 1 ? "" : "s")"
            s +=
                "<g class=\"bin full\" data-id=\"\(c.elite)\"><rect x=\"\(Markup.n(x(column) + 1))\" "
                + "y=\"\(Markup.n(y(row) + 1))\" width=\"\(Markup.n(cell - 2))\" height=\"\(Markup.n(cell - 2))\" "
                + "rx=\"3\" fill=\"\(Markup.scoreColor(c.score))\"/><title>\(Markup.escape(tip))</title>"
            if cell >= 34 {
                s +=
                    "<text class=\"elite-id\" x=\"\(Markup.n(x(column) + cell / 2))\" "
                    + "y=\"\(Markup.n(y(row) + cell / 2 + 4))\" text-anchor=\"middle\">\(c.elite)</text>"
            }
            s += "</g>"
        }
        // Edges of the first and last bin on each axis, and the features' names.
        let baseline = top + Double(rows) * cell
        let acrossEdges = columns <= 10 ? Array(0...columns) : [0, columns]
        for column in acrossEdges {
            let anchor = column == 0 ? "start" : column == columns ? "end" : "middle"
            s +=
                "<text class=\"tick\" x=\"\(Markup.n(x(column)))\" y=\"\(Markup.n(baseline + 16))\" "
                + "text-anchor=\"\(anchor)\">\(Markup.escape(ObjectiveCharts.value(across.edge(column))))</text>"
        }
        s +=
            "<text class=\"axis-label\" x=\"\(Markup.n(left + Double(columns) * cell / 2))\" "
            + "y=\"\(Markup.n(baseline + 38))\" text-anchor=\"middle\">\(Markup.escape(across.name)) · "
            + "\(across.bins) bin\(across.bins == 1 ? "" : "s")</text>"
        if let up {
            for row in rows <= 10 ? Array(0...rows) : [0, rows] {
                let dy = row == 0 ? 0.0 : row == rows ? 8.0 : 4.0
                s +=
                    "<text class=\"tick\" x=\"\(Markup.n(left - 6))\" y=\"\(Markup.n(y(row) + cell + dy - 2))\" "
                    + "text-anchor=\"end\">\(Markup.escape(ObjectiveCharts.value(up.edge(row))))</text>"
            }
            let cy = Markup.n(top + Double(rows) * cell / 2)
            s +=
                "<text class=\"axis-label\" x=\"40\" y=\"\(cy)\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 40 \(cy))\">\(Markup.escape(up.name)) · \(up.bins) "
                + "bin\(up.bins == 1 ? "" : "s")</text>"
        }
        return s + "</svg>"
    }

    /// `code_size 120…180`: the bin's feature and range.
    static func binText(_ d: EliteGridView.Dimension, _ bin: Int) -> String {
        "\(d.name) \(ObjectiveCharts.value(d.edge(bin)))…\(ObjectiveCharts.value(d.edge(bin + 1)))"
    }

    /// What the colours mean, and how many cells are filled.
    public static func legend(_ grid: EliteGridView) -> String {
        let total = grid.dimensions.map(\.bins).reduce(1, *)
        var s = "<div class=\"keys\">"
        for score in [0.0, 0.5, 1.0] {
            s +=
                "<span class=\"key\"><i style=\"background:\(Markup.scoreColor(score))\"></i>elite scores \(score)</span>"
        }
        s += "<span class=\"key\"><i class=\"bin-empty\"></i>empty</span>"
        s += "<span class=\"key\">\(grid.cells.count) of \(total) cells filled"
        if grid.unplaced > 0 { s += " · \(grid.unplaced) variants without a value for some feature" }
        s += "</span>"
        if grid.dimensions.count > 2 {
            s +=
                "<span class=\"key\">shown on the plane of the first two features: each cell holds the best elite "
                + "of the cells above it</span>"
        }
        return s + "</div>"
    }
}
