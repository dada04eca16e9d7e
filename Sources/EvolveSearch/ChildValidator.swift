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

/// Parses Python files with the standard library's `ast` (parsing never runs the code).
enum PythonSyntax {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The first syntax error among the files, as `path:line: message`; nil when all parse (or when no
    /// Python is installed, which is then not this check's business).
    static func firstError(in files: [(path: String, contents: String)]) throws -> String? {
        guard let python else { return nil }
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-syntax")
        defer { Files.removeTree(folder) }
        var names: [String] = []
        for (i, file) in files.enumerated() {
            let name = "\(folder)/\(i).py"
            try Files.writeAtomically(Data(file.contents.utf8), to: name)
            names.append(name)
        }
        let script = """
            import ast, sys
            for name, label in zip(sys.argv[1::2], sys.argv[2::2]):
                try:
                    ast.parse(open(name, encoding="utf-8", errors="replace").read(), label)
                except SyntaxError as e:
                    print(f"{label}:{e.lineno}: {e.msg}")
                    sys.exit(1)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-I", "-c", script] + zip(names, files.map(\.path)).flatMap { [$0, $1] }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus != 0 else { return nil }
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "a file does not parse" : text
    }
}
