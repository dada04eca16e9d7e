import EvolveArchive
import EvolveSupport
import Foundation

/// One text file of an agent's source, as an edit sees it.
public struct SourceFile: Sendable, Equatable {
    /// Relative to the agent's root, `/`-separated (`funcs/clamp.py`).
    public var path: String
    public var contents: String
    /// Whether git records the file as executable; an edit keeps the bit.
    public var executable: Bool

    public init(path: String, contents: String, executable: Bool = false) {
        self.path = path
        self.contents = contents
        self.executable = executable
    }

    /// Size in bytes (UTF-8).
    public var size: Int { contents.utf8.count }
}

/// The parent's source: the tree an edit applies to and its text files.
///
/// Binary files, symbolic links and files over the size cap are left out of `files` (an edit cannot name
/// them) and listed in `skipped`, so a prompt can say they exist.
public struct AgentSource: Sendable {
    /// The git tree id of the parent.
    public var tree: String
    /// Text files, sorted by path.
    public var files: [SourceFile]
    /// Paths present in the tree but not editable as text.
    public var skipped: [String]

    public init(tree: String, files: [SourceFile], skipped: [String] = []) {
        self.tree = tree
        self.files = files.sorted { $0.path < $1.path }
        self.skipped = skipped
    }

    /// The file at `path`, if the source has it as text.
    public func file(_ path: String) -> SourceFile? {
        files.first { $0.path == path }
    }

    /// Whether the tree has anything at `path` (text or not).
    public func contains(_ path: String) -> Bool {
        file(path) != nil || skipped.contains(path)
    }

    /// Checks the variant out into a temporary folder and reads its files (with their executable bits).
    public static func load(_ variant: Variant, from archive: Archive, maxFileBytes: Int = 256 * 1024) throws
        -> AgentSource
    {
        let directory = try Files.makeTemporaryDirectory(prefix: "evolve-source")
        defer { Files.removeTree(directory) }
        try archive.checkout(variant.id, into: directory, force: true)
        return read(directory: directory, tree: variant.tree, maxFileBytes: maxFileBytes)
    }

    /// Reads a folder's files as a source with the given tree id.
    public static func read(directory: String, tree: String, maxFileBytes: Int = 256 * 1024) -> AgentSource {
        var files: [SourceFile] = []
        var skipped: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            let full = directory + "/" + relative
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                if relative == ".git" || relative.hasSuffix("/.git") { enumerator?.skipDescendants() }
                continue
            case S_IFREG:
                guard st.st_size <= maxFileBytes, let data = FileManager.default.contents(atPath: full),
                    !data.contains(0), let text = String(data: data, encoding: .utf8)
                else {
                    skipped.append(relative)
                    continue
                }
                files.append(SourceFile(path: relative, contents: text, executable: st.st_mode & 0o111 != 0))
            default:
                skipped.append(relative)
            }
        }
        return AgentSource(tree: tree, files: files, skipped: skipped.sorted())
    }
}
