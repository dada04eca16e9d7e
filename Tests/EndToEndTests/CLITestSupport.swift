import EvolveSupport
import Foundation

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The built `evolve` binary: beside the test bundle (the same build folder), or $EVOLVE_BIN.
let evolveBinary: String = {
    if let explicit = ProcessInfo.processInfo.environment["EVOLVE_BIN"] { return explicit }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("evolve").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return repoRoot + "/.build/debug/evolve"
}()

let hasBubblewrap = FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `evolve` with arguments in a folder and returns its exit status and output.
@discardableResult
func evolve(_ arguments: [String], in directory: String = repoRoot, environment: [String: String] = [:]) throws
    -> CommandResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: evolveBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "EVOLVE_ARCHIVE")
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a full pipe never blocks the child.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.done { usleep(1000) }
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.data, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    private var finished = false
    func set(_ data: Data) {
        lock.lock()
        value = data
        finished = true
        lock.unlock()
    }
    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    var done: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
}

/// Runs a plain command (git, sqlite3…) and returns its status and output.
func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, out: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Runs blocking work (child processes waited for) on a thread of its own, so that it never holds one of the
/// few threads every async test shares (a test waiting on a server would then starve).
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
