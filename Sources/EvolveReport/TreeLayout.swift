import EvolveArchive

/// Where each variant of the family tree goes: one row per generation, each subtree packed as tightly as
/// the rows it spans allow (a tidy tree in the manner of Reingold and Tilford, with rows fixed by
/// generation), every parent centred over its children.
///
/// Positions are in slots (x) and rows (y); the renderer scales them. The layout follows first parents;
/// a crossover's other parents are drawn as extra edges.
public struct TreeLayout: Sendable {
    /// Column of each variant, from 0; neighbours in a row are at least 1 apart.
    public var x: [VariantID: Double]
    /// Row of each variant: its generation, pushed down below its parent when the data say otherwise.
    public var row: [VariantID: Int]
    /// Columns used, and rows used.
    public var width: Double
    public var rows: Int

    public init(_ variants: [Variant]) {
        let ids = Set(variants.map(\.id))
        let ordered = variants.sorted { $0.id < $1.id }
        // Rows: a child is always below its first parent.
        var row: [VariantID: Int] = [:]
        var parent: [VariantID: VariantID] = [:]
        var children: [VariantID: [VariantID]] = [:]
        var roots: [VariantID] = []
        for v in ordered {
            if let p = v.parents.first, ids.contains(p), let parentRow = row[p] {
                parent[v.id] = p
                children[p, default: []].append(v.id)
                row[v.id] = max(v.generation, parentRow + 1)
            } else {
                roots.append(v.id)
                row[v.id] = max(v.generation, 0)
            }
        }

        // Post-order: each subtree's contour (leftmost and rightmost column per row, relative to its root).
        struct Contour {
            var top: Int
            var lo: [Double]
            var hi: [Double]
            mutating func include(row: Int, lo l: Double, hi h: Double) {
                let k = row - top
                while lo.count <= k {
                    lo.append(.infinity)
                    hi.append(-.infinity)
                }
                lo[k] = min(lo[k], l)
                hi[k] = max(hi[k], h)
            }
        }
        var relative: [VariantID: Double] = [:]
        var contours: [VariantID: Contour] = [:]

        /// Places subtrees side by side; returns each one's offset and the merged contour.
        func pack(_ subtrees: [VariantID], top: Int) -> (offsets: [Double], contour: Contour) {
            var merged = Contour(top: top, lo: [], hi: [])
            var offsets: [Double] = []
            for id in subtrees {
                let c = contours[id]!
                var offset = offsets.last.map { $0 + 1 } ?? 0
                for k in 0..<c.lo.count where c.lo[k].isFinite {
                    let r = c.top + k - top
                    if r >= 0, r < merged.hi.count, merged.hi[r].isFinite {
                        offset = max(offset, merged.hi[r] - c.lo[k] + 1)
                    }
                }
                for k in 0..<c.lo.count where c.lo[k].isFinite {
                    merged.include(row: c.top + k, lo: c.lo[k] + offset, hi: c.hi[k] + offset)
                }
                offsets.append(offset)
                contours[id] = nil  // merged; no longer needed
            }
            return (offsets, merged)
        }

        var stack: [(VariantID, Bool)] = roots.reversed().map { ($0, false) }
        while let (id, expanded) = stack.popLast() {
            let kids = children[id] ?? []
            if !expanded {
                stack.append((id, true))
                for kid in kids.reversed() { stack.append((kid, false)) }
                continue
            }
            let myRow = row[id]!
            guard !kids.isEmpty else {
                contours[id] = Contour(top: myRow, lo: [0], hi: [0])
                continue
            }
            let (offsets, merged) = pack(kids, top: myRow)
            let centre = (offsets.first! + offsets.last!) / 2
            var contour = Contour(top: myRow, lo: [], hi: [])
            contour.include(row: myRow, lo: 0, hi: 0)
            for k in 0..<merged.lo.count where merged.lo[k].isFinite {
                contour.include(row: myRow + k, lo: merged.lo[k] - centre, hi: merged.hi[k] - centre)
            }
            for (kid, offset) in zip(kids, offsets) { relative[kid] = offset - centre }
            contours[id] = contour
        }

        // Roots side by side (usually there is one: the seed), then absolute columns top-down.
        let top = roots.map { row[$0]! }.min() ?? 0
        let (rootOffsets, forest) = pack(roots, top: top)
        var x: [VariantID: Double] = [:]
        for v in ordered {
            if let p = parent[v.id] {
                x[v.id] = x[p]! + relative[v.id]!
            } else if let i = roots.firstIndex(of: v.id) {
                x[v.id] = rootOffsets[i]
            }
        }
        let minX = forest.lo.filter(\.isFinite).min() ?? 0
        let maxX = forest.hi.filter(\.isFinite).max() ?? 0
        for key in x.keys { x[key]! -= minX }
        self.x = x
        self.row = row
        self.width = maxX - minX + 1
        self.rows = (row.values.max() ?? 0) + 1
    }
}
