import ArgumentParser
import EvolveArchive
import EvolveSupport

extension EvolveCommand {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an archive and import a seed agent as variant v0.",
            discussion: """
                The seed's files become v0's tree byte for byte, modes included (.git folders and empty \
                folders are not stored). An existing archive is never overwritten.
                """)

        @OptionGroup var options: ArchiveOptions

        @Option(name: .long, help: ArgumentHelp("The seed agent's folder.", valueName: "DIR"))
        var seed: String

        func run() async throws {
            let archive = try Archive.create(at: options.path, seed: seed)
            let v0 = try archive.variant(VariantID(0))
            emit(
                """
                Created the archive \(archive.path)
                  v0  \(v0.commit.prefix(12))  \(v0.summary)
                Next: evolve search --archive \(options.path) --generations 10

                """)
        }
    }
}
