import EvolveSupport
import Foundation

/// The built `evolve` binary: beside the test bundle (the same build folder), or $EVOLVE_BIN.
public let evolveBinary: String = {
    if let explicit = ProcessInfo.processInfo.environment["EVOLVE_BIN"] { return explicit }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("evolve").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return repoRoot + "/.build/debug/evolve"
}()

/// What a finished `evolve` command left: its exit status and both outputs.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `evolve` with arguments in a folder and returns its exit status (128 + N when signal N ended it) and
/// output.
///
/// It runs with `Spawn.run` (posix_spawn, its own pid waited for), not Foundation's `Process`: two full test
/// runs crashed inside `Process.run()` while many tests started processes at once, and one CI run hung in
/// `Process.waitUntilExit()`. A command that outlives `timeout` is killed, and its result says so on stderr,
/// so a hang fails its test instead of the whole run.
@discardableResult
public func evolve(
    _ arguments: [String], in directory: String = repoRoot, environment: [String: String] = [:],
    timeout: Duration = .seconds(900)
) throws -> CommandResult {
    let command = Spawn.command(
        evolveBinary, arguments, environment: evolveEnvironment(environment).map { "\($0.key)=\($0.value)" },
        directory: directory)
    let finished = try command.run(errorOutput: .captured, timeout: timeout, naming: "evolve")
    let killed =
        finished.timedOut ? "\n[test support: evolve \(arguments.first ?? "") was killed after \(timeout)]" : ""
    return CommandResult(status: finished.status, stdout: finished.text, stderr: finished.errorText + killed)
}

/// Runs `evolve` as `evolve(_:in:environment:)` does, waiting on a thread of its own.
///
/// An `evolve search` can take a minute, and a test that waits for it on one of the test pool's threads (two
/// on a 2-core machine) takes that thread from every other test for as long. Async tests call this.
@discardableResult
public func evolve(_ arguments: [String], in directory: String = repoRoot, environment: [String: String] = [:])
    async throws -> CommandResult
{
    try await offThePool { try evolve(arguments, in: directory, environment: environment) }
}

/// The environment `evolve` runs in under test: this process's, without colour or $EVOLVE_ARCHIVE, plus `extra`.
public func evolveEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "EVOLVE_ARCHIVE")
    for (k, v) in extra { env[k] = v }
    return env
}

/// Bytes one thread hands to another once, with a flag saying they have arrived.
public final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    private var finished = false

    public init() {}

    public func set(_ data: Data) {
        lock.lock()
        value = data
        finished = true
        lock.unlock()
    }

    public var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    public var done: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
}

/// Runs a plain command (git, sqlite3…) and returns its status and output (standard error included).
public func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, out: String) {
    let (data, status) = try runTool(arguments, in: directory, discardErrors: false)
    return (status, String(decoding: data, as: UTF8.self))
}

/// Runs a command and returns its standard output (trimmed; standard error is dropped) and exit status.
@discardableResult
public func shell(_ arguments: [String], in directory: String? = nil) throws -> (out: String, status: Int32) {
    let (data, status) = try runTool(arguments, in: directory, discardErrors: true)
    return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), status)
}

/// Runs `arguments` through /usr/bin/env (killed after ten minutes); standard error goes with the output, or
/// to /dev/null when `discardErrors`.
private func runTool(_ arguments: [String], in directory: String?, discardErrors: Bool) throws -> (Data, Int32) {
    let command = Spawn.command("/usr/bin/env", arguments, directory: directory)
    let finished = try command.run(errorOutput: discardErrors ? .discarded : .merged, timeout: .seconds(600))
    return (finished.output, finished.status)
}

/// Runs blocking work (child processes waited for) on a thread of its own, so that it never holds one of the
/// few threads every async test shares (a test waiting on a server would then starve).
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
