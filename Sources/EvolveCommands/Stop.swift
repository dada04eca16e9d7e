import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the search running on the archive, as Ctrl-C in its terminal would.",
            discussion: """
                The search is the process that holds the archive's writer lock (never a pid that merely matches). \
                It finishes what it is recording and ends; `evolve search --resume` goes on from there. With \
                --now it ends at once (its sandboxes killed), and a resume still loses nothing.
                """)

        @OptionGroup var options: ArchiveOptions
        @Flag(name: .long, help: "End it at once instead of letting it finish what it is recording.") var now = false
        @Option(help: ArgumentHelp("How long to wait for it to end.", valueName: "SECONDS")) var wait: Double = 120

        func validate() throws {
            if wait <= 0 { throw ValidationError("--wait must be more than 0 seconds") }
        }

        func run() async throws {
            let archive = try options.open()
            guard let pid = archive.writerPID else {
                let state = try archive.lastRun().map { " (its last run, \($0.id), is \($0.state.rawValue))" } ?? ""
                emit("No search is running on \(archive.path)\(state).\n")
                return
            }
            Terminal.note("Stopping the search (pid \(pid))\(now ? "" : ": it finishes what it is recording")…")
            // The search's first SIGINT asks it to stop; a second ends it at once, through exit (sandboxes
            // killed, control groups removed).
            kill(pid, SIGINT)
            if now {
                try await Task.sleep(for: .milliseconds(300))
                if archive.isBeingWritten { kill(pid, SIGINT) }
            }
            let deadline = Date().addingTimeInterval(wait)
            while archive.isBeingWritten && Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            guard !archive.isBeingWritten else {
                throw EvolveError(
                    .interrupted, "the search (pid \(pid)) is still running after \(Int(wait)) s",
                    hint: now
                        ? "kill -9 \(pid) ends it (a later `evolve search --resume` repairs and loses nothing)"
                        : "`evolve stop --now` ends it at once")
            }
            let run = try archive.lastRun()
            emit(
                "Stopped"
                    + (run.map { " run \($0.id) (\($0.state.rawValue))" } ?? "")
                    + ". Go on with: evolve search --resume\(options.archive.map { " --archive \($0)" } ?? "")\n")
        }
    }
}
