import Foundation

/// File-system helpers shared by the archive, the evaluator and the commands.
public enum Files {
    /// Whether `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Whether something (file, folder or symlink, even a dangling one) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// The entries of a folder, or nil when it cannot be read.
    public static func entries(_ path: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: path)
    }

    /// Makes a fresh private temporary folder and returns its path.
    public static func makeTemporaryDirectory(prefix: String = "evolve") throws -> String {
        try makeTemporaryDirectory(in: ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp", prefix: prefix)
    }

    /// Makes a fresh private folder named `<prefix>.XXXXXX` in `base` and returns its path.
    public static func makeTemporaryDirectory(in base: String, prefix: String) throws -> String {
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw EvolveError(.io, "cannot make a temporary folder in \(base): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// Removes a folder tree, whatever it holds (see `TreeRemoval`); missing is fine, and so is a failure:
    /// call `TreeRemoval.remove` to learn about one.
    public static func removeTree(_ path: String) {
        try? TreeRemoval.remove(path)
    }

    /// An absolute, standardized form of `path` (relative paths are taken from the working directory).
    public static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }

    /// `folder` (made absolute) and every folder above it, nearest first, ending with `/`.
    public static func folderAndAncestors(_ folder: String) -> [String] {
        var folders: [String] = []
        var url = URL(fileURLWithPath: absolute(folder))
        while true {
            folders.append(url.path)
            let parent = url.deletingLastPathComponent().standardizedFileURL
            if parent.path == url.path { return folders }
            url = parent
        }
    }

    /// Writes `data` to `path` atomically (temporary file + rename), so a crash never leaves half a file.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EvolveError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
