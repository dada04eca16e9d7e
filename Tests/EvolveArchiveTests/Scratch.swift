import EvolveSupport
import Foundation

/// A temporary folder for one test, removed afterwards (swift-git's ScratchDirectory idea).
final class Scratch {
    let path: String

    init() throws { path = try Files.makeTemporaryDirectory(prefix: "evolve-test") }
    deinit { Files.removeTree(path) }

    /// Writes a file (making folders), optionally executable.
    @discardableResult
    func write(_ relative: String, _ contents: String, executable: Bool = false) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        chmod(full, executable ? 0o755 : 0o644)
        return full
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }
}

/// Runs a command and returns its standard output (trimmed) and exit status.
@discardableResult
func shell(_ arguments: [String], in directory: String? = nil) throws -> (out: String, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
            process.terminationStatus)
}

/// Every file under a folder: relative path → (bytes, mode bits, link target).
func snapshot(_ root: String) throws -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
        let full = root + "/" + relative
        var st = stat()
        lstat(full, &st)
        switch st.st_mode & S_IFMT {
        case S_IFLNK:
            result[relative] = "link:" + (try FileManager.default.destinationOfSymbolicLink(atPath: full))
        case S_IFREG:
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            result[relative] = String(format: "%o:", st.st_mode & 0o111 != 0 ? 0o755 : 0o644) + data.base64EncodedString()
        default: break
        }
    }
    return result
}
