import Foundation

/// One thing wrong with a tree: where (a path inside the agent's folder, control characters escaped)
/// and what.
public struct TreeProblem: Sendable, Equatable, CustomStringConvertible {
    /// The path of the offending entry from the tree's root ("" for the tree itself).
    public var path: String
    /// What is wrong with it, in words.
    public var issue: String

    public var description: String { path.isEmpty ? issue : "\(path): \(issue)" }
}

/// Decides whether a tree can be written to a folder without harm, the way git's `fsck` and
/// `verify_path` decide, plus what a hostile agent could do with links.
///
/// A tree is refused when an entry has a name git refuses (see `GitPathRules`), two entries share a
/// name (a link `evil` and a folder `evil`: writing the folder's files would go through the link), the
/// entries are out of git's order, a mode is not a file, an executable, a link or a folder, an object is
/// missing or of the wrong kind, the tree is absurdly large or deep, or a link leads out of the agent's
/// folder (an absolute target, `..` past the root, or a chain of links that ends outside or loops).
///
/// Results are kept per tree object, so checking many variants that share folders reads each once.
final class TreeInspector {
    static let maxEntries = 200_000
    static let maxDepth = 256
    static let maxLinkHops = 40
    static let maxLinkTarget = 4095
    static let maxProblems = 20

    private let store: GitObjectReading
    private var entriesByTree: [String: [RawTreeEntry]] = [:]
    private var summaries: [String: Summary] = [:]
    private var kinds: [String: GitObjectKind?] = [:]

    init(store: GitObjectReading) { self.store = store }

    /// What a tree object and everything below it hold.
    private struct Summary {
        var entries = 0
        var problems: [TreeProblem] = []
        var hasLinks = false
    }

    /// Every problem of the tree `id` (at most `maxProblems`); empty when it is safe to write.
    func problems(ofTree id: String) throws -> [TreeProblem] {
        let summary = try summarize(id, depth: 0)
        if !summary.problems.isEmpty { return summary.problems }
        guard summary.hasLinks else { return [] }
        var problems: [TreeProblem] = []
        try checkLinks(in: id, stack: [id], path: "", into: &problems)
        return problems
    }

    /// The problems of one tree object on its own, as `git fsck` checks each object: it parses, its
    /// entries are valid, and the objects it names exist with the right kind. Nothing below is read.
    func problems(ofObject id: String, bytes: [UInt8]) throws -> [TreeProblem] {
        switch RawTree.parse(bytes) {
        case .failure(let error): return [TreeProblem(path: "", issue: "does not parse: \(error.message)")]
        case .success(let entries):
            var problems = try problems(ofEntries: entries)
            for entry in entries where entry.isTree {
                switch try kind(of: entry.id) {
                case nil:
                    problems.append(TreeProblem(path: entry.displayName, issue: "its tree \(entry.id) is missing"))
                case .tree?: break
                case let other?:
                    problems.append(
                        TreeProblem(path: entry.displayName, issue: "a folder whose object is a \(other.rawValue)"))
                }
            }
            return problems
        }
    }

    /// The entries of a tree that `problems(ofTree:)` read.
    func entries(ofTree id: String) -> [RawTreeEntry]? { entriesByTree[id] }

    // MARK: - Structure

    private func summarize(_ id: String, depth: Int) throws -> Summary {
        if let known = summaries[id] { return known }
        var summary = Summary()
        guard depth <= Self.maxDepth else {
            summary.problems.append(TreeProblem(path: "", issue: "folders nested deeper than \(Self.maxDepth) levels"))
            return summary  // not remembered: the same tree may sit higher up elsewhere
        }
        guard let object = try store.readObject(id) else {
            summary.problems.append(TreeProblem(path: "", issue: "the tree object \(id) is missing"))
            return remember(summary, id)
        }
        guard object.kind == .tree else {
            summary.problems.append(TreeProblem(path: "", issue: "\(id) is a \(object.kind.rawValue), not a tree"))
            return remember(summary, id)
        }
        let entries: [RawTreeEntry]
        switch RawTree.parse(object.bytes) {
        case .success(let parsed): entries = parsed
        case .failure(let error):
            summary.problems.append(
                TreeProblem(path: "", issue: "the tree object \(id) does not parse: \(error.message)"))
            return remember(summary, id)
        }
        entriesByTree[id] = entries
        summary.problems = try problems(ofEntries: entries)
        for entry in entries where summary.problems.count < Self.maxProblems {
            summary.entries += 1
            summary.hasLinks = summary.hasLinks || entry.isLink
            if entry.isTree {
                let below = try summarize(entry.id, depth: depth + 1)
                summary.entries += below.entries
                summary.hasLinks = summary.hasLinks || below.hasLinks
                summary.problems += below.problems.map {
                    TreeProblem(
                        path: $0.path.isEmpty ? entry.displayName : entry.displayName + "/" + $0.path,
                        issue: $0.issue)
                }
            }
            if summary.entries > Self.maxEntries {
                summary.problems.append(TreeProblem(path: "", issue: "more than \(Self.maxEntries) entries"))
                break
            }
        }
        summary.problems = Array(summary.problems.prefix(Self.maxProblems))
        return remember(summary, id)
    }

    /// The problems of one tree object's own entries: names, duplicates, order, modes, and the kinds of
    /// the file objects they point at (folders are checked when they are read).
    func problems(ofEntries entries: [RawTreeEntry]) throws -> [TreeProblem] {
        var problems: [TreeProblem] = []
        var names = Set<[UInt8]>()
        var previousKey: [UInt8]?
        for entry in entries where problems.count < Self.maxProblems {
            func problem(_ issue: String) { problems.append(TreeProblem(path: entry.displayName, issue: issue)) }
            if let issue = GitPathRules.problem(name: entry.name, isLink: entry.isLink) { problem(issue) }
            if !names.insert(entry.name).inserted {
                problem("a duplicate name (two entries called the same: one could redirect the other's writes)")
            }
            if let previousKey, entry.sortKey.lexicographicallyPrecedes(previousKey) {
                problem("entries out of git's order")
            }
            previousKey = entry.sortKey
            switch entry.mode {
            case RawTreeEntry.treeMode: break
            case RawTreeEntry.fileMode, RawTreeEntry.executableMode, RawTreeEntry.linkMode:
                switch try kind(of: entry.id) {
                case nil: problem("its object \(entry.id) is missing")
                case .blob?: break
                case let other?: problem("a file entry whose object is a \(other.rawValue)")
                }
            case RawTreeEntry.gitlinkMode:
                problem("a submodule (gitlink) entry; an agent's source holds files, folders and links only")
            default:
                problem("the unsupported mode \(String(entry.mode, radix: 8))")
            }
        }
        return problems
    }

    private func remember(_ summary: Summary, _ id: String) -> Summary {
        summaries[id] = summary
        return summary
    }

    private func kind(of id: String) throws -> GitObjectKind? {
        if let known = kinds[id] { return known }
        let kind = try store.objectKind(id)
        kinds[id] = kind
        return kind
    }

    // MARK: - Links

    /// Checks every link below `tree` (whose folders from the root are `stack`).
    private func checkLinks(in tree: String, stack: [String], path: String, into problems: inout [TreeProblem])
        throws
    {
        for entry in entriesByTree[tree] ?? [] {
            guard problems.count < Self.maxProblems else { return }
            let entryPath = path.isEmpty ? entry.displayName : path + "/" + entry.displayName
            if entry.isTree, summaries[entry.id]?.hasLinks == true {
                try checkLinks(in: entry.id, stack: stack + [entry.id], path: entryPath, into: &problems)
            } else if entry.isLink {
                if let issue = try linkProblem(target: entry.id, folder: stack) {
                    problems.append(TreeProblem(path: entryPath, issue: issue))
                }
            }
        }
    }

    /// Why the link whose target is the blob `blob`, in the folder `folder`, is unsafe; nil when it is not.
    private func linkProblem(target blob: String, folder: [String]) throws -> String? {
        let target = try store.readObject(blob)?.bytes ?? []
        if target.isEmpty { return "a link with an empty target" }
        if target.contains(0) { return "a link whose target holds a NUL byte" }
        if target.count > Self.maxLinkTarget { return "a link target longer than \(Self.maxLinkTarget) bytes" }
        var hops = 0
        let escapes = try resolve(target, from: folder.map { Optional($0) }, hops: &hops) == nil
        guard escapes else { return nil }
        let shown = DisplayText.escaped(String(decoding: target, as: UTF8.self))
        return hops > Self.maxLinkHops
            ? "a link into a loop of links (\(shown))"
            : "a link that leads out of the agent's folder (\(shown))"
    }

    /// Follows `target` from the folder `stack` (tree ids from the root; nil where the path leaves the
    /// tree's folders) as the kernel would, through the tree's own links. Nil when it leaves the root.
    private func resolve(_ target: [UInt8], from stack: [String?], hops: inout Int) throws -> [String?]? {
        if target.first == 0x2F { return nil }
        var stack = stack
        for component in target.split(separator: 0x2F) {
            if component.elementsEqual([0x2E]) { continue }
            if component.elementsEqual([0x2E, 0x2E]) {
                guard stack.count > 1 else { return nil }
                stack.removeLast()
                continue
            }
            guard let here = stack.last ?? nil,
                let entry = entriesByTree[here]?.first(where: { $0.name.elementsEqual(component) })
            else {
                stack.append(nil)  // a name the tree does not hold: it can only be created inside
                continue
            }
            if entry.isTree {
                stack.append(entry.id)
            } else if entry.isLink {
                hops += 1
                guard hops <= Self.maxLinkHops, let next = try store.readObject(entry.id)?.bytes,
                    let resolved = try resolve(next, from: stack, hops: &hops)
                else { return nil }
                stack = resolved
            } else {
                stack.append(nil)
            }
        }
        return stack
    }
}
