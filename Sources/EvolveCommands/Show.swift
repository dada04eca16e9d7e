import ArgumentParser
import EvolveArchive
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a variant: its metadata, per-task outcomes and its diff against its parent.")

        @OptionGroup var options: ArchiveOptions
        @Argument(help: "A variant id (v12) or a commit prefix.") var id: String
        @Flag(name: .long, help: "Print one JSON object.") var json = false
        @Flag(name: .long, help: "Leave out the diff.") var noDiff = false

        func run() async throws {
            let archive = try options.open()
            let v = try archive.resolve(id)
            try archive.verifyReference(v)
            let diff = noDiff ? nil : try archive.diff(v.id)
            let suites = try archive.evaluatedSuites(tree: v.tree)
            let outcomes = try suites.flatMap { try archive.outcomes(tree: v.tree, suite: $0) }
            if json {
                // `show --json` is the variant object with outcomes and diff added, as DESIGN.md asks.
                var writer = JSONWriter()
                writer.beginObject()
                v.writeFields(into: &writer)
                writer.key("outcomes")
                writer.beginArray()
                for o in outcomes { o.writeJSON(into: &writer) }
                writer.endArray()
                writer.field("diff", diff)
                writer.endObject()
                emit(writer.output + "\n")
                return
            }
            // Everything a child wrote (summary, reason, diff, outcome details) is escaped: no control
            // character from a hostile child reaches the terminal (DisplayText).
            let safe = { (text: String) in DisplayText.escaped(text) }
            var out = Terminal.style("\(v.id)", "1") + "  commit \(v.commit)  tree \(v.tree.prefix(12))\n"
            out += "  generation \(v.generation) · operator \(safe(v.operator))"
            if let model = v.model { out += " · model \(safe(model))" }
            if let run = v.run { out += " · run \(safe(run))" }
            out += "\n  status \(v.status.rawValue)"
            if let reason = v.reason { out += " (\(safe(reason)))" }
            out += " · score \(v.score.map { String(format: "%.3f", $0) } ?? "not evaluated")"
            out += String(format: " · cost $%.4f", v.costUSD) + "\n"
            out +=
                "  parents \(v.parents.isEmpty ? "none (seed)" : v.parents.map(\.description).joined(separator: ", "))\n"
            out += "  \(safe(v.summary))\n"
            for suite in suites {
                let rows = outcomes.filter { $0.suite == suite && $0.attempt == 0 }
                out += "\nOutcomes on \(safe(suite)): \(rows.filter { $0.status.isPass }.count)/\(rows.count) passed"
                // Outcomes are kept by tree: a child not evaluated (an edit that changed nothing) shows those of
                // the variant with the same source.
                out += v.status == .invalid && !rows.isEmpty ? " (by a variant with the same source)\n" : "\n"
                for o in rows {
                    let mark = o.status.isPass ? Terminal.style("✓", "32") : Terminal.style("✗", "31")
                    out +=
                        "  \(mark) " + VariantTable.pad(safe(o.task), 28) + VariantTable.pad(o.status.rawValue, 11)
                        + String(format: "%6.2fs", o.durationSeconds)
                        + (o.verdicts.map { "  \($0.passed)/\($0.total) tests" + ($0.forgeable ? " (forgeable)" : "") }
                            ?? "")
                        + (o.detail.map { "  \(safe($0))" } ?? "") + "\n"
                }
            }
            if let diff {
                let against = v.parents.first.map { "against \($0)" } ?? "(the seed's files)"
                out +=
                    "\nDiff \(against):\n"
                    + (diff.isEmpty ? "  (no change)\n" : DisplayText.escaped(diff, multiline: true))
            }
            emit(out)
        }
    }
}
