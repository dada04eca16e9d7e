import EvolveArchive
import EvolveSupport
import Foundation

/// Decides whether a child's tree is worth evaluating; the reason it is not becomes the invalid child's
/// `reason`: empty diff, a tree unsafe to check out, duplicate of an existing variant, a protected path
/// touched, a Python syntax error.
struct ChildValidator {
    let archive: Archive
    let protectedPaths: [String]
    let syntaxCheck: Bool

    func reasonToReject(tree: String, parent: Variant) throws -> String? {
        if tree == parent.tree { return "empty diff: the child is the same as \(parent.id)" }
        if let unsafe = try archive.unsafeTreeReason(tree) { return unsafe }
        let changed = try archive.changedPaths(from: parent.tree, to: tree)
        if changed.isEmpty { return "empty diff: the child is the same as \(parent.id)" }
        if let duplicate = try archive.variants(withTree: tree).first(where: { $0.status != .invalid }) {
            return "duplicate of \(duplicate.id): the same tree was made before"
        }
        for path in changed {
            for protected in protectedPaths
            where path == protected || (protected.hasSuffix("/") && path.hasPrefix(protected)) {
                return "touched the protected path \(path)"
            }
        }
        if syntaxCheck, let error = try Self.syntaxError(archive: archive, tree: tree, parentTree: parent.tree) {
            return error
        }
        return nil
    }

    /// The syntax error of the Python files a child changed, if any. Runs a Python process: the search
    /// calls it where children are made concurrently, not where they are recorded one by one.
    static func syntaxError(archive: Archive, tree: String, parentTree: String) throws -> String? {
        guard tree != parentTree else { return nil }
        let python = try archive.changedPaths(from: parentTree, to: tree).filter { $0.hasSuffix(".py") }
            .compactMap { path -> (String, String)? in
                try archive.fileContents(tree: tree, path: path).map { (path, $0) }
            }
        guard !python.isEmpty, let error = try PythonSyntax.firstError(in: python) else { return nil }
        return "syntax error: \(error)"
    }
}
