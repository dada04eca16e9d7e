import EvolveArchive
import EvolveReport
import EvolveSearch
import EvolveSupport
import EvolveTasks
import Foundation

/// The report's views of objectives and quality-diversity, computed with the search's own definitions: the
/// Pareto front of `evolve list --pareto`, the objectives the run's suites declare, and the grid of the
/// run's MAP-Elites selector (its binning, its candidates). `evolve report` and `evolve serve` pass
/// `ReportViews.source` to the report, which only draws the plain values.
public enum ReportViews {
    /// What the report calls with the archive it reads.
    public static let source: ObjectiveViewsSource = { archive in try load(from: archive) }

    /// The views for the archive's latest run. Nothing for an archive without a run, or whose run's suites
    /// declare no objectives and whose selector is not `map-elites`. A suite that cannot be read leaves the
    /// views that need it out and says why in `notes`.
    public static func load(from archive: Archive) throws -> ObjectiveViews {
        guard let run = try archive.lastRun() else { return ObjectiveViews() }
        guard let config = try? JSONDecoder().decode(RunConfig.self, from: Data(run.config.utf8)) else {
            return ObjectiveViews(notes: ["the saved configuration of run \(run.id) cannot be read"])
        }
        var views = ObjectiveViews()
        let suites: [Suite]
        do {
            suites = try loadSuites(config, archivePath: archive.path)
        } catch {
            let why = (error as? EvolveError)?.message ?? "\(error)"
            views.notes.append(
                "the suites of run \(run.id) cannot be read (\(why)): objectives and the MAP-Elites grid are not "
                    + "shown; run the command where the search ran")
            return views
        }
        let objectives = declaredObjectives(suites)
        if !objectives.isEmpty {
            views.pareto = try pareto(archive)
            let variants = try archive.allVariants()
            let trees = Array(Set(variants.filter { $0.status == .valid }.map(\.tree))).sorted()
            let outcomes = try archive.outcomesWithoutLogs(trees: trees)
            views.objectives = objectives.map { objective, suiteNames in
                ObjectiveSeries.perGeneration(
                    name: objective.name, maximize: objective.direction == .maximize, variants: variants,
                    outcomes: outcomes.filter { suiteNames.contains($0.suite) })
            }
        }
        if config.selector.name == SelectorKind.mapElites.rawValue {
            views.grid = try grid(archive, selector: config.selector, suites: suites)
        }
        return views
    }

    /// Every valid, scored variant, on the front or not, as `ParetoList` defines it.
    static func pareto(_ archive: Archive) throws -> ParetoView {
        let entries = try ParetoList.entries(archive: archive)
        let front = Set(try ParetoList.front(of: entries).map(\.variant.id))
        return ParetoView(
            points: entries.map {
                ParetoView.Point(
                    id: $0.variant.id, generation: $0.variant.generation, score: $0.score,
                    costPerTask: $0.costPerTask, onFront: front.contains($0.variant.id))
            })
    }

    /// The grid the run's MAP-Elites selector sees now: its features and bins, the search's candidates.
    static func grid(_ archive: Archive, selector config: SelectorConfig, suites: [Suite]) throws -> EliteGridView? {
        var selector = try makeSelector(config)
        if let islands = selector as? IslandSelector { selector = islands.inner }
        guard let mapElites = selector as? MapElitesSelector else { return nil }
        let candidates = try ObjectiveCandidates.apply(
            Candidates.build(archive: archive, suites: suites, codeSize: mapElites.needsCodeSize),
            archive: archive, suites: suites)
        let grid = mapElites.grid(candidates)
        return EliteGridView(
            dimensions: grid.dimensions.map {
                EliteGridView.Dimension(name: $0.name, bins: $0.bins, min: $0.min ?? 0, max: $0.max ?? 0)
            },
            cells: grid.cells.map {
                EliteGridView.Cell(
                    coordinates: $0.coordinates, elite: $0.elite, score: $0.score, occupants: $0.occupants)
            },
            unplaced: grid.unplaced)
    }

    /// Each objective once (the first suite's declaration wins), with the suites that declare it.
    static func declaredObjectives(_ suites: [Suite]) -> [(Objective, Set<String>)] {
        var out: [(Objective, Set<String>)] = []
        for suite in suites {
            for objective in suite.objectives {
                if let i = out.firstIndex(where: { $0.0.name == objective.name }) {
                    out[i].1.insert(suite.name)
                } else {
                    out.append((objective, [suite.name]))
                }
            }
        }
        return out
    }

    /// The run's suites, found as the search found them (its `suites_dir`), or beside the archive's folder
    /// when the saved folder is relative and this command runs elsewhere.
    static func loadSuites(_ config: RunConfig, archivePath: String) throws -> [Suite] {
        var searchPaths = [config.suitesDir]
        if !config.suitesDir.hasPrefix("/") {
            let parent = URL(fileURLWithPath: Files.absolute(archivePath)).deletingLastPathComponent().path
            searchPaths.append(parent + "/" + config.suitesDir)
        }
        return try config.suites.map { try Suite.load(from: Suite.locate($0, searchPaths: searchPaths)) }
    }
}
