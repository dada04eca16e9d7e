import ArgumentParser
import EvolveArchive
import EvolveSupport

extension EvolveCommand {
    struct Lineage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the family tree around a variant: its ancestors and everything descended from it.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, dot }

        @OptionGroup var options: ArchiveOptions
        @Argument(help: "A variant id (v12) or a commit prefix.") var id: String
        @Option(name: .long, help: "text (an indented tree), json or dot (Graphviz).") var format: Format = .text
        @Option(name: .long, help: "In text, show at most this many levels below the variant.") var depth: Int?

        func run() async throws {
            let archive = try options.open()
            // A text view cut at --depth reads one level more than it shows (to count what is cut off).
            let levels = format == .text ? depth.map { $0 + 1 } : nil
            let lineage = try archive.lineage(of: try archive.resolve(id).id, levels: levels)
            switch format {
            case .text: emit(lineage.renderText(color: Terminal.stdoutIsTTY, maxDepth: depth))
            case .json: emit(lineage.renderJSON())
            case .dot: emit(lineage.renderDOT())
            }
        }
    }
}
