import EvolveSearch
import EvolveSupport
import Foundation

/// The selectors the landscape table compares: the five plain ones, MAP-Elites (code size × outcome
/// diversity, 8 × 8) and islands (4 islands, migration every 10 generations, rate 0.1) around hgm and novelty.
let landscapeSelectors = [
    "hgm", "novelty", "dgm", "greedy", "random", "map-elites", "islands:hgm", "islands:novelty",
]

/// A selector by bench name: a plain name, `map-elites`, or `islands:NAME` for NAME inside islands.
func benchSelector(_ name: String) throws -> any ParentSelector {
    if name.hasPrefix("islands:") {
        return IslandSelector(
            inner: try benchSelector(String(name.dropFirst("islands:".count))),
            settings: IslandSettings(count: 4, migrationInterval: 10, migrationRate: 0.1))
    }
    return try makeSelector(name: name, k: 5, beta: 1.0)
}

/// One selector on one shape over the seeds.
struct LandscapeCell {
    var meanEvaluations: Double
    var sd: Double
    var median: Double
    var reached: Int
    var seeds: Int
    var meanBestAfter: Double
}

/// Runs every selector on `seeds` seeds of every shape; prints a line per (shape, selector) as it goes,
/// then a table: mean evaluations to the target (censored runs count at the cap), how many seeds reached
/// it, the mean best score after `bestAfter` evaluations, and each selector's mean rank across the shapes.
func runLandscapes(_ base: Landscape, shapes: [Landscape.Shape], selectors: [String], seeds: Int) throws {
    say(
        "landscape: shapes \(shapes.map(\.rawValue).joined(separator: ", ")); \(base.tasks) tasks, seed score "
            + "\(Double(base.seedPasses) / Double(base.tasks)), target \(base.target), \(base.batch) children per "
            + "generation, cap \(base.maxEvaluations) evaluations, best after \(base.bestAfter), \(seeds) seeds")
    var table: [String: [Landscape.Shape: LandscapeCell]] = [:]
    for shape in shapes {
        var landscape = base
        landscape.shape = shape
        for name in selectors {
            let selector = try benchSelector(name)
            let started = Date()
            var counts: [Double] = []
            var bests: [Double] = []
            var reached = 0
            for seed in 0..<seeds {
                let result = landscape.run(selector: selector, seed: UInt64(seed))
                counts.append(Double(result.evaluations ?? landscape.maxEvaluations))
                if result.evaluations != nil { reached += 1 }
                bests.append(result.bestAfter)
            }
            let mean = counts.reduce(0, +) / Double(counts.count)
            let sd = (counts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, counts.count - 1)))
                .squareRoot()
            let cell = LandscapeCell(
                meanEvaluations: mean, sd: sd, median: median(counts), reached: reached, seeds: seeds,
                meanBestAfter: bests.reduce(0, +) / Double(bests.count))
            table[name, default: [:]][shape] = cell
            // `landscape NAME …` for the hgm shape (the line scripts/bench.sh reads), `landscape-SHAPE NAME …` else.
            let prefix = shape == .hgm ? "landscape" : "landscape-\(shape.rawValue)"
            say(
                prefix
                    + String(
                        format: " %@ mean=%.0f sd=%.0f median=%.0f reached=%d/%d best@%d=%.3f seconds=%.1f", name, mean,
                        sd, cell.median, reached, seeds, base.bestAfter, cell.meanBestAfter,
                        Date().timeIntervalSince(started)))
        }
    }
    say(renderTable(table, shapes: shapes, selectors: selectors, bestAfter: base.bestAfter))
}

/// Mean rank of each selector across shapes (1 = fewest evaluations on a shape; ties share the mean rank).
func meanRanks(_ table: [String: [Landscape.Shape: LandscapeCell]], shapes: [Landscape.Shape], selectors: [String])
    -> [String: Double]
{
    var sum: [String: Double] = [:]
    for shape in shapes {
        let values = selectors.map { table[$0]?[shape]?.meanEvaluations ?? .infinity }
        for (i, name) in selectors.enumerated() {
            let better = values.filter { $0 < values[i] }.count
            let equal = values.filter { $0 == values[i] }.count
            sum[name, default: 0] += Double(better) + Double(equal + 1) / 2
        }
    }
    return sum.mapValues { $0 / Double(max(1, shapes.count)) }
}

func renderTable(
    _ table: [String: [Landscape.Shape: LandscapeCell]], shapes: [Landscape.Shape],
    selectors: [String], bestAfter: Int
) -> String {
    let ranks = meanRanks(table, shapes: shapes, selectors: selectors)
    var out = "\nEvaluations to the target: mean (seeds that reached it) · mean best score after \(bestAfter)\n\n"
    out += "| selector | " + shapes.map(\.rawValue).joined(separator: " | ") + " | mean rank |\n"
    out += "|---|" + shapes.map { _ in "---|" }.joined() + "---|\n"
    for name in selectors.sorted(by: { (ranks[$0] ?? 0, $0) < (ranks[$1] ?? 0, $1) }) {
        out += "| \(name) |"
        for shape in shapes {
            guard let c = table[name]?[shape] else {
                out += " – |"
                continue
            }
            out += String(format: " %.0f (%d/%d) · %.2f |", c.meanEvaluations, c.reached, c.seeds, c.meanBestAfter)
        }
        out += String(format: " %.2f |\n", ranks[name] ?? 0)
    }
    return out
}

/// A line on standard output at once (the table's progress lines show while it runs).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
