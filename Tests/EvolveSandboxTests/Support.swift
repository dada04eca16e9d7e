import EvolveSandbox
import EvolveSupport
import Foundation
import Testing

/// A fresh folder for one test, removed afterwards.
final class Scratch {
    let path: String

    init() throws {
        path = try Files.makeTemporaryDirectory(prefix: "evolve-sandbox-test")
    }

    deinit { Files.removeTree(path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    func makeFolder(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: true)
        return file(name)
    }
}

/// Runs a shell line in a sandbox over a fresh workspace.
func sandboxed(
    _ line: String, limits: SandboxLimits = SandboxLimits(timeoutSeconds: 20), binds: [SandboxSpec.Bind] = [],
    environment: [String: String] = [:], in scratch: Scratch? = nil
) async throws -> SandboxResult {
    let scratch = try scratch ?? Scratch()
    let workspace = try scratch.makeFolder("workspace")
    let spec = SandboxSpec(
        command: .shell(line), workspace: workspace, binds: binds, environment: environment, limits: limits)
    return try await Sandbox().run(spec)
}

/// Host processes whose command line contains `marker` (the sandbox's pids are host pids too).
func hostProcesses(containing marker: String) -> [String] {
    let me = "\(getpid())"
    var found: [String] = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
        guard entry != me, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        if line.contains(marker) { found.append("\(entry): \(line)") }
    }
    return found
}

/// A unique word to find a test's processes and files by.
func uniqueMarker(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
