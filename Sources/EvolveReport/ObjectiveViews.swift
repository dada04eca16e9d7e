import EvolveArchive
import Foundation

/// The report's views of a run with numeric objectives or a MAP-Elites selector: the Pareto front, each
/// objective per generation, and the grid of elites.
///
/// The report only draws them. The caller that knows the run's suites and selector (`EvolveApp`) computes
/// them from the archive with the search's own functions and passes them in as plain values. An empty value
/// draws nothing, so the page of a pass/fail run is the same as without it.
public struct ObjectiveViews: Sendable, Equatable {
    /// Score against cost per task for every valid, scored variant; nil when the suites declare no objectives.
    public var pareto: ParetoView?
    /// One series per declared objective, in the order the suites declare them.
    public var objectives: [ObjectiveSeries]
    /// The MAP-Elites grid; nil unless the run's selector is `map-elites`.
    public var grid: EliteGridView?
    /// Why a view could not be computed (a suite that cannot be read, say): for the command to print, not drawn.
    public var notes: [String]

    public init(
        pareto: ParetoView? = nil, objectives: [ObjectiveSeries] = [], grid: EliteGridView? = nil, notes: [String] = []
    ) {
        self.pareto = pareto
        self.objectives = objectives
        self.grid = grid
        self.notes = notes
    }

    /// Whether there is nothing to draw.
    public var isEmpty: Bool { pareto == nil && objectives.isEmpty && grid == nil }
}

/// What computes a report's `ObjectiveViews` from the archive it reads (the same open archive, so the page
/// stays one consistent picture).
public typealias ObjectiveViewsSource = @Sendable (Archive) throws -> ObjectiveViews

/// Score against the agent's cost per task, every valid scored variant a point, the front marked.
public struct ParetoView: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var id: VariantID
        public var generation: Int
        public var score: Double
        /// Mean USD of the agent's model calls per task it made calls for (0 when it made none).
        public var costPerTask: Double
        /// Whether no other variant has a score at least as high and a cost at least as low, one of them better.
        public var onFront: Bool

        public init(id: VariantID, generation: Int, score: Double, costPerTask: Double, onFront: Bool) {
            self.id = id
            self.generation = generation
            self.score = score
            self.costPerTask = costPerTask
            self.onFront = onFront
        }
    }

    /// In id order.
    public var points: [Point]

    public init(points: [Point]) { self.points = points.sorted { $0.id < $1.id } }

    /// The front, cheapest first (best score first among equal costs).
    public var front: [Point] {
        points.filter(\.onFront).sorted { ($0.costPerTask, -$0.score, $0.id) < ($1.costPerTask, -$1.score, $1.id) }
    }
}

/// One objective per generation: the best and the mean value among the generation's valid variants.
public struct ObjectiveSeries: Sendable, Equatable {
    public struct Generation: Sendable, Equatable {
        public var generation: Int
        /// Best (largest when maximised, smallest when minimised) and mean; nil when no variant has a value.
        public var best: Double?
        public var mean: Double?
        /// How many variants of the generation have a value.
        public var variants: Int
    }

    public var name: String
    public var maximize: Bool
    /// Every generation from 0 to the archive's last.
    public var generations: [Generation]

    public init(name: String, maximize: Bool, generations: [Generation]) {
        self.name = name
        self.maximize = maximize
        self.generations = generations
    }

    /// The series of metric `name` over `variants`, read from first-attempt `outcomes`: a variant's value is
    /// the mean of `name` over its tasks that passed and reported a finite value. Invalid and pending
    /// variants, and variants without such a task, have none (a failed check's numbers are not a result).
    public static func perGeneration(
        name: String, maximize: Bool, variants: [Variant], outcomes: [TaskOutcome]
    ) -> ObjectiveSeries {
        var byTree: [String: (sum: Double, count: Int)] = [:]
        for o in outcomes where o.attempt == 0 && o.status.isPass {
            guard let value = o.verdicts?.metrics[name], value.isFinite else { continue }
            byTree[o.tree, default: (0, 0)].sum += value
            byTree[o.tree, default: (0, 0)].count += 1
        }
        let last = variants.map(\.generation).max() ?? 0
        var values: [Int: [Double]] = [:]
        for v in variants where v.status == .valid {
            guard let s = byTree[v.tree] else { continue }
            values[v.generation, default: []].append(s.sum / Double(s.count))
        }
        let generations = (0...max(last, 0)).map { g -> Generation in
            let xs = values[g] ?? []
            let best = maximize ? xs.max() : xs.min()
            let mean = xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
            return Generation(generation: g, best: best, mean: mean, variants: xs.count)
        }
        return ObjectiveSeries(name: name, maximize: maximize, generations: generations)
    }
}

/// A MAP-Elites grid as the report draws it: the declared feature dimensions with the bounds the selector
/// used, and the occupied cells; every other cell is empty.
public struct EliteGridView: Sendable, Equatable {
    public struct Dimension: Sendable, Equatable {
        public var name: String
        public var bins: Int
        public var min: Double
        public var max: Double

        public init(name: String, bins: Int, min: Double, max: Double) {
            self.name = name
            self.bins = Swift.max(1, bins)
            self.min = min
            self.max = max
        }

        /// The lower edge of bin `i` (equal-width bins, as the selector bins).
        public func edge(_ i: Int) -> Double { min + (max - min) * Double(i) / Double(bins) }
    }

    public struct Cell: Sendable, Equatable {
        /// A bin per dimension.
        public var coordinates: [Int]
        /// The cell's best variant and its score.
        public var elite: VariantID
        public var score: Double
        /// How many variants fell into the cell.
        public var occupants: Int

        public init(coordinates: [Int], elite: VariantID, score: Double, occupants: Int) {
            self.coordinates = coordinates
            self.elite = elite
            self.score = score
            self.occupants = occupants
        }
    }

    public var dimensions: [Dimension]
    public var cells: [Cell]
    /// Variants with no usable value for some feature (missing, NaN or infinite), so in no cell.
    public var unplaced: Int

    public init(dimensions: [Dimension], cells: [Cell], unplaced: Int) {
        self.dimensions = dimensions
        self.cells = cells
        self.unplaced = unplaced
    }

    /// The cells on the plane of the first two dimensions (one row when there is one): with more
    /// dimensions, each plane cell keeps the best elite of the cells above it and adds up their occupants.
    public var plane: [Cell] {
        var byPlace: [[Int]: Cell] = [:]
        for c in cells {
            let place = Array(c.coordinates.prefix(2)) + (c.coordinates.count < 2 ? [0] : [])
            if var known = byPlace[place] {
                known.occupants += c.occupants
                if (c.score, known.elite) > (known.score, c.elite) {
                    known.elite = c.elite
                    known.score = c.score
                }
                byPlace[place] = known
            } else {
                byPlace[place] = Cell(coordinates: place, elite: c.elite, score: c.score, occupants: c.occupants)
            }
        }
        return byPlace.values.sorted { $0.coordinates.lexicographicallyPrecedes($1.coordinates) }
    }
}
