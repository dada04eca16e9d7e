import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process a test starts, signals and waits for while it does other things (a search to kill -9, `evolve
/// serve`, a relay): started with `Spawn` and waited for on its own pid, never with Foundation's `Process`, whose
/// wait hung a CI run and whose start crashed two.
public final class Child: @unchecked Sendable {
    /// Where one of the child's output streams goes.
    public enum Output: Sendable {
        case discarded
        /// Appended to nothing: the file is created or truncated.
        case file(String)
        /// A pipe whose read end is `output`.
        case pipe
    }

    public let pid: pid_t
    /// The read end of the child's standard output, when it was `.pipe`.
    public let output: FileHandle?
    private let lock = NSLock()
    private var waitStatus: Int32?

    /// Starts `executable` with `arguments` (this process's environment unless one is given) in `directory`,
    /// with /dev/null as standard input, nothing above descriptor 2, and default signal handling.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        output: Output = .discarded, errors: Output = .discarded
    ) throws {
        let command = Spawn.command(
            executable, arguments, environment: environment.map { $0.map { "\($0.key)=\($0.value)" } },
            directory: directory)
        var pipe: (read: Int32, write: Int32)? = nil
        if case .pipe = output { pipe = try Spawn.closeOnExecPipe() }
        if case .pipe = errors, pipe == nil { pipe = try Spawn.closeOnExecPipe() }
        func action(_ stream: Output, _ fd: Int32) -> Spawn.FileAction {
            switch stream {
            case .discarded: .open(fd, path: "/dev/null", flags: O_WRONLY)
            case .file(let path): .open(fd, path: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            case .pipe: .duplicate(pipe!.write, to: fd)
            }
        }
        let spawn = command.withOnly(standardDescriptors: [
            .open(0, path: "/dev/null", flags: O_RDONLY), action(output, 1), action(errors, 2),
        ])
        defer { if let pipe { close(pipe.write) } }
        do {
            pid = try spawn.start(naming: executable)
        } catch {
            if let pipe { close(pipe.read) }
            throw error
        }
        self.output = pipe.map { FileHandle(fileDescriptor: $0.read, closeOnDealloc: true) }
    }

    /// Whether it still runs (it is reaped as soon as it is seen to have ended).
    public var isRunning: Bool { status == nil }

    /// Its status as a shell reports it (128 + N for signal N) once it has ended; nil while it runs.
    public var status: Int32? {
        lock.withLock {
            if waitStatus == nil {
                var raw: Int32 = 0
                let r = waitpid(pid, &raw, WNOHANG)
                if r == pid { waitStatus = raw } else if r < 0 && errno != EINTR { waitStatus = 255 << 8 }
            }
            return waitStatus.map(Spawn.shellStatus)
        }
    }

    /// Sends `signal` while it runs (never once it is reaped: its pid may be another process's by then).
    public func signal(_ signal: Int32) {
        lock.withLock { if waitStatus == nil { kill(pid, signal) } }
    }

    /// Waits for its end on this thread and returns its status.
    @discardableResult
    public func wait() -> Int32 {
        while true {
            if let status { return status }
            usleep(5000)
        }
    }

    /// Waits for its end on a thread of its own (never on the test pool) and returns its status.
    @discardableResult
    public func wait() async -> Int32 {
        (try? await offThePool { self.wait() as Int32 }) ?? 255
    }

    /// Kills it (SIGKILL) if it still runs and waits for it: for a `defer`.
    public func stop() {
        signal(SIGKILL)
        wait()
    }
}
