import ArgumentParser
import EvolveArchive
import EvolveSupport

extension EvolveCommand {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an archive: the index's integrity and every variant's ref and commit.",
            discussion: """
                --repair restores missing refs and indexes refs the index lacks. --rebuild-index moves a \
                damaged index.sqlite aside and rebuilds it from repo.git (variants and lineage come back; \
                scores and outcomes are re-evaluated by the next eval or search).
                """)

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "Fix what can be fixed from the other half of the archive.") var repair = false
        @Flag(name: .long, help: "Rebuild index.sqlite from repo.git.") var rebuildIndex = false

        func run() async throws {
            if rebuildIndex {
                let count = try Archive.rebuildIndex(at: options.path)
                emit("Rebuilt the index from repo.git: \(count) variants. Scores will be re-evaluated.\n")
                return
            }
            let archive = try Archive.open(at: options.path, repair: false)
            let report = try archive.doctor(repair: repair)
            var out = "\(report.variants) variants checked.\n"
            for problem in report.problems { out += "  problem: \(problem)\n" }
            for fix in report.repaired { out += "  repaired: \(fix)\n" }
            if report.problems.isEmpty { out += "The archive is healthy.\n" }
            emit(out)
            if !report.isHealthy {
                throw EvolveError(.corrupt, "the archive has \(report.problems.count - report.repaired.count) problem(s)",
                                  hint: repair ? nil : "run `evolve doctor --repair`")
            }
        }
    }
}
