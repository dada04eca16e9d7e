import EvolveArchive
import EvolveSupport
import Foundation

/// One axis of a MAP-Elites grid: a feature, its number of bins and, optionally, fixed bounds (without
/// them the bounds are the smallest and largest value among the candidates).
///
/// Built-in features: `code_size` (lines of source in the variant's tree), `diversity` (mean Hamming
/// distance of its per-task outcome vector to every other candidate's, 0…1) and `score`. Any other name
/// is read from `Candidate.features` (the metrics a suite reports).
public struct FeatureDimension: Sendable, Equatable {
    public var name: String
    public var bins: Int
    public var min: Double?
    public var max: Double?

    public init(name: String, bins: Int = 8, min: Double? = nil, max: Double? = nil) {
        self.name = name
        self.bins = Swift.max(1, bins)
        self.min = min
        self.max = max
    }

    /// The bin of `value` between `low` and `high`: equal-width bins, a value on an inner edge in the upper
    /// bin, values at or beyond the bounds in the first or last bin.
    public static func bin(_ value: Double, low: Double, high: Double, bins: Int) -> Int {
        guard bins > 1, high > low else { return 0 }
        func edge(_ i: Int) -> Double { low + (high - low) * Double(i) / Double(bins) }
        var b = Int(((value - low) * Double(bins) / (high - low)).rounded(.down).clamped(to: 0...Double(bins - 1)))
        // Floating-point rounding near an edge: settle on the edges as `edge` computes them.
        if b + 1 < bins && value >= edge(b + 1) { b += 1 }
        if b > 0 && value < edge(b) { b -= 1 }
        return b
    }
}

/// One occupied cell: its coordinates (a bin per feature), its elite (best score, ties to the older) and
/// how many candidates fell into it.
public struct EliteCell: Sendable, Equatable {
    public var coordinates: [Int]
    public var elite: VariantID
    public var score: Double
    public var occupants: Int
}

/// The grid for the report: the dimensions with the bounds used, the occupied cells in coordinate order,
/// and how many candidates had no usable value for some feature (missing, NaN or infinite).
public struct EliteGrid: Sendable, Equatable {
    public var dimensions: [FeatureDimension]
    public var cells: [EliteCell]
    public var unplaced: Int

    /// The cell at `coordinates`, if occupied.
    public func cell(_ coordinates: [Int]) -> EliteCell? { cells.first { $0.coordinates == coordinates } }
}

/// MAP-Elites: candidates are binned on the declared features, each cell keeps its best (the elite), and
/// each draw picks an occupied cell uniformly, then its elite. With no placeable candidate it falls back
/// to the best score.
public struct MapElitesSelector: ParentSelector {
    public let name = SelectorKind.mapElites.rawValue
    public var features: [FeatureDimension]

    /// Code size and outcome diversity, 8 bins each.
    public static let defaultFeatures = [FeatureDimension(name: "code_size"), FeatureDimension(name: "diversity")]

    public init(features: [FeatureDimension]) {
        self.features = features.isEmpty ? Self.defaultFeatures : features
    }

    public var needsCodeSize: Bool { features.contains { $0.name == "code_size" } }

    public func select(_ candidates: [Candidate], count: Int, rng: inout SeededGenerator) -> [VariantID] {
        guard !candidates.isEmpty else { return [] }
        let cells = grid(candidates).cells
        guard !cells.isEmpty else {
            let best = candidates.max { ($0.score, $1.id) < ($1.score, $0.id) }!
            return Array(repeating: best.id, count: count)
        }
        return (0..<count).map { _ in cells[Int(rng.next() % UInt64(cells.count))].elite }
    }

    /// The grid the candidates make (what a report shows).
    public func grid(_ candidates: [Candidate]) -> EliteGrid {
        let columns = features.map { FeatureValues.values($0.name, candidates) }
        var dimensions: [FeatureDimension] = []
        for (feature, values) in zip(features, columns) {
            let finite = values.compactMap { $0 }
            var d = feature
            d.min = feature.min ?? finite.min() ?? 0
            d.max = feature.max ?? finite.max() ?? 0
            dimensions.append(d)
        }
        var byCell: [[Int]: EliteCell] = [:]
        var unplaced = 0
        for (i, c) in candidates.enumerated() {
            var coordinates: [Int] = []
            for (d, column) in zip(dimensions, columns) {
                guard let value = column[i] else { break }
                coordinates.append(FeatureDimension.bin(value, low: d.min!, high: d.max!, bins: d.bins))
            }
            guard coordinates.count == dimensions.count else {
                unplaced += 1
                continue
            }
            if var cell = byCell[coordinates] {
                cell.occupants += 1
                if (c.score, cell.elite) > (cell.score, c.id) {
                    cell.elite = c.id
                    cell.score = c.score
                }
                byCell[coordinates] = cell
            } else {
                byCell[coordinates] = EliteCell(coordinates: coordinates, elite: c.id, score: c.score, occupants: 1)
            }
        }
        let cells = byCell.values.sorted { $0.coordinates.lexicographicallyPrecedes($1.coordinates) }
        return EliteGrid(dimensions: dimensions, cells: cells, unplaced: unplaced)
    }
}

/// Feature values of candidates, by feature name; nil where a candidate has none or it is not finite.
public enum FeatureValues {
    public static let builtIns = ["code_size", "diversity", "score"]

    public static func values(_ name: String, _ candidates: [Candidate]) -> [Double?] {
        let raw: [Double?]
        switch name {
        case "code_size": raw = candidates.map { $0.codeSize.map(Double.init) }
        case "diversity": raw = meanDistances(candidates.map(\.outcomes))
        case "score": raw = candidates.map(\.score)
        default: raw = candidates.map { $0.features[name] }
        }
        return raw.map { $0.flatMap { $0.isFinite ? $0 : nil } }
    }

    /// For each outcome vector, the mean normalised Hamming distance to every other vector (or to
    /// `Novelty.maxReferences` evenly spaced ones in a larger archive); 0 for a lone vector.
    public static func meanDistances(_ vectors: [[Bool]]) -> [Double] {
        let n = vectors.count
        let length = vectors.map(\.count).max() ?? 0
        guard n > 1, length > 0 else { return Array(repeating: 0, count: n) }
        let packed = Novelty.packed(vectors, length: length)
        let references: [Int] =
            n <= Novelty.maxReferences
            ? Array(0..<n) : (0..<Novelty.maxReferences).map { $0 * n / Novelty.maxReferences }
        return (0..<n).map { i in
            var sum = 0
            var count = 0
            for j in references where j != i {
                for w in packed[i].indices { sum += (packed[i][w] ^ packed[j][w]).nonzeroBitCount }
                count += 1
            }
            return count == 0 ? 0 : Double(sum) / Double(count) / Double(length)
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
