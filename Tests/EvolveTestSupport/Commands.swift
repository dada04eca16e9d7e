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

/// Runs `evolve` with arguments in a folder and returns its exit status (the signal's number when a signal
/// ended it) and output.
///
/// It is started with `posix_spawn` (`Spawn`, through `env -C` for the folder) and reaped with `waitpid` on its
/// own pid, not with Foundation's `Process`: two full test runs crashed inside `Process.run()` (a bad read in
/// `memmove`) while many tests started processes at once.
@discardableResult
public func evolve(_ arguments: [String], in directory: String = repoRoot, environment: [String: String] = [:])
    throws -> CommandResult
{
    let out = Pipe()
    let err = Pipe()
    let spawn = Spawn(
        executable: "/usr/bin/env", arguments: ["env", "-C", directory, evolveBinary] + arguments,
        environment: evolveEnvironment(environment).map { "\($0.key)=\($0.value)" },
        fileActions: [
            .open(0, path: "/dev/null", flags: O_RDONLY),
            .duplicate(out.fileHandleForWriting.fileDescriptor, to: 1),
            .duplicate(err.fileHandleForWriting.fileDescriptor, to: 2),
        ],
        closeDescriptorsFrom: 3, defaultSignals: Spawn.catchableSignals, clearSignalMask: true)
    let pid: pid_t
    do {
        pid = try spawn.start(naming: "evolve")
    } catch {
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        throw error
    }
    try? out.fileHandleForWriting.close()
    try? err.fileHandleForWriting.close()
    // Read both pipes concurrently so a full pipe never blocks the child.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    while !errData.done { usleep(1000) }
    let signal = status & 0x7f
    return CommandResult(
        status: signal == 0 ? (status >> 8) & 0xff : signal, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData.data, as: UTF8.self))
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
    let (data, status) = try runTool(arguments, in: directory, standardError: nil)
    return (status, String(decoding: data, as: UTF8.self))
}

/// Runs a command and returns its standard output (trimmed; standard error is dropped) and exit status.
@discardableResult
public func shell(_ arguments: [String], in directory: String? = nil) throws -> (out: String, status: Int32) {
    let (data, status) = try runTool(arguments, in: directory, standardError: FileHandle.nullDevice)
    return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), status)
}

/// Runs `arguments` through /usr/bin/env; standard error goes to `standardError`, or with the output when nil.
private func runTool(_ arguments: [String], in directory: String?, standardError: FileHandle?) throws
    -> (Data, Int32)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = standardError ?? pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (data, process.terminationStatus)
}

/// Runs blocking work (child processes waited for) on a thread of its own, so that it never holds one of the
/// few threads every async test shares (a test waiting on a server would then starve).
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
