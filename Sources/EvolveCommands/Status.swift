import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The state of the archive's last run: generation, best, cost, running or stopped, Slurm jobs.")

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "Print one JSON object.") var json = false

        func run() async throws {
            let status = try await RunStatus.read(try options.open())
            emit(json ? status.json() + "\n" : status.text())
        }
    }
}
