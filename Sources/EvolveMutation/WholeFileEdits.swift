import EvolveArchive
import Foundation

/// Whole files in fenced code blocks:
///
///     funcs/clamp.py
///     ```python
///     def clamp(x, lo, hi):
///         ...
///     ```
///
/// A block's path is in its info string (```` ```python funcs/clamp.py ````) or on the nearest line above
/// it (decorations tolerated, or a path mentioned in a sentence: "Here is the fixed `funcs/clamp.py`:").
/// Unlabelled blocks mean the one file the prompt asked for (or the only file there is); of several, the
/// one that shares the most lines with that file wins, since weak models add usage examples. When any block
/// is labelled, unlabelled ones are ignored. Whole-file blocks may create files.
enum WholeFile {
    /// Lines like `# ... rest of the code unchanged ...`: a model that elides code would delete it.
    static func elides(_ line: Substring) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces).lowercased()
        let comment = text.hasPrefix("#") || text.hasPrefix("//") || text.hasPrefix("/*") || text.hasPrefix("<!--")
        guard comment || text.hasPrefix("...") else { return false }
        let body = text.trimmingCharacters(in: CharacterSet(charactersIn: "#/*<!-> "))
        let dotted = body.hasPrefix("...") || body.hasSuffix("...") || body.hasPrefix("…")
        let says = ["rest of", "unchanged", "existing code", "as before", "remains the same", "same as"]
            .contains { body.contains($0) }
        if dotted && (says || (comment && body.count <= 4)) { return true }
        return comment
            && ["code unchanged", "remains unchanged", "rest of the code", "rest of the file", "existing code"]
                .contains { body.contains($0) }
    }

    static func changes(_ answer: String, source: AgentSource, defaultFile: String?)
        -> Result<[String: FileChange], EditFailure>
    {
        let known = source.files.map(\.path)
        let lines = answer.split(separator: "\n", omittingEmptySubsequences: false)
        let blocks = FencedBlock.all(in: lines)
        guard !blocks.isEmpty else {
            if let defaultFile, let original = source.file(defaultFile), let code = bareCode(lines, like: original) {
                return .success([defaultFile: .write(code)])
            }
            return .failure(EditFailure("no edit found in the answer: it has no fenced code block (```)"))
        }
        var labelled: [(number: Int, path: String, block: FencedBlock)] = []
        var unlabelled: [(number: Int, block: FencedBlock)] = []
        for (offset, block) in blocks.enumerated() {
            if let path = path(of: block, lines: lines, known: known) {
                labelled.append((offset + 1, path, block))
            } else {
                unlabelled.append((offset + 1, block))
            }
        }
        var chosen = labelled
        if let defaultFile, !labelled.contains(where: { $0.path == defaultFile }) {
            if labelled.isEmpty, let best = bestMatch(unlabelled, for: source.file(defaultFile)?.contents ?? "") {
                chosen.append((best.number, defaultFile, best.block))
            }
        }
        guard !chosen.isEmpty else {
            return .failure(
                EditFailure(
                    "code block 1 names no file: write the file's path on the line above its ``` fence"
                        + (blocks.count > 1 ? " (none of the \(blocks.count) blocks does)" : "")))
        }
        var changes: [String: FileChange] = [:]
        for (number, path, block) in chosen {
            guard block.closed else {
                return .failure(
                    EditFailure("code block \(number) for \(path) is not closed: the answer may have been cut off"))
            }
            guard !block.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return .failure(EditFailure("code block \(number) for \(path) is empty"))
            }
            if let elided = block.lines.first(where: elides) {
                return .failure(
                    EditFailure(
                        "code block \(number) for \(path) leaves code out (\"\(elided.trimmingCharacters(in: .whitespaces))\"); "
                            + "write the whole file"))
            }
            if source.skipped.contains(path) {
                return .failure(EditFailure("the answer names \(path), which is not a text file the edit can change"))
            }
            changes[path] = .write(block.text)  // a later block for the same file wins
        }
        return .success(changes)
    }

    /// Python code written without a fence (small models do): from the line that repeats one of the file's
    /// `def`/`class`/`import` lines, through the lines that are code (indented, blank, a top-level statement),
    /// up to the first line of prose. Only for `.py` files; nil when no line repeats one.
    static func bareCode(_ lines: [Substring], like original: SourceFile) -> String? {
        guard original.path.hasSuffix(".py") else { return nil }
        let starts = ["def ", "class ", "import ", "from "]
        let anchors = Set(
            original.contents.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { line in starts.contains { line.hasPrefix($0) } })
        guard let start = lines.firstIndex(where: { anchors.contains($0.trimmingCharacters(in: .whitespaces)) })
        else { return nil }
        let topLevel = starts + ["@", "#", "if __name__", "\"\"\""]
        var code: [Substring] = []
        for line in lines[start...] {
            let isCode =
                line.isEmpty || line.first == " " || line.first == "\t" || topLevel.contains { line.hasPrefix($0) }
                || line.contains(" = ")
            if !isCode { break }
            code.append(line)
        }
        while let last = code.last, last.trimmingCharacters(in: .whitespaces).isEmpty { code.removeLast() }
        return code.isEmpty ? nil : code.joined(separator: "\n") + "\n"
    }

    /// The path a block is labelled with, from its info string or the line above it.
    private static func path(of block: FencedBlock, lines: [Substring], known: [String]) -> String? {
        for word in block.info.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "=" }) {
            if let path = AnswerPaths.pathLine(word) { return AnswerPaths.resolve(path, known: known) }
        }
        var index = block.openLine - 1
        while index >= 0 && lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index -= 1 }
        guard index >= 0, !FencedBlock.isFence(lines[index]) else { return nil }
        // A closing fence of the previous block is a bare fence; `opening` also matches it, so it is excluded above.
        if let path = AnswerPaths.pathLine(lines[index]) { return AnswerPaths.resolve(path, known: known) }
        return AnswerPaths.mentionedPath(lines[index], known: known)
    }

    /// The block that shares the most distinct non-blank lines with `original` (the first on a tie).
    private static func bestMatch(_ blocks: [(number: Int, block: FencedBlock)], for original: String)
        -> (number: Int, block: FencedBlock)?
    {
        let have = Set(
            original.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        var best: (number: Int, block: FencedBlock)?
        var bestScore = -1
        for candidate in blocks {
            let lines = Set(
                candidate.block.lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            let score = lines.intersection(have).count
            if score > bestScore {
                best = candidate
                bestScore = score
            }
        }
        return best
    }
}
