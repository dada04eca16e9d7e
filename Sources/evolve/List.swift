import ArgumentParser
import EvolveArchive
import EvolveSearch
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the variants of the archive.")

        enum Order: String, ExpressibleByArgument, CaseIterable { case id, score }

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "Print a JSON array of variants.") var json = false
        @Option(name: .long, help: "Sort by id or by score (best first).") var sort: Order = .id
        @Option(name: .long, help: "Show at most this many.") var limit: Int?
        @Flag(name: .long, help: "Leave out invalid children.") var validOnly = false
        @Flag(name: .long, help: "Only the Pareto front of score against the agent's cost per task.") var pareto = false

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let archive = try options.open()
            if pareto {
                let front = try ParetoList.front(archive: archive)
                emit(json ? ParetoList.renderJSON(front) : ParetoList.render(front))
                return
            }
            var variants = try archive.allVariants()
            if validOnly { variants.removeAll { $0.status == .invalid } }
            if sort == .score {
                variants.sort { ($0.score ?? -1, -$0.id.number) > ($1.score ?? -1, -$1.id.number) }
            }
            if let limit { variants = Array(variants.prefix(limit)) }
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
