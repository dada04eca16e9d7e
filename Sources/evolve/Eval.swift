import ArgumentParser
import EvolveArchive
import EvolveConfig
import EvolveEvaluation
import EvolveSandbox
import EvolveSearch
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a variant on a task suite in the sandbox: a per-task table and the score.",
            discussion: """
                Tasks already evaluated for the variant's tree are not run again. Each outcome is recorded in the \
                archive as soon as it is known. Defaults (workers, sandbox limits, suite) come from --config, or \
                from configs/default.yaml when it exists.

                Example: evolve eval v0 --suite smoke --workers 4
                """)

        @OptionGroup var options: ArchiveOptions
        @Argument(help: "A variant id (v12) or a commit prefix.") var id: String
        @Option(
            help: ArgumentHelp(
                "A suite name (in the config's suites folder, default seeds/suites) or a suite folder.",
                valueName: "NAME"))
        var suite: String?
        @Option(help: ArgumentHelp("Only these tasks, comma-separated (no stages then).", valueName: "a,b"))
        var tasks: String?
        @Option(help: "How many sandboxes run at once (default: the config's workers, else 2).") var workers: Int?
        @Option(help: ArgumentHelp("A run configuration to take defaults from.", valueName: "FILE")) var config: String?
        @Flag(name: .long, help: "Print one JSON object instead of the table.") var json = false
        @Flag(name: .long, help: "Run the tasks again with the model's recorded answers, compare with the recorded outcomes, record nothing.")
        var replay = false

        static let defaultConfig = "configs/default.yaml"

        func validate() throws {
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
            if let tasks, taskList(tasks).isEmpty { throw ValidationError("--tasks needs at least one task id") }
        }

        func run() async throws {
            exitOnInterrupt()
            let config = try loadConfig()
            let archive = try options.open()
            let variant = try archive.resolve(id)
            guard let suiteName = suite ?? config?.suites.first else {
                throw EvolveError(
                    .usage, "which suite? pass --suite NAME", hint: "for example: evolve eval \(id) --suite smoke")
            }
            let suitePath = try Suite.locate(suiteName, searchPaths: [config?.suitesDir ?? "seeds/suites"])
            let suite = try Suite.load(from: suitePath)
            let limits = config?.sandbox ?? .standard
            try limits.validate()
            if replay {
                try await runReplay(archive: archive, variant: variant, suite: suite, limits: limits, config: config)
                return
            }
            // An agent that uses a model reaches it through the gateway, as in a search.
            var evaluator = TaskEvaluator(limits: limits)
            var environment: SearchEnvironment?
            if var withModel = config, withModel.agentModel != nil {
                withModel.operators = []
                let started = try await SearchEnvironment.start(config: withModel, archive: archive, runID: "eval")
                evaluator = started.evaluator
                environment = started
            }
            defer { environment?.stop() }
            let service = EvaluationService(
                archive: archive, workers: workers ?? config?.workers ?? 2, evaluator: evaluator)
            let selected = tasks.map(taskList)
            let live = !json
            let report: EvaluationReport
            do {
                report = try await service.evaluate(
                    EvaluationRequest(variant: variant, suite: suite, tasks: selected, recordScore: selected == nil)
                ) { outcome in
                    guard live else { return }
                    let status = Terminal.style(
                        outcome.status.rawValue, outcome.status.isPass ? "32" : "31", tty: Terminal.stderrIsTTY)
                    Terminal.note(
                        "  \(outcome.task): \(status) (\(String(format: "%.2f s", outcome.durationSeconds)))"
                            + (outcome.detail.map { " · \($0)" } ?? ""))
                }
            } catch let error as EvolveError where error.kind == .interrupted {
                // The process is already exiting (Ctrl-C): let that exit finish with its own status.
                try await Task.sleep(for: .seconds(30))
                throw error
            }
            emit(json ? report.renderJSON() + "\n" : report.renderTable(color: Terminal.stdoutIsTTY))
        }

        /// Ctrl-C or SIGTERM ends the command through exit(), so that the sandboxes are killed and their control
        /// groups removed (exit handlers do not run when a signal kills the process).
        private func exitOnInterrupt() {
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    Terminal.note("interrupted: outcomes recorded so far are kept")
                    Foundation.exit(130)
                }
                source.resume()
                Self.signalSources.append(source)
            }
        }

        nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []

        /// `--replay`: the tasks again, with the recorded answers; a table of recorded against replayed.
        private func runReplay(archive: Archive, variant: Variant, suite: Suite, limits: SandboxLimits,
                               config: RunConfig?) async throws {
            let rows = try await EvaluationReplay.run(
                archive: archive, variant: variant, suite: suite, tasks: tasks.map(taskList), limits: limits,
                turnLimit: config?.budget.turns ?? 30, workers: workers ?? config?.workers ?? 2)
            var out = "Replay of \(variant.id) on \(suite.name) with the recorded model answers (nothing recorded):\n"
            for row in rows {
                let mark = row.same ? "same" : "DIFFERENT"
                out += "  " + VariantTable.pad(row.task, 28) + VariantTable.pad(row.recorded?.rawValue ?? "not recorded", 14)
                    + VariantTable.pad(row.replayed.status.rawValue, 12) + mark + "\n"
            }
            let same = rows.filter(\.same).count
            out += "\(same) of \(rows.count) tasks reproduced their recorded outcome.\n"
            emit(out)
            if same != rows.count {
                throw EvolveError(.invalidInput, "\(rows.count - same) task(s) did not reproduce",
                                  hint: "the agent is not deterministic given its model's answers, or its sandbox differs")
            }
        }

        private func taskList(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        private func loadConfig() throws -> RunConfig? {
            if let config { return try ConfigLoader.load(config) }
            return Files.exists(Self.defaultConfig) ? try ConfigLoader.load(Self.defaultConfig) : nil
        }
    }
}
