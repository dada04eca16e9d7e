import EvolveArchive
import EvolveSupport
import Foundation

/// Stopping rules and island migrations of a search, both derived from the archive (so a resumed search
/// decides exactly as the interrupted one would have).
extension SearchService {
    /// Why the search should stop after `completed` generations of the run, or nil to go on: the target
    /// score is reached, or the best score has not improved for `patience` generations.
    func goalReached(_ runID: String, completed: Int) throws -> String? {
        let target = limits.targetScore ?? settings.targetScore
        let patience = limits.patience ?? settings.patience
        guard target != nil || patience != nil else { return nil }
        let variants = try archive.allVariants().filter { $0.status == .valid && $0.score != nil }
        if let target, let best = variants.ranked().first, best.score! >= target {
            return String(
                format: "the target score %.3g is reached by %@ (%.3f)", target, best.id.description,
                best.score!)
        }
        if let patience {
            let history = Self.bestByGeneration(variants, run: runID, generations: completed)
            if let stalled = history.lastImprovement.map({ completed - $0 }), stalled >= patience {
                let best = String(format: "%.3f", history.best ?? 0)
                return "no improvement of the best score (\(best)) for \(stalled) generation\(stalled == 1 ? "" : "s") "
                    + "(patience \(patience))"
            }
        }
        return nil
    }

    /// The best score before the run's generations and the last of the first `generations` generations of
    /// the run that raised it (0 = none did; nil when nothing is scored yet).
    static func bestByGeneration(_ variants: [Variant], run: String, generations: Int)
        -> (best: Double?, lastImprovement: Int?)
    {
        var best = variants.filter { $0.run != run || $0.generation < 1 }.compactMap(\.score).max()
        var last: Int? = best == nil ? nil : 0
        let ofRun = Dictionary(grouping: variants.filter { $0.run == run && $0.generation >= 1 }, by: \.generation)
        for g in stride(from: 1, through: generations, by: 1) {
            guard let top = ofRun[g]?.compactMap(\.score).max() else { continue }
            if best == nil || top > best! + 1e-12 {
                best = top
                last = g
            }
        }
        return (best, last)
    }

    /// Logs the island migrations made after the previous generation as one `migration` event (once, even
    /// when a crash made the plan be drawn again).
    func recordMigrations(before generation: Int, candidates: [Candidate], runID: String) throws {
        guard let islands = selector as? IslandSelector else { return }
        let moves = islands.migrations(after: generation - 1, candidates, childrenPerGeneration: settings.children)
        guard !moves.isEmpty else { return }
        let message = "after generation \(generation - 1): " + moves.map(\.description).joined(separator: "; ")
        let prefix = "after generation \(generation - 1):"
        if try archive.events(run: runID, kind: "migration").contains(where: { $0.message.hasPrefix(prefix) }) {
            return
        }
        try archive.logEvent(run: runID, kind: "migration", message: message)
    }
}
