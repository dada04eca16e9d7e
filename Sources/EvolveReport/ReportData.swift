import EvolveArchive
import EvolveSupport
import Foundation

/// Everything a report draws, read from an archive in one go (so a page is one consistent picture even
/// while a search keeps writing).
public struct ReportData: Sendable {
    /// Score statistics of one generation.
    public struct GenerationStats: Sendable, Equatable {
        public var generation: Int
        public var variants: Int
        public var invalid: Int
        /// Best and mean score of the generation's evaluated variants; nil when none is evaluated yet.
        public var best: Double?
        public var mean: Double?
        /// The best score of this generation and every earlier one.
        public var bestSoFar: Double?
    }

    /// Tasks × the best variants, first attempts only.
    public struct HeatMap: Sendable {
        /// Row labels: `task`, or `suite/task` when there are several suites.
        public var tasks: [String]
        public var columns: [Variant]
        /// `cells[row][column]`: the outcome, or nil when that task was not run on that variant.
        public var cells: [[OutcomeStatus?]]
    }

    /// A top variant with its diff against its first parent.
    public struct VariantDiff: Sendable {
        public var variant: Variant
        public var diff: String
    }

    public var archivePath: String
    public var generatedAt: Date
    /// Every variant, in id order.
    public var variants: [Variant]
    /// The best evaluated variant (highest score, lowest id on a tie).
    public var best: Variant?
    /// First parents from the root down to the best variant.
    public var bestPath: [VariantID]
    public var generations: [GenerationStats]
    public var usage: [GenerationUsage]
    public var heatMap: HeatMap
    public var topDiffs: [VariantDiff]
    public var runs: [RunSummary]
    public var stamp: ArchiveStamp
    /// For a page without a server: diffs (best variants first, up to a size budget) and first-attempt
    /// outcomes (without logs), so a click shows them. Empty for a live page, which asks the server.
    public var embeddedDiffs: [VariantID: String] = [:]
    public var embeddedOutcomes: [String: [TaskOutcome]] = [:]
    /// The Pareto front, the objectives per generation and the MAP-Elites grid, from `options.objectiveViews`;
    /// empty without it (and for a run that has no objectives and no grid).
    public var objectiveViews = ObjectiveViews()

    /// Reads everything a report needs from an archive; never writes.
    public static func load(from archive: Archive, options: ReportOptions = ReportOptions()) throws -> ReportData {
        let stamp = try archive.stamp()
        let variants = try archive.allVariants()
        let ranked = variants.ranked()
        let best = ranked.first
        let top = Array(ranked.prefix(options.topVariants))
        let cells = try archive.outcomesWithoutLogs(trees: Array(Set(top.map(\.tree))).sorted())
        var diffs: [VariantDiff] = []
        for v in top.prefix(options.diffVariants) {
            let diff = (try? archive.diff(v.id)) ?? "(the diff could not be read)"
            diffs.append(VariantDiff(variant: v, diff: diff))
        }
        var data = ReportData(
            archivePath: archive.path, generatedAt: Date(), variants: variants, best: best,
            bestPath: best.map { Self.firstParentPath(to: $0.id, in: variants) } ?? [],
            generations: Self.generationStats(variants), usage: try archive.usageByGeneration(),
            heatMap: Self.heatMap(columns: top, cells: cells), topDiffs: diffs, runs: try archive.runSummaries(),
            stamp: stamp)
        if let source = options.objectiveViews { data.objectiveViews = try source(archive) }
        if !options.live {
            try data.embedDetails(from: archive, ranked: ranked, budget: options.embeddedDiffBytes)
        }
        return data
    }

    /// Reads the diffs (best variants, then the best path, then the rest by id, until `budget` bytes)
    /// and the outcomes that a static page carries for its click-through panel.
    mutating func embedDetails(from archive: Archive, ranked: [Variant], budget: Int) throws {
        for d in topDiffs { embeddedDiffs[d.variant.id] = d.diff }
        var used = embeddedDiffs.values.map(\.utf8.count).reduce(0, +)
        let order = ranked.map(\.id) + bestPath + variants.map(\.id)
        for id in order where embeddedDiffs[id] == nil {
            guard used < budget else { break }
            guard let diff = try? archive.diff(id) else { continue }
            embeddedDiffs[id] = diff
            used += diff.utf8.count
        }
        let trees = Array(Set(variants.filter { $0.status != .invalid }.map(\.tree))).sorted()
        embeddedOutcomes = Dictionary(grouping: try archive.outcomesWithoutLogs(trees: trees), by: \.tree)
    }

    // MARK: - Derived figures

    /// The ids from the root to `id`, following first parents.
    public static func firstParentPath(to id: VariantID, in variants: [Variant]) -> [VariantID] {
        let byID = Dictionary(variants.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var path = [id]
        var seen: Set<VariantID> = [id]
        while let parent = byID[path[path.count - 1]]?.parents.first, byID[parent] != nil, !seen.contains(parent) {
            path.append(parent)
            seen.insert(parent)
        }
        return path.reversed()
    }

    /// Best, mean and best-so-far score for every generation from 0 to the last.
    public static func generationStats(_ variants: [Variant]) -> [GenerationStats] {
        guard let last = variants.map(\.generation).max() else { return [] }
        let byGeneration = Dictionary(grouping: variants, by: \.generation)
        var stats: [GenerationStats] = []
        var bestSoFar: Double?
        for generation in 0...max(last, 0) {
            let members = byGeneration[generation] ?? []
            let scores = members.filter { $0.status == .valid }.compactMap(\.score)
            let best = scores.max()
            if let best { bestSoFar = max(bestSoFar ?? best, best) }
            stats.append(
                GenerationStats(
                    generation: generation, variants: members.count,
                    invalid: members.filter { $0.status == .invalid }.count, best: best,
                    mean: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count), bestSoFar: bestSoFar))
        }
        return stats
    }

    /// Tasks as rows (those most variants fail at the bottom), the given variants as columns.
    static func heatMap(columns: [Variant], cells: [TaskOutcome]) -> HeatMap {
        let suites = Set(cells.map(\.suite))
        func label(_ cell: TaskOutcome) -> String { suites.count > 1 ? "\(cell.suite)/\(cell.task)" : cell.task }
        var byTree: [String: [String: OutcomeStatus]] = [:]
        for cell in cells { byTree[cell.tree, default: [:]][label(cell)] = cell.status }
        let labels = Set(cells.map(label))
        let passes = Dictionary(
            uniqueKeysWithValues: labels.map { task in
                (task, columns.filter { byTree[$0.tree]?[task] == .passed }.count)
            })
        let tasks = labels.sorted { (passes[$0]!, $1) > (passes[$1]!, $0) }
        let grid = tasks.map { task in columns.map { byTree[$0.tree]?[task] } }
        return HeatMap(tasks: tasks, columns: columns, cells: grid)
    }

    // MARK: - Totals

    public var validCount: Int { variants.filter { $0.status == .valid }.count }
    public var invalidCount: Int { variants.filter { $0.status == .invalid }.count }
    public var pendingCount: Int { variants.filter { $0.status == .pending }.count }
    public var totalCostUSD: Double { usage.map(\.costUSD).reduce(0, +) }
    public var totalTokens: Int { usage.map { $0.tokensIn + $0.tokensOut }.reduce(0, +) }
}
