import ArgumentParser
import EvolveArchive
import EvolveSearch
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The state of the archive's last run: generation, best, cost, running or stopped.")

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "Print one JSON object.") var json = false

        func run() async throws {
            let archive = try options.open()
            guard let run = try archive.lastRun() else {
                throw EvolveError(.notFound, "no search has run on \(archive.path) yet", hint: "start one with `evolve search`")
            }
            let progress = (try? JSONSerialization.jsonObject(with: Data((run.progress ?? "{}").utf8))) as? [String: Any] ?? [:]
            let generation = progress["generation"] as? Int ?? 0
            let generations = progress["generations"] as? Int ?? 0
            var state = run.state.rawValue
            if run.state == .running {
                let alive = SearchSetup.pid(in: run.progress).map { kill($0, 0) == 0 } ?? false
                if !alive { state = "stopped (the process is gone; resume with `evolve search --resume`)" }
            }
            let best = try archive.bestVariants(limit: 1).first
            let cost = try archive.runCost(run.id)
            let variants = try archive.variantCount()
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.field("run", run.id)
                w.field("state", run.state.rawValue)
                w.field("alive", !state.hasPrefix("stopped (the process"))
                w.field("generation", generation)
                w.field("generations", generations)
                w.field("best", best?.id.description)
                w.field("best_score", best?.score)
                w.field("cost_usd", cost)
                w.field("variants", variants)
                w.field("evaluations", try archive.evaluationCount(run: run.id))
                w.endObject()
                emit(w.output + "\n")
                return
            }
            var out = "Run \(run.id): \(state)\n"
            out += "  generation \(generation) of \(generations)\n"
            out += "  best \(best.map { "\($0.id) (\(String(format: "%.3f", $0.score!)))" } ?? "–")\n"
            out += String(format: "  cost $%.4f · %d variants · %d task evaluations\n", cost, variants,
                          try archive.evaluationCount(run: run.id))
            out += "  last update \(Date(timeIntervalSince1970: run.updatedAt))\n"
            emit(out)
        }
    }
}
