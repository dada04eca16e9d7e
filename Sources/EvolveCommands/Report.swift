import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveReport
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one self-contained HTML report of the search, with plots drawn as SVG.",
            discussion: """
                Score per generation, the family tree coloured by score (the path to the best variant in bold, \
                invalid children faint; click a node for its details), tasks × the best variants, tokens and \
                cost per generation, and the best variants' diffs. On suites with objectives, also the Pareto \
                front of score against cost per task and each objective per generation; with the map-elites \
                selector, the grid of elites. The file needs no network to open. \
                `evolve serve` shows the same views live.
                """)

        @OptionGroup var options: ArchiveOptions
        @Option(name: .long, help: ArgumentHelp("The HTML file to write.", valueName: "FILE"))
        var out: String = "report.html"
        @Option(name: .long, help: "How many of the best variants get a heat-map column.") var top: Int = 12
        @Option(name: .long, help: "How many of the best variants get their diff shown.") var diffs: Int = 5

        func validate() throws {
            if top < 1 { throw ValidationError("--top must be at least 1") }
            if diffs < 0 { throw ValidationError("--diffs must be 0 or more") }
        }

        func run() async throws {
            let service = ReportService(
                options: ReportOptions(topVariants: top, diffVariants: diffs, objectiveViews: ReportViews.source))
            let data = try service.write(archivePath: options.path, to: out)
            for note in data.objectiveViews.notes { Terminal.note("note: \(note)") }
            let best = data.best.map { "best \($0.id) (\(Markup.score($0.score)))" } ?? "nothing evaluated yet"
            emit("Wrote \(Files.absolute(out)): \(data.variants.count) variants, \(best).\n")
        }
    }
}
