import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Spawn {
    /// A plain command: `executable` (an absolute path) with `arguments`, this process's environment unless
    /// one is given.
    public static func command(
        _ executable: String, _ arguments: [String], environment: [String]? = nil, directory: String? = nil
    ) -> Spawn {
        Spawn(
            executable: executable, arguments: [executable] + arguments, environment: environment,
            directory: directory)
    }

    /// This spawn with exactly `standardDescriptors` as the child's descriptors 0–2 and nothing else of this
    /// process (every descriptor from 3 closed), starting with default signal handling and no blocked signals.
    public func withOnly(standardDescriptors: [FileAction]) -> Spawn {
        var spawn = self
        spawn.fileActions = standardDescriptors
        spawn.closeDescriptorsFrom = 3
        spawn.defaultSignals = Spawn.catchableSignals
        spawn.clearSignalMask = true
        return spawn
    }

    /// Where a command's standard error goes when it is run to its end.
    public enum ErrorOutput: Sendable {
        /// With standard output, in one stream (as a terminal shows them).
        case merged
        /// Into `Finished.errorOutput`, apart from standard output.
        case captured
        /// To /dev/null.
        case discarded
    }

    /// What a command run to its end left.
    public struct Finished: Sendable {
        /// The exit status, or 128 + N when signal N ended it (as a shell reports it).
        public var status: Int32
        /// Standard output (with standard error when it was merged).
        public var output: Data
        /// Standard error, when it was captured apart.
        public var errorOutput: Data
        /// The command outlived its time limit and was killed with its process group.
        public var timedOut: Bool

        /// Standard output as UTF-8 text.
        public var text: String { String(decoding: output, as: UTF8.self) }
        /// Standard error as UTF-8 text.
        public var errorText: String { String(decoding: errorOutput, as: UTF8.self) }
    }

    /// How long output is still read once the command has ended, from descendants that keep its pipes open.
    static let drainAfterExit: Duration = .milliseconds(200)

    /// Runs the command to its end and returns its status and output.
    ///
    /// This is the engine's one way to run a short tool (git, the C compiler, Slurm's commands, the test lister),
    /// in place of Foundation's `Process`, whose end is seen only when every holder of a socket it gives the
    /// child has closed it: a process that another thread started meanwhile, or a daemon the command leaves,
    /// keeps that socket and the wait never returns.
    ///
    /// - The child gets /dev/null as standard input and nothing of this process above descriptor 2 (its own
    ///   `fileActions` and `closeDescriptorsFrom` are replaced). It leads a new process group, starts with
    ///   default signal handling and no blocked signals.
    /// - Its pipes are close-on-exec here, so no process another thread starts meanwhile inherits them.
    /// - Only its own pid is waited for. Once it has ended, output is read for at most 200 ms more: a daemon it
    ///   started with the pipe still open never holds the caller.
    /// - After `timeout`, its whole process group is killed with SIGKILL and `timedOut` is set.
    ///
    /// - Throws: `EvolveError` of `kind` when the command cannot start or its pipes cannot be made.
    public func run(
        errorOutput: ErrorOutput = .merged, timeout: Duration? = nil, errorKind kind: EvolveError.Kind = .io,
        naming name: String? = nil
    ) throws -> Finished {
        let output = try Self.closeOnExecPipe(errorKind: kind)
        var errorPipe: (read: Int32, write: Int32)? = nil
        if errorOutput == .captured {
            do {
                errorPipe = try Self.closeOnExecPipe(errorKind: kind)
            } catch {
                close(output.read)
                close(output.write)
                throw error
            }
        }
        let standardError: FileAction =
            switch errorOutput {
            case .merged: .duplicate(output.write, to: 2)
            case .captured: .duplicate(errorPipe!.write, to: 2)
            case .discarded: .open(2, path: "/dev/null", flags: O_WRONLY)
            }
        var spawn = withOnly(standardDescriptors: [
            .open(0, path: "/dev/null", flags: O_RDONLY), .duplicate(output.write, to: 1), standardError,
        ])
        spawn.newProcessGroup = true
        let pid: pid_t
        do {
            defer {
                close(output.write)
                if let errorPipe { close(errorPipe.write) }
            }
            pid = try spawn.start(errorKind: kind, naming: name)
        } catch {
            close(output.read)
            if let errorPipe { close(errorPipe.read) }
            throw error
        }
        defer {
            close(output.read)
            if let errorPipe { close(errorPipe.read) }
        }
        var collector = OutputCollector(output: output.read, error: errorPipe?.read)
        let waitStatus = collector.collect(until: pid, timeout: timeout)
        return Finished(
            status: Self.shellStatus(waitStatus), output: collector.outputData, errorOutput: collector.errorData,
            timedOut: collector.timedOut)
    }

    /// Starts the command with nothing but /dev/null for its standard descriptors and reaps it on a thread of
    /// its own: for a command whose end nobody waits for (a cancellation from a handler that cannot wait).
    public func runDetached() {
        let spawn = withOnly(standardDescriptors: [
            .open(0, path: "/dev/null", flags: O_RDONLY), .open(1, path: "/dev/null", flags: O_WRONLY),
            .open(2, path: "/dev/null", flags: O_WRONLY),
        ])
        guard let pid = try? spawn.start() else { return }
        Thread { Spawn.reap(pid) }.start()
    }

    /// Waits for `pid` (a child of this process) to end and returns its raw wait status (255 << 8 when it cannot
    /// be waited for).
    @discardableResult
    public static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 255 << 8 }
        }
        return status
    }

    /// A raw wait status as a shell reports it: the exit status, or 128 + N for signal N.
    public static func shellStatus(_ waitStatus: Int32) -> Int32 {
        let signal = waitStatus & 0x7f
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal
    }

    /// A pipe whose two ends are close-on-exec from the start, so no process started meanwhile by another
    /// thread inherits them.
    public static func closeOnExecPipe(errorKind kind: EvolveError.Kind = .io) throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard let pipe2 = makePipe, pipe2(&ends, O_CLOEXEC) == 0 else {
            throw EvolveError(kind, "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    private typealias MakePipe = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// `pipe2` (close-on-exec from the start), hidden like `addCloseFrom`.
    private static let makePipe = glibcFunction("pipe2", as: MakePipe.self)
}

/// Reads a running command's output pipes while watching for its end and its time limit.
private struct OutputCollector {
    private(set) var outputData = Data()
    private(set) var errorData = Data()
    private(set) var timedOut = false
    private var open: [Int32]
    private let outputFD: Int32

    init(output: Int32, error: Int32?) {
        outputFD = output
        open = [output] + (error.map { [$0] } ?? [])
    }

    /// Reads until the pipes close (or, once `pid` has ended, for a short while more) and returns `pid`'s wait
    /// status; kills its process group when `timeout` passes first.
    mutating func collect(until pid: pid_t, timeout: Duration?) -> Int32 {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var waitStatus: Int32? = nil
        var drainDeadline: ContinuousClock.Instant? = nil
        var idleWait: Int32 = 1
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if waitStatus == nil {
                var status: Int32 = 0
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid || (r < 0 && errno != EINTR) {
                    waitStatus = r == pid ? status : 255 << 8
                    drainDeadline = clock.now + Spawn.drainAfterExit
                }
            }
            let now = clock.now
            if let drainDeadline, open.isEmpty || now >= drainDeadline { break }
            if waitStatus == nil, !timedOut, let deadline, now >= deadline {
                kill(-pid, SIGKILL)
                timedOut = true
            }
            guard !open.isEmpty else {
                // The pipes are closed but the command still runs: wait for it, a little longer each time.
                if waitStatus == nil && deadline == nil { return Spawn.reap(pid) }
                usleep(UInt32(idleWait) * 1000)
                idleWait = min(idleWait * 2, 50)
                continue
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), waitStatus == nil ? 50 : 10)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == outputFD {
                        outputData.append(buffer, count: count)
                    } else {
                        errorData.append(buffer, count: count)
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return waitStatus ?? Spawn.reap(pid)
    }
}
