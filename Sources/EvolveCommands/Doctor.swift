import ArgumentParser
import EvolveArchive
import EvolveSupport

extension EvolveCommand {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an archive: the index, every variant's ref, every git object (as git fsck) and tree.",
            discussion: """
                --repair restores missing refs and indexes refs the index lacks. --rebuild-index moves a \
                damaged index.sqlite aside and rebuilds it from repo.git (variants and lineage come back; \
                scores and outcomes are re-evaluated by the next eval or search). A variant whose tree is \
                unsafe to check out (names git refuses, a link out of the folder…) is reported, never deleted.
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
            var out = "\(report.variants) variants and \(report.objects) git objects checked.\n"
            for problem in report.problems { out += "  problem: \(problem)\n" }
            for fix in report.repaired { out += "  repaired: \(fix)\n" }
            if report.problems.isEmpty { out += "The archive is healthy.\n" }
            if !repair && archive.isBeingWritten {
                out +=
                    "A search is writing this archive now: a child it is recording may show as a problem until "
                    + "it is done; run doctor again once the search ends.\n"
            }
            if !report.unsafeVariants.isEmpty {
                out +=
                    "Unsafe to check out (kept as evidence, never deleted): "
                    + report.unsafeVariants.joined(separator: ", ") + "\n"
            }
            emit(DisplayText.escaped(out, multiline: true))
            if !report.isHealthy {
                let onlyUnsafe = report.problems.count - report.repaired.count == report.unsafeVariants.count
                throw EvolveError(
                    .corrupt, "the archive has \(report.problems.count - report.repaired.count) problem(s)",
                    hint: onlyUnsafe
                        ? "the unsafe variants stay in the archive; `evolve checkout` refuses them and a search never selects an invalid child"
                        : repair ? nil : "run `evolve doctor --repair`")
            }
        }
    }
}
