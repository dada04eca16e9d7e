import ArgumentParser
import EvolveArchive
import EvolveSupport

extension EvolveCommand {
    struct Checkout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a variant's exact source into a folder.",
            discussion: "Afterwards the folder's git tree hash equals the variant's commit tree.")

        @OptionGroup var options: ArchiveOptions
        @Argument(help: "A variant id (v12) or a commit prefix.") var id: String
        @Option(name: .long, help: ArgumentHelp("Target folder (default: ./<id>).", valueName: "DIR")) var into: String?
        @Flag(name: .long, help: "Replace the contents of a non-empty folder.") var force = false

        func run() async throws {
            let archive = try options.open()
            let v = try archive.resolve(id)
            let target = into ?? v.id.description
            try archive.checkout(v.id, into: target, force: force)
            emit(
                "Checked out \(v.id) (\(v.commit.prefix(12)), tree \(v.tree.prefix(12))) into \(Files.absolute(target))\n"
            )
        }
    }
}
