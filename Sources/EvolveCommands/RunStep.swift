import ArgumentParser
import EvolveCluster
import Foundation

extension EvolveCommand {
    /// `evolve run-step DIR`: what a Slurm job runs on a node (hidden; see docs/cluster.md).
    struct RunStep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-step",
            abstract: "Run one staged sandbox step in bubblewrap on this node and write its result.json.",
            shouldDisplay: false)

        @Argument(help: "The step folder on the shared folder (spec.json in, result.json out).")
        var folder: String

        func run() async throws {
            let status = await StepFolder(path: folder).runHere()
            if status != 0 { throw ExitCode(status) }
        }
    }
}
