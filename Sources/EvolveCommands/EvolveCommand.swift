import ArgumentParser
import EvolveArchive
import EvolveSupport
import Foundation

/// `evolve`: open-ended search over the source code of AI agents.
public struct EvolveCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "evolve",
        abstract: "Open-ended search over the source code of AI agents; every variant is a git commit.",
        discussion: """
            Start with `evolve init --seed seeds/agents/demo`, then `evolve search --generations 50`.
            Every command takes --archive DIR (default ./archive, or $EVOLVE_ARCHIVE).
            Exit status: 0 done, 1 a failure the message explains, 64 bad usage.
            """,
        subcommands: [
            Init.self, Search.self, Status.self, Stop.self, List.self, Show.self, Lineage.self, Checkout.self,
            Eval.self,
            Doctor.self, Report.self, Serve.self, RunStep.self,
        ])

    /// Runs the command; an `EvolveError` is printed as the user's message with its exit status.
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as EvolveError {
            let prefix = Terminal.style("error:", "1;31", tty: Terminal.stderrIsTTY)
            Terminal.note("\(prefix) \(error)")
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// `--archive DIR`, shared by every command that reads or writes an archive.
struct ArchiveOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The archive folder.", valueName: "DIR"))
    var archive: String?

    /// The archive path: the flag, else $EVOLVE_ARCHIVE, else ./archive.
    var path: String {
        archive ?? ProcessInfo.processInfo.environment["EVOLVE_ARCHIVE"] ?? "archive"
    }

    func open() throws -> Archive { try Archive.open(at: path) }
}

/// Prints to standard output in one write (large outputs are not split across many syscalls).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
