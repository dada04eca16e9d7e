import EvolveArchive
import Foundation

/// aider-style SEARCH/REPLACE blocks:
///
///     funcs/clamp.py
///     ```python
///     <<<<<<< SEARCH
///         if x < hi:
///     =======
///         if x > hi:
///     >>>>>>> REPLACE
///     ```
///
/// The path is the nearest line above the block that names a file (fences, `**`, backticks, `File:` and a
/// trailing colon are tolerated); a block without one edits the file of the block before it. Markers may
/// have 5 to 9 characters and surrounding spaces. Blocks apply in order, each to the result of the ones
/// before; SEARCH text matches exactly, then ignoring trailing spaces, then ignoring indentation (the
/// replacement is re-indented to fit). An empty SEARCH appends to the file.
enum SearchReplace {
    struct Block: Equatable {
        var path: String?
        var search: [Substring]
        var replace: [Substring]
        /// 1-based, in the answer's order.
        var number: Int
    }

    // MARK: - Markers

    static func isSearchMarker(_ line: Substring) -> Bool {
        marker(line, char: "<", words: ["SEARCH", "ORIGINAL", "FIND", ""])
    }

    static func isDivider(_ line: Substring) -> Bool {
        marker(line, char: "=", words: [""])
    }

    static func isReplaceMarker(_ line: Substring) -> Bool {
        marker(line, char: ">", words: ["REPLACE", "UPDATED", ""])
    }

    private static func marker(_ line: Substring, char: Character, words: [String]) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        let run = text.prefix { $0 == char }
        guard (5...9).contains(run.count) else { return false }
        let word = text.dropFirst(run.count).trimmingCharacters(in: .whitespaces).uppercased()
        return words.contains(word)
    }

    // MARK: - Parsing

    /// The blocks of an answer, or why they cannot be read.
    static func blocks(_ answer: String, known: [String], defaultFile: String?) -> Result<[Block], EditFailure> {
        let lines = answer.split(separator: "\n", omittingEmptySubsequences: false)
        var blocks: [Block] = []
        var lastPath: String?
        var index = 0
        while index < lines.count {
            guard isSearchMarker(lines[index]) else {
                index += 1
                continue
            }
            let number = blocks.count + 1
            let path = pathAbove(index, lines: lines, known: known) ?? lastPath ?? defaultFile
            var divider = index + 1
            while divider < lines.count && !isDivider(lines[divider]) {
                if isSearchMarker(lines[divider]) || isReplaceMarker(lines[divider]) {
                    return .failure(
                        EditFailure("block \(number) has no ======= line between its SEARCH and REPLACE parts"))
                }
                divider += 1
            }
            guard divider < lines.count else {
                return .failure(EditFailure("block \(number) is not closed: no ======= line after its <<<<<<< SEARCH"))
            }
            var end = divider + 1
            while end < lines.count && !isReplaceMarker(lines[end]) {
                if isSearchMarker(lines[end]) {
                    return .failure(
                        EditFailure("block \(number) is not closed: no >>>>>>> REPLACE line after its ======="))
                }
                end += 1
            }
            guard end < lines.count else {
                return .failure(EditFailure("block \(number) is not closed: no >>>>>>> REPLACE line after its ======="))
            }
            blocks.append(
                Block(
                    path: path, search: Array(lines[(index + 1)..<divider]), replace: Array(lines[(divider + 1)..<end]),
                    number: number))
            if let path { lastPath = path }
            index = end + 1
        }
        return .success(blocks)
    }

    /// The path named just above a block: up to three non-blank lines back, skipping fences (whose info
    /// string may itself hold the path), stopping at the previous block's end.
    private static func pathAbove(_ index: Int, lines: [Substring], known: [String]) -> String? {
        var line = index - 1
        var looked = 0
        while line >= 0 && looked < 3 {
            let text = lines[line]
            if isReplaceMarker(text) { return nil }
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                line -= 1
                continue
            }
            looked += 1
            if let (_, info) = FencedBlock.opening(text) {
                let words = info.split(whereSeparator: { $0 == " " || $0 == ":" })
                if let path = words.lazy.compactMap({ AnswerPaths.pathLine($0) }).first {
                    return AnswerPaths.resolve(path, known: known)
                }
                line -= 1
                continue
            }
            if let path = AnswerPaths.pathLine(text) { return AnswerPaths.resolve(path, known: known) }
            return AnswerPaths.mentionedPath(text, known: known)
        }
        return nil
    }

    // MARK: - Applying

    /// The file changes the blocks of an answer make.
    static func changes(_ answer: String, source: AgentSource, defaultFile: String?)
        -> Result<[String: FileChange], EditFailure>
    {
        let known = source.files.map(\.path)
        let parsed: [Block]
        switch blocks(answer, known: known, defaultFile: defaultFile) {
        case .success(let blocks): parsed = blocks
        case .failure(let failure): return .failure(failure)
        }
        guard !parsed.isEmpty else {
            return .failure(
                EditFailure("no edit found in the answer: it has no <<<<<<< SEARCH / ======= / >>>>>>> REPLACE block"))
        }
        var contents: [String: String] = [:]
        for block in parsed {
            guard let path = block.path else {
                return .failure(
                    EditFailure(
                        "block \(block.number) names no file: put the file's path on the line above <<<<<<< SEARCH"))
            }
            guard let current = contents[path] ?? source.file(path)?.contents else {
                if source.contains(path) {
                    return .failure(
                        EditFailure("the answer names \(path), which is not a text file the edit can change"))
                }
                return .failure(EditFailure("the answer names \(path), which the parent does not have"))
            }
            guard let updated = TextLines.replace(block.search, with: block.replace, in: current) else {
                return .failure(EditFailure("the SEARCH text of block \(block.number) is not in \(path)"))
            }
            contents[path] = updated
        }
        return .success(contents.mapValues { .write($0) })
    }
}

// MARK: - Line matching

/// Replacing a run of lines in a text, tolerant of the ways models misquote it.
enum TextLines {
    /// `text` split into lines, and whether it ended with a newline.
    static func split(_ text: String) -> (lines: [Substring], finalNewline: Bool) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let finalNewline = text.hasSuffix("\n")
        if finalNewline { lines.removeLast() }
        if text.isEmpty { lines = [] }
        return (lines, finalNewline)
    }

    static func join(_ lines: [Substring], finalNewline: Bool) -> String {
        lines.joined(separator: "\n") + (finalNewline && !lines.isEmpty ? "\n" : "")
    }

    /// Replaces the first occurrence of `search` (as whole lines, at or after line `from` if it occurs
    /// there) with `replacement`; nil when it does not occur. An all-blank `search` appends.
    static func replace(_ search: [Substring], with replacement: [Substring], in text: String, from: Int = 0) -> String?
    {
        var (lines, finalNewline) = split(text)
        if search.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            lines += replacement
            return join(lines, finalNewline: true)
        }
        guard let (start, count, fitted) = locate(search, replacement, in: lines, from: from) else { return nil }
        lines.replaceSubrange(start..<(start + count), with: fitted)
        if lines.isEmpty { finalNewline = false }
        return join(lines, finalNewline: finalNewline || text.isEmpty)
    }

    /// Where `search` is in `lines` and the replacement lines as they should be written there.
    static func locate(_ search: [Substring], _ replacement: [Substring], in lines: [Substring], from: Int)
        -> (start: Int, count: Int, replacement: [Substring])?
    {
        // 1. Exact; 2. trailing spaces ignored.
        for compare in [{ (a: Substring, b: Substring) in a == b }, { rstrip($0) == rstrip($1) }] {
            if let start = find(search, in: lines, from: from, equal: compare) {
                return (start, search.count, replacement)
            }
        }
        // 3. Blank lines around the SEARCH text and indentation ignored; the replacement is re-indented.
        var trimmed = search[...]
        while let first = trimmed.first, first.trimmingCharacters(in: .whitespaces).isEmpty { trimmed.removeFirst() }
        while let last = trimmed.last, last.trimmingCharacters(in: .whitespaces).isEmpty { trimmed.removeLast() }
        let core = Array(trimmed)
        guard !core.isEmpty,
            let start = find(
                core, in: lines, from: from,
                equal: { $0.trimmingCharacters(in: .whitespaces) == $1.trimmingCharacters(in: .whitespaces) })
        else { return nil }
        let have = indent(lines[start])
        let wrote = indent(core[0])
        let fitted: [Substring] = replacement.map { line in
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return line }
            guard have != wrote, line.hasPrefix(wrote) else { return line }
            return Substring(have + line.dropFirst(wrote.count))
        }
        return (start, core.count, fitted)
    }

    private static func find(
        _ needle: [Substring], in lines: [Substring], from: Int, equal: (Substring, Substring) -> Bool
    ) -> Int? {
        guard !needle.isEmpty, needle.count <= lines.count else { return nil }
        let last = lines.count - needle.count
        let first = min(max(from, 0), last + 1)
        let starts = Array(first..<(last + 1)) + Array(0..<first)
        for start in starts where (0..<needle.count).allSatisfy({ equal(lines[start + $0], needle[$0]) }) {
            return start
        }
        return nil
    }

    private static func rstrip(_ s: Substring) -> Substring {
        var s = s
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return s
    }

    private static func indent(_ s: Substring) -> String {
        String(s.prefix { $0 == " " || $0 == "\t" })
    }
}
