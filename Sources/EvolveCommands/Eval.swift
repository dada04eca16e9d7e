import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a variant on a task suite in the sandbox: a per-task table and the score.",
            discussion: """
                Tasks already evaluated for the variant's tree are not run again. Each outcome is recorded in the \
                archive as soon as it is known. Defaults (workers, sandbox limits, suite) come from --config, or \
                from configs/default.yaml (here, else in the evolve folder it was built in).

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
        @Flag(
            name: .long,
            help:
                "Run the tasks again with the model's recorded answers, compare with the recorded outcomes, record nothing."
        )
        var replay = false

        func validate() throws {
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
            if let tasks, taskList(tasks).isEmpty { throw ValidationError("--tasks needs at least one task id") }
        }

        func run() async throws {
            let interrupts = InterruptHandler(note: { Terminal.note($0) }, onInterrupt: nil)
            defer { interrupts.stop() }
            let request = EvalRequest(
                configPath: config, archive: try options.open(), id: id, suite: suite, tasks: tasks.map(taskList),
                workers: workers)
            let prepared = try await PreparedEval.prepare(request, withEvaluator: !replay)
            defer { prepared.stop() }
            if replay {
                try await runReplay(request, prepared)
                return
            }
            let live = !json
            let report: EvaluationReport
            do {
                report = try await prepared.service.evaluate(
                    EvaluationRequest(
                        variant: prepared.variant, suite: prepared.suite, tasks: request.tasks,
                        recordScore: request.tasks == nil)
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

        /// `--replay`: the tasks again, with the recorded answers; a table of recorded against replayed.
        private func runReplay(_ request: EvalRequest, _ prepared: PreparedEval) async throws {
            let rows = try await EvaluationReplay.run(
                archive: request.archive, variant: prepared.variant, suite: prepared.suite, tasks: request.tasks,
                limits: prepared.limits, turnLimit: prepared.turnLimit, workers: prepared.workers)
            var out =
                "Replay of \(prepared.variant.id) on \(prepared.suite.name) with the recorded model answers (nothing recorded):\n"
            for row in rows {
                let mark = row.same ? "same" : "DIFFERENT"
                out +=
                    "  " + VariantTable.pad(row.task, 28)
                    + VariantTable.pad(row.recorded?.rawValue ?? "not recorded", 14)
                    + VariantTable.pad(row.replayed.status.rawValue, 12) + mark + "\n"
            }
            let same = rows.filter(\.same).count
            out += "\(same) of \(rows.count) tasks reproduced their recorded outcome.\n"
            emit(out)
            if same != rows.count {
                throw EvolveError(
                    .invalidInput, "\(rows.count - same) task(s) did not reproduce",
                    hint: "the agent is not deterministic given its model's answers, or its sandbox differs")
            }
        }

        private func taskList(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}
