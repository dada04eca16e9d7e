import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The state of the archive's last run: generation, best, cost, running or stopped.")

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "Print one JSON object.") var json = false

        func run() async throws {
            let status = try RunStatus.read(try options.open())
            if json {
                emit(status.json() + "\n")
                return
            }
            var out = "Run \(status.run): \(status.stateText)\n"
            out += "  generation \(status.generation) of \(status.generations)\n"
            out += "  best \(status.best.map { "\($0.id) (\(String(format: "%.3f", $0.score ?? 0)))" } ?? "–")\n"
            out += String(
                format: "  cost $%.4f · %d variants · %d task evaluations\n", status.costUSD, status.variants,
                status.evaluations)
            out += "  last update \(status.updatedAt)\n"
            emit(out)
        }
    }
}
