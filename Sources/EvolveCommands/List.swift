import ArgumentParser
import EvolveArchive
import EvolveSearch
import EvolveSupport
import Foundation

extension VariantOrder: ExpressibleByArgument {}

extension EvolveCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the variants of the archive.")

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "Print a JSON array of variants.") var json = false
        @Option(name: .long, help: "Sort by id or by score (best first).") var sort: VariantOrder = .id
        @Option(name: .long, help: "Show at most this many.") var limit: Int?
        @Option(name: .long, help: "Skip this many first (with --limit: pages).") var offset: Int = 0
        @Flag(name: .long, help: "Leave out invalid children.") var validOnly = false
        @Flag(name: .long, help: "Only the Pareto front of score against the agent's cost per task.") var pareto = false

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if offset < 0 { throw ValidationError("--offset must be 0 or more") }
        }

        func run() async throws {
            let archive = try options.open()
            if pareto {
                let front = try ParetoList.front(archive: archive)
                emit(json ? ParetoList.renderJSON(front) : ParetoList.render(front))
                return
            }
            // Sorted and cut in SQL: only the rows printed are read.
            let variants = try archive.variants(order: sort, validOnly: validOnly, limit: limit, offset: offset)
            if json {
                var writer = JSONWriter(capacity: variants.count * 400)
                writer.beginArray()
                for v in variants { v.writeJSON(into: &writer) }
                writer.endArray()
                emit(writer.output + "\n")
                return
            }
            emit(VariantTable.render(variants, color: Terminal.stdoutIsTTY))
        }
    }
}
