import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveServe
import EvolveSupport
import Foundation
import Logging

extension EvolveCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the report live in a browser while a search runs (read-only).",
            discussion: """
                The page redraws itself when the archive changes; click a node for the variant's metadata, \
                per-task outcomes with logs, diff and the meta-agent's transcripts. The archive is only read. \
                Binds 127.0.0.1 unless --host says otherwise; stop with Ctrl-C.
                """)

        @OptionGroup var options: ArchiveOptions
        @Option(name: .long, help: "The port (0 picks a free one).") var port: Int = 8321
        @Option(name: .long, help: "The address to bind; 0.0.0.0 exposes the archive to the network.")
        var host: String = "127.0.0.1"
        @Option(name: .long, help: "Seconds between two checks of the archive by an open page.") var poll: Int = 3

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
            if poll < 1 { throw ValidationError("--poll must be at least 1 second") }
        }

        func run() async throws {
            var logger = Logger(label: "evolve.serve")
            logger.logLevel = .warning
            let server = ReportServer(
                options: ServeOptions(
                    archivePath: options.path, host: host, port: port, pollSeconds: poll,
                    objectiveViews: ReportViews.source),
                logger: logger)
            let (host, path) = (self.host, Files.absolute(options.path))
            try await server.run { port in
                emit("Serving \(path) read-only at http://\(host):\(port)/ (Ctrl-C stops)\n")
            }
        }
    }
}
