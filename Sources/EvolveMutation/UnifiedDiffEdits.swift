import EvolveArchive
import Foundation

/// Unified diffs from a model: read leniently, applied by libgit2 when they are exact, and otherwise hunk by
/// hunk by matching each hunk's context and removed lines in the file (wrong line numbers and counts, missing
/// `a/`/`b/` prefixes, a context line that lost its leading space, and `@@ @@` headers without numbers are
/// all common and all tolerated).
enum UnifiedDiff {
    struct Hunk: Equatable {
        /// The old start line from the header, when it has one.
        var oldStart: Int?
        /// `" "`, `"-"` or `"+"` and the line's text.
        var lines: [(kind: Character, text: Substring)]

        static func == (a: Hunk, b: Hunk) -> Bool {
            a.oldStart == b.oldStart && a.lines.map(\.kind) == b.lines.map(\.kind)
                && a.lines.map(\.text) == b.lines.map(\.text)
        }

        var old: [Substring] { lines.filter { $0.kind != "+" }.map(\.text) }
        var new: [Substring] { lines.filter { $0.kind != "-" }.map(\.text) }
    }

    struct FilePatch: Equatable {
        /// nil for `/dev/null` (a new file).
        var oldPath: String?
        /// nil for `/dev/null` (a removed file).
        var newPath: String?
        var hunks: [Hunk]
        /// The path the patch is about (the new one, or the old one for a removal).
        var path: String { newPath ?? oldPath ?? "" }
    }

    // MARK: - Parsing

    /// The file patches of an answer: the diff inside ```diff fences if there are any, else the whole text.
    static func parse(_ answer: String) -> Result<[FilePatch], EditFailure> {
        let all = answer.split(separator: "\n", omittingEmptySubsequences: false)
        let fenced = FencedBlock.all(in: all).filter { block in
            ["diff", "patch", "udiff"].contains(block.info.lowercased())
                || block.lines.contains { $0.hasPrefix("@@") } && block.lines.contains { $0.hasPrefix("+++ ") }
        }
        let lines = fenced.isEmpty ? all : fenced.flatMap(\.lines)
        var patches: [FilePatch] = []
        var gitPaths: (String, String)?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("diff --git ") {
                let parts = line.dropFirst("diff --git ".count).split(separator: " ")
                if parts.count == 2 { gitPaths = (stripPrefix(parts[0]), stripPrefix(parts[1])) }
                index += 1
                continue
            }
            if line.hasPrefix("--- "), index + 1 < lines.count, lines[index + 1].hasPrefix("+++ ") {
                let oldPath = headerPath(line.dropFirst(4)).flatMap { $0 }
                let newPath = headerPath(lines[index + 1].dropFirst(4)).flatMap { $0 }
                var patch = FilePatch(oldPath: oldPath, newPath: newPath, hunks: [])
                if patch.oldPath == nil && patch.newPath == nil, let gitPaths {
                    patch.oldPath = gitPaths.0
                    patch.newPath = gitPaths.1
                }
                gitPaths = nil
                index += 2
                while index < lines.count, lines[index].hasPrefix("@@") {
                    let (hunk, next) = readHunk(lines, at: index)
                    patch.hunks.append(hunk)
                    index = next
                }
                if patch.path.isEmpty {
                    return .failure(EditFailure("diff \(patches.count + 1) has no file path on its --- and +++ lines"))
                }
                if patch.hunks.isEmpty && patch.oldPath != nil && patch.newPath != nil {
                    return .failure(EditFailure("the diff for \(patch.path) has no @@ hunk"))
                }
                patches.append(patch)
                continue
            }
            index += 1
        }
        guard !patches.isEmpty else {
            return .failure(
                EditFailure("no edit found in the answer: it has no unified diff (--- a/PATH, +++ b/PATH, @@ hunks)"))
        }
        return .success(patches)
    }

    /// The path of a `---`/`+++` line: `.some(nil)` for `/dev/null`, nil when there is none.
    private static func headerPath(_ text: Substring) -> String?? {
        let path = text.split(separator: "\t").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if path == "/dev/null" { return .some(nil) }
        let stripped = stripPrefix(Substring(path))
        return stripped.isEmpty ? nil : .some(stripped)
    }

    private static func stripPrefix(_ path: Substring) -> String {
        var text = String(path).trimmingCharacters(in: CharacterSet(charactersIn: "\"` "))
        if text.hasPrefix("a/") || text.hasPrefix("b/") { text.removeFirst(2) }
        return AnswerPaths.clean(text)
    }

    /// One hunk from its `@@` line; returns the index after it.
    private static func readHunk(_ lines: [Substring], at start: Int) -> (Hunk, Int) {
        var hunk = Hunk(oldStart: oldStart(lines[start]), lines: [])
        var index = start + 1
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("@@") || isHeader(lines, at: index) { break }
            if line.hasPrefix("\\") {
                index += 1
                continue
            }
            guard let kind = line.first else {
                // A context line that lost its single space, unless the hunk is over.
                if index + 1 < lines.count, let next = lines[index + 1].first, " +-".contains(next),
                    !isHeader(lines, at: index + 1)
                {
                    hunk.lines.append((" ", ""))
                    index += 1
                    continue
                }
                break
            }
            guard " +-".contains(kind) else { break }
            hunk.lines.append((kind, line.dropFirst()))
            index += 1
        }
        // Blank context at the end says nothing and may be a separator the model added.
        while let last = hunk.lines.last, last.kind == " ", last.text.trimmingCharacters(in: .whitespaces).isEmpty {
            hunk.lines.removeLast()
        }
        return (hunk, index)
    }

    /// Whether a file header (`--- ` then `+++ `) or `diff --git` starts at `index`.
    private static func isHeader(_ lines: [Substring], at index: Int) -> Bool {
        if lines[index].hasPrefix("diff --git ") { return true }
        return lines[index].hasPrefix("--- ") && index + 1 < lines.count && lines[index + 1].hasPrefix("+++ ")
    }

    /// `@@ -12,5 +12,6 @@` → 12.
    private static func oldStart(_ header: Substring) -> Int? {
        guard let minus = header.firstIndex(of: "-") else { return nil }
        let digits = header[header.index(after: minus)...].prefix { $0.isNumber }
        return Int(digits)
    }

    // MARK: - Checking and normalizing

    /// Every file a patch changes or removes must exist in the parent; a new one must not.
    static func checkPaths(_ patches: [FilePatch], source: AgentSource) -> Result<Void, EditFailure> {
        let known = source.files.map(\.path)
        for patch in patches {
            if let old = patch.oldPath {
                let resolved = AnswerPaths.resolve(old, known: known) ?? old
                if source.file(resolved) == nil {
                    return .failure(EditFailure("the answer names \(old), which the parent does not have"))
                }
            } else if let new = patch.newPath, source.contains(new) {
                return .failure(EditFailure("the diff creates \(new), which the parent already has"))
            }
        }
        return .success(())
    }

    /// The patch as libgit2 reads it: `diff --git` headers, `a/`/`b/` prefixes, hunk counts recomputed from
    /// the lines. nil when a hunk has no line number (only the lenient matcher can place it).
    static func normalized(_ patches: [FilePatch]) -> String? {
        var out = ""
        for patch in patches {
            let old = patch.oldPath ?? patch.newPath!
            let new = patch.newPath ?? patch.oldPath!
            out += "diff --git a/\(old) b/\(new)\n"
            if patch.oldPath == nil { out += "new file mode 100644\n" }
            if patch.newPath == nil { out += "deleted file mode 100644\n" }
            out += "--- " + (patch.oldPath.map { "a/\($0)" } ?? "/dev/null") + "\n"
            out += "+++ " + (patch.newPath.map { "b/\($0)" } ?? "/dev/null") + "\n"
            var shift = 0
            for hunk in patch.hunks {
                let oldCount = hunk.old.count
                let newCount = hunk.new.count
                guard var start = hunk.oldStart else { return nil }
                if patch.oldPath == nil { start = 0 }
                let oldStart = oldCount == 0 ? start : max(start, 1)
                let newStart = newCount == 0 ? max(oldStart + shift - 1, 0) : max(oldStart + shift, 1)
                out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
                for line in hunk.lines { out += "\(line.kind)\(line.text)\n" }
                shift += newCount - oldCount
            }
        }
        return out
    }

    // MARK: - Lenient application

    /// The changes of the patches, placing each hunk by its text rather than its line numbers.
    static func changes(_ patches: [FilePatch], source: AgentSource) -> Result<[String: FileChange], EditFailure> {
        if case .failure(let failure) = checkPaths(patches, source: source) { return .failure(failure) }
        let known = source.files.map(\.path)
        var changes: [String: FileChange] = [:]
        var contents: [String: String] = [:]
        for patch in patches {
            guard let oldPath = patch.oldPath.map({ AnswerPaths.resolve($0, known: known) ?? $0 }) else {
                // A new file: its added and context lines.
                let lines = patch.hunks.flatMap(\.new)
                changes[patch.newPath!] = .write(TextLines.join(lines, finalNewline: true))
                continue
            }
            guard patch.newPath != nil else {
                changes[oldPath] = .delete
                continue
            }
            var text = contents[oldPath] ?? source.file(oldPath)!.contents
            var from = 0
            for (number, hunk) in patch.hunks.enumerated() {
                let old = hunk.old
                if old.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    // Pure insertion without context: after line oldStart.
                    guard let at = hunk.oldStart else {
                        return .failure(
                            EditFailure("hunk \(number + 1) of \(oldPath) adds lines without context or a line number"))
                    }
                    var (lines, final) = TextLines.split(text)
                    let position = min(max(at, 0), lines.count)
                    lines.insert(contentsOf: hunk.new, at: position)
                    text = TextLines.join(lines, finalNewline: final || lines.count == hunk.new.count)
                    from = position + hunk.new.count
                    continue
                }
                let lines = TextLines.split(text).lines
                let hint = hunk.oldStart.map { max($0 - 1, 0) } ?? from
                guard
                    let (start, count, fitted) = TextLines.locate(
                        old, hunk.new, in: lines, from: max(from, min(hint, lines.count)))
                        ?? TextLines.locate(old, hunk.new, in: lines, from: from)
                else {
                    return .failure(
                        EditFailure(
                            "hunk \(number + 1) of \(oldPath) does not apply: its context and removed lines are not in the file"
                        ))
                }
                var edited = lines
                edited.replaceSubrange(start..<(start + count), with: fitted)
                text = TextLines.join(edited, finalNewline: text.hasSuffix("\n"))
                from = start + fitted.count
            }
            contents[oldPath] = text
            if let newPath = patch.newPath, newPath != oldPath {
                changes[oldPath] = .delete
                changes[newPath] = .write(text)
            } else {
                changes[oldPath] = .write(text)
            }
        }
        return .success(changes)
    }
}
