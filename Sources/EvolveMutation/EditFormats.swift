import EvolveArchive
import EvolveSupport
import Foundation

/// How a model writes its edit of the parent's source.
///
/// The config names them `search-replace`, `unified-diff` and `whole-file`. Whatever the format asked for,
/// an answer that plainly uses another one (SEARCH/REPLACE markers, `@@` hunks) is still understood: weak
/// models rarely follow the instructions to the letter.
public enum EditFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// aider-style blocks: a file path line, then `<<<<<<< SEARCH`, old lines, `=======`, new lines,
    /// `>>>>>>> REPLACE`.
    case searchReplace = "search-replace"
    /// A unified diff (`--- a/path`, `+++ b/path`, `@@` hunks), applied by libgit2, then leniently.
    case unifiedDiff = "unified-diff"
    /// Whole files in fenced code blocks, each labelled with its path.
    case wholeFile = "whole-file"

    /// Reads a config spelling: the raw values and a few common aliases (`diff`, `udiff`, `whole`, `sr`).
    public init?(configName: String) {
        let name = configName.lowercased().replacingOccurrences(of: "_", with: "-")
        switch name {
        case "search-replace", "searchreplace", "search/replace", "sr", "editblock", "edit-block": self = .searchReplace
        case "unified-diff", "unifieddiff", "udiff", "diff", "patch": self = .unifiedDiff
        case "whole-file", "wholefile", "whole", "file", "files": self = .wholeFile
        default: return nil
        }
    }

    public var description: String { rawValue }
}

/// Why an answer gave no child: one precise sentence a person (and, in a reflexion round, the model) can act
/// on, e.g. "the SEARCH text of block 2 is not in funcs/clamp.py".
public struct EditFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// An edit that was applied and stored.
public struct AppliedEdit: Sendable, Equatable {
    /// The child's tree id in the archive's repository.
    public var tree: String
    /// The files written, created or removed, sorted.
    public var paths: [String]
    /// Which format the answer turned out to use.
    public var format: EditFormat
}

/// Turns a model's answer into file changes and applies them to the parent's tree.
///
/// Every way an answer can be wrong is an `EditFailure` with a reason, never a throw: garbage, an empty
/// answer, an oversized one, a block naming a file the parent lacks, SEARCH text that is not there, a patch
/// that applies neither strictly nor leniently, an edit that changes nothing. `apply` throws only when the
/// archive itself cannot be written.
public struct EditApplier: Sendable {
    public var format: EditFormat
    /// Answers over this many bytes are refused unread.
    public var answerCap: Int
    /// The file an unlabelled code block means (the prompt asked for this one file), if any.
    public var focusFile: String?

    public static let defaultAnswerCap = 262_144

    public init(format: EditFormat, answerCap: Int = EditApplier.defaultAnswerCap, focusFile: String? = nil) {
        self.format = format
        self.answerCap = answerCap
        self.focusFile = focusFile
    }

    // MARK: - Applying

    /// Applies `answer` to `source` and stores the child's tree in `archive`.
    public func apply(_ answer: String, to source: AgentSource, archive: Archive) throws
        -> Result<AppliedEdit, EditFailure>
    {
        let text: String
        switch precheck(answer) {
        case .success(let checked): text = checked
        case .failure(let failure): return .failure(failure)
        }
        return try applyChecked(text, to: source, archive: archive)
    }

    private func applyChecked(_ answer: String, to source: AgentSource, archive: Archive) throws
        -> Result<AppliedEdit, EditFailure>
    {
        let (used, parsed) = parseAny(answer, source: source)
        if used == .unifiedDiff, case .success(let patches) = UnifiedDiff.parse(answer) {
            if case .failure(let failure) = UnifiedDiff.checkPaths(patches, source: source) { return .failure(failure) }
            // libgit2 first: exact hunks apply with git's own rules and keep file modes.
            if let normalized = UnifiedDiff.normalized(patches),
                let tree = try? archive.applyPatch(normalized, toTree: source.tree)
            {
                guard tree != source.tree else { return .failure(Self.noChange) }
                let paths = Set(patches.map(\.path)).sorted()
                return .success(AppliedEdit(tree: tree, paths: paths, format: .unifiedDiff))
            }
        }
        switch parsed {
        case .failure(let failure): return .failure(failure)
        case .success(let changes): return try write(changes, to: source, archive: archive, format: used)
        }
    }

    /// The changes an answer makes to `source`, without touching an archive (unified diffs through the
    /// lenient hunk matcher only).
    public func changes(from answer: String, source: AgentSource) -> Result<[String: FileChange], EditFailure> {
        switch precheck(answer) {
        case .success(let text): return parseAny(text, source: source).1
        case .failure(let failure): return .failure(failure)
        }
    }

    static let noChange = EditFailure("the edit changes nothing: every file it names is left as it was")

    private func precheck(_ answer: String) -> Result<String, EditFailure> {
        let bytes = answer.utf8.count
        if bytes > answerCap {
            return .failure(EditFailure("the answer is \(bytes) bytes, over the \(answerCap)-byte cap"))
        }
        if answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .failure(EditFailure("the answer is empty"))
        }
        return .success(answer.replacingOccurrences(of: "\r\n", with: "\n"))
    }

    /// Parses with the configured format, or with the format the answer plainly uses instead.
    private func parseAny(_ answer: String, source: AgentSource) -> (
        EditFormat, Result<[String: FileChange], EditFailure>
    ) {
        let detected = Self.detect(answer)
        let first = detected ?? format
        let result = parse(answer, as: first, source: source)
        if case .failure = result, first != format, detected != nil {
            // The markers looked like another format, but did not parse as one: report the asked-for format's
            // reason only if it does better.
            let asked = parse(answer, as: format, source: source)
            if case .success = asked { return (format, asked) }
        }
        return (first, result)
    }

    private func parse(_ answer: String, as format: EditFormat, source: AgentSource)
        -> Result<[String: FileChange], EditFailure>
    {
        switch format {
        case .searchReplace:
            return SearchReplace.changes(answer, source: source, defaultFile: defaultFile(source))
        case .unifiedDiff:
            return UnifiedDiff.parse(answer).flatMap { UnifiedDiff.changes($0, source: source) }
        case .wholeFile:
            return WholeFile.changes(answer, source: source, defaultFile: defaultFile(source))
        }
    }

    /// The format an answer unmistakably uses: SEARCH/REPLACE markers, or `---`/`+++`/`@@` lines.
    static func detect(_ answer: String) -> EditFormat? {
        let lines = answer.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.contains(where: { SearchReplace.isSearchMarker($0) })
            && lines.contains(where: { SearchReplace.isReplaceMarker($0) })
        {
            return .searchReplace
        }
        let hasHeader = zip(lines, lines.dropFirst()).contains { $0.hasPrefix("--- ") && $1.hasPrefix("+++ ") }
        if hasHeader && lines.contains(where: { $0.hasPrefix("@@") }) { return .unifiedDiff }
        return nil
    }

    /// The file an unlabelled block means: the one the prompt asked for, or the only text file there is.
    func defaultFile(_ source: AgentSource) -> String? {
        if let focusFile { return focusFile }
        return source.files.count == 1 ? source.files[0].path : nil
    }

    /// Writes changes into a new tree; a change that leaves a file as it was does not count.
    private func write(
        _ changes: [String: FileChange], to source: AgentSource, archive: Archive, format: EditFormat
    ) throws -> Result<AppliedEdit, EditFailure> {
        var effective: [String: FileChange] = [:]
        for (path, change) in changes {
            switch change {
            case .write(let text, _):
                if let old = source.file(path) {
                    if old.contents == text { continue }
                    effective[path] = .write(text, executable: old.executable)
                } else {
                    effective[path] = change
                }
            case .delete:
                effective[path] = change
            }
        }
        guard !effective.isEmpty else { return .failure(Self.noChange) }
        do {
            let tree = try archive.writeTree(base: source.tree, changes: effective)
            guard tree != source.tree else { return .failure(Self.noChange) }
            return .success(AppliedEdit(tree: tree, paths: effective.keys.sorted(), format: format))
        } catch let error as EvolveError where error.kind == .git || error.kind == .invalidInput {
            return .failure(EditFailure(error.message))
        } catch let error as EvolveError where error.kind == .notFound {
            return .failure(EditFailure("the edit cannot be stored: \(error.message)"))
        }
    }
}

// MARK: - Paths in answers

/// Finding the file an answer means: on a line of its own (`funcs/clamp.py`, `**funcs/clamp.py**`,
/// `File: funcs/clamp.py`, `### funcs/clamp.py:`), in a fence's info string, or mentioned in prose.
enum AnswerPaths {
    /// A path on a line of its own, decorations removed; nil when the line is something else.
    static func pathLine(_ line: Substring) -> String? {
        var text = line.trimmingCharacters(in: .whitespaces)
        for prefix in ["#", "//", "--", ">"] where text.hasPrefix(prefix) {
            text = String(text.drop { prefix.contains($0) }).trimmingCharacters(in: .whitespaces)
        }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "*_`'\" "))
        for label in ["file:", "filename:", "path:", "file name:", "in file", "file"]
        where text.lowercased().hasPrefix(label) {
            let rest = text.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty { text = rest.trimmingCharacters(in: CharacterSet(charactersIn: "*_`'\" ")) }
            break
        }
        if text.hasSuffix(":") {
            text = String(text.dropLast()).trimmingCharacters(in: CharacterSet(charactersIn: "*_`'\" "))
        }
        return looksLikePath(text) ? clean(text) : nil
    }

    /// A path mentioned in a line of prose: a known file, or a path-like word in backticks.
    static func mentionedPath(_ line: Substring, known: [String]) -> String? {
        let separators = CharacterSet.whitespaces.union(CharacterSet(charactersIn: ",;()[]{}\"'"))
        let words = line.components(separatedBy: separators).filter { !$0.isEmpty }
        for word in words.reversed() {
            let bare = word.trimmingCharacters(in: CharacterSet(charactersIn: "*_`:.!?"))
            let candidate = clean(bare)
            if let match = resolve(candidate, known: known), known.contains(match) { return match }
            if word.hasPrefix("`"), looksLikePath(bare) { return candidate }
        }
        return nil
    }

    /// Whether a word can be a relative file path: safe characters, and an extension that starts with a
    /// letter or a folder part (`funcs/clamp.py`, `agent.yaml`, `Makefile` only when known).
    static func looksLikePath(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 255, !text.hasPrefix("<<<"), !text.contains("..") else { return false }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+")
        guard text.unicodeScalars.allSatisfy({ allowed.contains($0) }) else { return false }
        let name = text.split(separator: "/").last.map(String.init) ?? text
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        let ext = name[name.index(after: dot)...]
        guard let first = ext.first, first.isLetter, ext.count <= 10 else { return false }
        return true
    }

    /// `./a/b.py`, `/a/b.py`, `a\b.py` → `a/b.py`.
    static func clean(_ text: String) -> String {
        var path = text.replacingOccurrences(of: "\\", with: "/")
        while path.hasPrefix("./") { path.removeFirst(2) }
        while path.hasPrefix("/") { path.removeFirst() }
        return path
    }

    /// The known file a written path means: itself, or the one file whose path ends with it (`clamp.py` for
    /// `funcs/clamp.py`); otherwise the path as written.
    static func resolve(_ path: String, known: [String]) -> String? {
        guard !path.isEmpty else { return nil }
        if known.contains(path) { return path }
        let suffixed = known.filter { $0.hasSuffix("/" + path) }
        if suffixed.count == 1 { return suffixed[0] }
        return path
    }
}

// MARK: - Fenced blocks

/// A fenced code block of an answer.
struct FencedBlock: Sendable {
    /// The text after the opening fence (`python`, `python funcs/clamp.py`, `diff`).
    var info: String
    /// The lines between the fences.
    var lines: [Substring]
    /// Line index of the opening fence.
    var openLine: Int
    /// False when the answer ended before the closing fence.
    var closed: Bool

    var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    /// The blocks of `lines`, in order (fences of three or more backticks or tildes).
    static func all(in lines: [Substring]) -> [FencedBlock] {
        var blocks: [FencedBlock] = []
        var index = 0
        while index < lines.count {
            guard let (fence, info) = opening(lines[index]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < lines.count && !isClosing(lines[end], fence: fence) { end += 1 }
            var body = Array(lines[(index + 1)..<min(end, lines.count)])
            var closed = end < lines.count
            if !closed, let glued = body.lastIndex(where: { $0.hasSuffix(fence) }) {
                // Small models glue the closing fence to the last line of code: `    return x```.
                body = Array(body[..<glued]) + [body[glued].dropLast(fence.count)]
                if body.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { body.removeLast() }
                end = index + 1 + glued
                closed = true
            }
            blocks.append(FencedBlock(info: info, lines: body, openLine: index, closed: closed))
            index = end + 1
        }
        return blocks
    }

    static func opening(_ line: Substring) -> (fence: String, info: String)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard let mark = text.first, mark == "`" || mark == "~" else { return nil }
        let fence = String(text.prefix { $0 == mark })
        guard fence.count >= 3 else { return nil }
        let info = text.dropFirst(fence.count).trimmingCharacters(in: .whitespaces)
        if mark == "`" && info.contains("`") { return nil }
        return (fence, info)
    }

    static func isClosing(_ line: Substring, fence: String) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard let mark = fence.first, text.count >= fence.count else { return false }
        return text.allSatisfy { $0 == mark }
    }

    static func isFence(_ line: Substring) -> Bool { opening(line) != nil }
}
