import EvolveArchive
import EvolveLLM
import Foundation

/// How much the `llm` operator tells the model.
public enum PromptStyle: String, Sendable, CaseIterable {
    /// Focused when the format is whole-file and the focus task names one of the parent's files; else full.
    case auto
    /// Source, failures and archive: for capable models.
    case full
    /// One file, one task, its failure: short enough for a 135M-parameter model.
    case focused
}

/// The meta-agent's prompt: what it is shown and how it must answer.
struct MetaPrompt {
    var messages: [ChatMessage]
    /// The one file the prompt asked for (focused prompts): an unlabelled code block means it.
    var focusFile: String?
    /// The failure the prompt leads with.
    var focus: TaskFailure?

    // MARK: - Focused

    /// One file, one task statement, the failure's essence; the whole corrected file in one block.
    static func focused(file: SourceFile, failure: TaskFailure) -> MetaPrompt {
        let lang = language(of: file.path)
        let statement = String((failure.statement ?? "(no statement)").prefix(800))
        var user = "The file \(file.path) has a bug.\n\nTask:\n\(statement)\n\n"
        user +=
            "Current \(file.path):\n```\(lang)\n\(file.contents.hasSuffix("\n") ? file.contents : file.contents + "\n")```\n\n"
        let output = LogTrim.essence(failure.log)
        if !output.isEmpty { user += "The test failed with:\n```\n\(output)\n```\n\n" }
        user += "Write the corrected \(file.path) in full, in one ```\(lang) block."
        let system =
            "You are a careful programmer who fixes bugs. Answer with the complete corrected file in one "
            + "```\(lang) code block."
        return MetaPrompt(messages: [.system(system), .user(user)], focusFile: file.path, focus: failure)
    }

    // MARK: - Full

    static let system = """
        You are the meta-agent of an open-ended search over AI agents (as in ADAS and the Darwin Gödel Machine). \
        You improve an agent's source code so that it solves more of the tasks it is evaluated on. You see its \
        source, the tasks it failed with the end of their logs, and other variants from the archive. Make one \
        focused, well-reasoned change and keep everything that works. Explain the change in a sentence or two, \
        then write the edit exactly in the format asked for at the end.
        """

    static func full(
        parent: Variant, source: AgentSource, report: ParentReport, focus: TaskFailure?, digest: ArchiveDigest,
        runLine: String?, format: EditFormat, sourceCap: Int
    ) -> MetaPrompt {
        var text = "# The agent\n\n"
        if let runLine { text += "It runs as `\(runLine)` (agent.yaml), in the task's workspace.\n" }
        for (suite, count) in report.taskCounts.sorted(by: { $0.key < $1.key }) {
            let passed = report.passed.filter { $0.hasPrefix(suite + "/") }.count
            let failed = report.failures.filter { $0.suite == suite }.count
            text += "It is evaluated on the suite `\(suite)` (\(count) tasks): it passed \(passed), failed \(failed)"
            text += passed + failed < count ? ", \(count - passed - failed) not run yet.\n" : ".\n"
        }
        if let score = parent.score { text += "Its score is \(String(format: "%.2f", score)).\n" }
        if !report.objectiveNotes.isEmpty {
            text += "\nScores to raise (a task scores only when its check passes; higher is better):\n"
            for note in report.objectiveNotes.prefix(12) { text += "- \(String(note.prefix(1500)))\n" }
        }

        // Failures, the focus first.
        var failures = report.failures
        if let focus, let index = failures.firstIndex(of: focus) { failures.insert(failures.remove(at: index), at: 0) }
        if failures.isEmpty {
            text += "\nNo failed task is recorded for it. Make a change that makes it more capable or more robust.\n"
            let examples = report.exampleStatements.sorted { $0.key < $1.key }.flatMap { $0.value }.prefix(2)
            for statement in examples { text += "\nAn example task:\n\(quote(statement, limit: 800))\n" }
        } else {
            text += "\n# Failed tasks (\(failures.count); work on the first)\n"
            var budget = 16_000
            for (number, failure) in failures.enumerated() {
                var part = "\n## \(failure.key): \(failure.status.rawValue)"
                if let detail = failure.detail { part += " (\(detail))" }
                part += "\n"
                if number < 3, let statement = failure.statement {
                    part += "Statement:\n\(quote(statement, limit: 1200))\n"
                }
                let lines = number == 0 ? 40 : 15
                part += "End of the log:\n```\n\(LogTrim.tail(failure.log, lines: lines))\n```\n"
                if part.utf8.count > budget && number > 0 {
                    text +=
                        "\n(\(failures.count - number) more failed: "
                        + failures[number...].prefix(12).map(\.key).joined(separator: ", ") + ")\n"
                    break
                }
                budget -= part.utf8.count
                text += part
            }
        }

        if !digest.isEmpty {
            text += "\n# Other variants in the archive\n"
            if !digest.best.isEmpty {
                text += "\nThe best so far:\n" + digest.best.map(describe).joined(separator: "\n") + "\n"
            }
            if !digest.different.isEmpty {
                text +=
                    "\nThe most different from this one (by the tasks they solve):\n"
                    + digest.different.map(describe).joined(separator: "\n") + "\n"
            }
        }

        // Source, most relevant first, within the cap.
        let mentions = ([focus?.log, focus?.statement] + failures.flatMap { [$0.statement, $0.log] }).compactMap { $0 }
        let ranked = rank(source.files, mentions: mentions, runLine: runLine)
        var shown: [SourceFile] = []
        var omitted: [SourceFile] = []
        var used = 0
        for file in ranked {
            if used + file.size <= sourceCap {
                shown.append(file)
                used += file.size
            } else {
                omitted.append(file)
            }
        }
        let total = source.files.reduce(0) { $0 + $1.size }
        text +=
            "\n# Source (\(shown.count) of \(source.files.count) files, \(used) of \(total) bytes; most relevant first)\n"
        for file in shown {
            let body = file.contents.hasSuffix("\n") || file.contents.isEmpty ? file.contents : file.contents + "\n"
            text += "\n\(file.path)\n```\(language(of: file.path))\n\(body)```\n"
        }
        let unseen = omitted.map { "\($0.path) (\($0.size) bytes)" } + source.skipped.map { "\($0) (not text)" }
        if !unseen.isEmpty { text += "\nNot shown: " + unseen.prefix(30).joined(separator: ", ") + "\n" }

        text += "\n# Your answer\n\n" + instructions(format)
        return MetaPrompt(messages: [.system(system), .user(text)], focusFile: nil, focus: focus)
    }

    private static func describe(_ entry: ArchiveDigest.Entry) -> String {
        let v = entry.variant
        var line =
            "- \(v.id) (score \(v.score.map { String(format: "%.2f", $0) } ?? "–"), \(v.operator), generation \(v.generation))"
        line += ": " + String(v.summary.split(separator: "\n").first ?? "").prefix(160)
        if !entry.gains.isEmpty {
            line += "\n  passes where this one fails: " + entry.gains.prefix(6).joined(separator: ", ")
        }
        if !entry.losses.isEmpty {
            line += "\n  fails where this one passes: " + entry.losses.prefix(6).joined(separator: ", ")
        }
        return line
    }

    /// Files named in the failures first (in order of mention), then the entry point, then small files first.
    static func rank(_ files: [SourceFile], mentions: [String], runLine: String?) -> [SourceFile] {
        func firstMention(_ path: String) -> Int? {
            for (index, text) in mentions.enumerated() where text.contains(path) { return index }
            return nil
        }
        return files.sorted { a, b in
            let ma = firstMention(a.path) ?? Int.max
            let mb = firstMention(b.path) ?? Int.max
            if ma != mb { return ma < mb }
            let ra = runLine?.contains(a.path) == true
            let rb = runLine?.contains(b.path) == true
            if ra != rb { return ra }
            if a.size != b.size { return a.size < b.size }
            return a.path < b.path
        }
    }

    static func instructions(_ format: EditFormat) -> String {
        switch format {
        case .searchReplace:
            return """
                Write each change as a SEARCH/REPLACE block: the file's path on a line of its own, then

                <<<<<<< SEARCH
                the exact lines of the current file to change
                =======
                the lines to put in their place
                >>>>>>> REPLACE

                The SEARCH part must match the file exactly, indentation included, and be long enough to be \
                unique. Use one block per change; blocks for the same file apply in order. Only edit files \
                shown above.
                """
        case .unifiedDiff:
            return """
                Write the change as a unified diff in one ```diff block, with paths relative to the agent's root:

                ```diff
                --- a/PATH
                +++ b/PATH
                @@ -START,COUNT +START,COUNT @@
                 an unchanged line
                -a removed line
                +an added line
                ```

                Keep three unchanged lines of context around each change; context and removed lines must \
                match the file exactly. A new file has `--- /dev/null`.
                """
        case .wholeFile:
            return """
                For each file you change or add, write its path on a line of its own, then the complete new \
                file in a fenced code block. Write every file in full: never leave code out with "..." \
                comments. Do not repeat files you leave unchanged.
                """
        }
    }

    static func language(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "py": return "python"
        case "js", "mjs": return "javascript"
        case "ts": return "typescript"
        case "sh", "bash": return "bash"
        case "yaml", "yml": return "yaml"
        case "json": return "json"
        case "md": return "markdown"
        case "c", "h": return "c"
        case "swift": return "swift"
        case "rb": return "ruby"
        case "go": return "go"
        case "rs": return "rust"
        default: return ""
        }
    }

    private static func quote(_ text: String, limit: Int) -> String {
        let cut = text.count > limit ? String(text.prefix(limit)) + " […]" : text
        return cut.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
    }
}

// MARK: - Files named in text

extension AgentSource {
    /// The source's files that `text` names by path, in order of first mention.
    func files(namedIn text: String) -> [SourceFile] {
        files.compactMap { file -> (Int, SourceFile)? in
            guard let range = text.range(of: file.path) else { return nil }
            // `funcs/clamp.py` inside `funcs/clamp.pyc` or `myfuncs/clamp.py` does not count.
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if let before, before.isLetter || before.isNumber || before == "_" || before == "-" { return nil }
            if let after, after.isLetter || after.isNumber || after == "_" { return nil }
            return (text.distance(from: text.startIndex, to: range.lowerBound), file)
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
