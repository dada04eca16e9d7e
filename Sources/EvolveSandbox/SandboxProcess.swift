import EvolveSupport
import Foundation

/// One bubblewrap process from spawn to reaping: it holds the sandbox at its start (`--block-fd`) until the
/// sandbox's first process is in the step's control groups and has its resource limits, then reads its
/// output continuously, enforces the wall time and the output ceiling, and kills the whole tree.
enum SandboxProcess {
    /// Inside bubblewrap: where it writes `{"child-pid": N}` and where it waits before starting the command.
    static let infoFD: Int32 = 3
    static let blockFD: Int32 = 4

    /// Runs one step on the calling thread; `group` holds the calling thread (so the sandbox is born in it).
    /// With a `gate`, the sandbox is built, bounded and then held before its command starts until the gate is
    /// opened (`Sandbox.prepare`); its wall time counts from then. Cancelling while held kills it (`.killed`).
    static func run(
        executable: String, arguments: [String], limits: SandboxLimits, group: ControlGroup?, cancel: CancelSignal,
        gate: CancelSignal? = nil
    ) throws -> SandboxResult {
        guard let prlimit = GNU.prlimit else {
            throw EvolveError(.sandbox, "this C library has no prlimit(); the sandbox cannot set its limits")
        }
        if LiveGroups.shared.exiting { throw interrupted }
        if group == nil, let roots = Optional(ControlGroupRoots.current), roots.available {
            throw EvolveError(
                .sandbox,
                "cannot place a sandbox slot in control groups under \(roots.pids ?? "?") and \(roots.memory ?? "?")",
                hint: "a step would run without its process and memory bounds; check that the engine may write there")
        }
        if let group, !group.prepare(limits) {
            throw EvolveError(
                .sandbox, "cannot set the limits of the control groups \(group.pidsDir) and \(group.memoryDir)")
        }
        defer { group?.killAll() }

        let output = try Pipe2.make()
        let info = try Pipe2.make()
        // A socket pair, not a pipe: the byte that lets the command start is sent with MSG_NOSIGNAL, so a
        // bubblewrap that died while its sandbox was held is an error here, never a SIGPIPE for the engine.
        let block = try Pipe2.make(socketPair: true)
        var parentFDs = [output.read, info.read, block.write]
        defer { for fd in parentFDs { close(fd) } }

        var start = Clock.now()
        let pid: pid_t
        do {
            defer {
                close(output.write)
                close(info.write)
                close(block.read)
            }
            pid = try spawn(
                executable: executable, arguments: arguments,
                dups: [(output.write, 1), (output.write, 2), (info.write, infoFD), (block.read, blockFD)])
        }

        var capture = OutputCapture(budget: limits.outputBytesKept)
        var monitor = Monitor(pid: pid, group: group)

        // 1. Wait for the sandbox to be built and learn the host pid of its first process.
        guard let child = readChildPID(info.read, timeoutSeconds: 30) else {
            monitor.killTree()
            drain(output.read, into: &capture, giveUpAfter: 5)
            let status = monitor.reap()
            let said = capture.rendered().trimmingCharacters(in: .whitespacesAndNewlines)
            throw EvolveError(
                .sandbox,
                "bubblewrap could not set up the sandbox (status \(status.code)): \(said.isEmpty ? "no message" : said)",
                hint: "check that unprivileged user namespaces work: bwrap --unshare-user --ro-bind / / true")
        }
        monitor.child = child

        // 2. Bound the tree before the command starts (it is already in the slot's groups), then let it start.
        var failure: String?
        var limitsToSet: [(Int32, Int)] = [(rlimitFileSize, limits.fileSizeMB * 1024 * 1024), (rlimitCore, 0)]
        if group == nil {
            // Without groups: per-process address space, and processes per user (which binds only when the
            // engine does not run as root).
            limitsToSet += [(rlimitAddressSpace, limits.memoryMB * 1024 * 1024), (rlimitProcesses, limits.pids)]
        }
        for (resource, value) in limitsToSet where failure == nil {
            var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
            if prlimit(child, resource, &limit, nil) != 0 {
                failure = "cannot set resource limit \(resource) on the sandbox: \(String(cString: strerror(errno)))"
            }
        }
        if let failure {
            monitor.killTree()
            drain(output.read, into: &capture, giveUpAfter: 5)
            _ = monitor.reap()
            throw EvolveError(.sandbox, failure)
        }
        if let gate, !waitForGate(gate, cancel: cancel) {
            monitor.killTree()
            drain(output.read, into: &capture, giveUpAfter: 5)
            _ = monitor.reap()
            if LiveGroups.shared.exiting { throw interrupted }
            return SandboxResult(
                termination: .killed, exitStatus: 137, output: capture.rendered(), outputBytesKept: capture.keptBytes,
                outputBytesDropped: capture.droppedBytes, wallSeconds: 0)
        }
        if gate != nil { start = Clock.now() }
        var go: UInt8 = 1
        _ = send(block.write, &go, 1, Int32(MSG_NOSIGNAL))
        close(block.write)
        parentFDs.removeAll { $0 == block.write }

        // 3. Read the output until every process holding the pipe is gone, watching the clock and the caller.
        let deadline = start + limits.timeoutSeconds
        var termination: SandboxResult.Termination?
        var killedAt = 0.0
        func stop(_ reason: SandboxResult.Termination) {
            guard termination == nil else { return }
            termination = reason
            killedAt = Clock.now()
            monitor.killTree()
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        outputLoop: while true {
            let now = Clock.now()
            if termination == nil, now >= deadline { stop(.timeout) }
            // Once killed, the pipe closes within moments; never wait on it forever.
            if termination != nil, now - killedAt > 5 { break }
            let waitMS = termination == nil ? Int32(min(max((deadline - now) * 1000, 1), 60_000)) : 100
            var fds = [
                pollfd(fd: output.read, events: Int16(POLLIN), revents: 0),
                pollfd(fd: cancel.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, termination == nil ? 2 : 1, waitMS)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if termination == nil, fds[1].revents != 0 { stop(.killed) }
            if fds[0].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(output.read, $0.baseAddress, $0.count) }
                if n > 0 {
                    buffer.withUnsafeBytes { capture.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    if termination == nil, capture.totalBytes > limits.outputBytesBeforeKill { stop(.outputCap) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    break outputLoop
                }
            }
        }

        // 4. The pipe is closed (or the tree was killed); wait for bubblewrap, still bounded by the clock.
        var pause: UInt32 = 200
        var status: ExitStatus?
        while status == nil {
            status = monitor.reapIfDone()
            if status != nil { break }
            if termination == nil, Clock.now() >= deadline { stop(.timeout) }
            var fds = [pollfd(fd: cancel.readFD, events: Int16(POLLIN), revents: 0)]
            if termination == nil, poll(&fds, 1, 0) > 0, fds[0].revents != 0 { stop(.killed) }
            if termination != nil, Clock.now() - killedAt > 2 {
                status = monitor.reap()
                break
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        let wall = Clock.now() - start
        let exit = status ?? ExitStatus(code: 137)

        // Killed because the engine is exiting: no outcome may be made of that.
        if LiveGroups.shared.exiting { throw interrupted }
        if termination == nil, let group, group.oomKills > 0 { termination = .memory }
        if termination == nil, group == nil, exit.code != 0, looksOutOfMemory(capture.rendered()) {
            termination = .memory
        }
        group?.killAll()
        return SandboxResult(
            termination: termination ?? .exited, exitStatus: exit.code, output: capture.rendered(),
            outputBytesKept: capture.keptBytes, outputBytesDropped: capture.droppedBytes, wallSeconds: wall,
            forksRefused: group?.forkFailures ?? 0)
    }

    static let interrupted = EvolveError(.interrupted, "the sandbox was stopped because the engine is exiting")

    /// Waits until `gate` is opened (true) or `cancel` fires (false), whichever comes first.
    private static func waitForGate(_ gate: CancelSignal, cancel: CancelSignal) -> Bool {
        while true {
            var fds = [
                pollfd(fd: gate.readFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: cancel.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, 1000)
            if ready < 0, errno != EINTR { return false }
            if fds[1].revents != 0 || LiveGroups.shared.exiting { return false }
            if fds[0].revents != 0 { return true }
        }
    }

    /// Without a memory group, a process over its address-space limit sees failed allocations; these are the
    /// usual words for it.
    static func looksOutOfMemory(_ output: String) -> Bool {
        ["MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory"].contains { output.contains($0) }
    }

    // MARK: - Spawning

    private static func spawn(executable: String, arguments: [String], dups: [(Int32, Int32)]) throws -> pid_t {
        // Nothing else of the engine (the archive's database, a socket) may leak into the sandbox: every
        // descriptor above the ones placed here is closed; no signal is blocked or ignored; bubblewrap leads
        // its own process group, so the whole tree can be killed at once.
        let spawn = Spawn(
            executable: executable, arguments: arguments, environment: [],
            fileActions: [.open(0, path: "/dev/null", flags: O_RDONLY)] + dups.map { .duplicate($0.0, to: $0.1) },
            closeDescriptorsFrom: (dups.map(\.1).max() ?? 2) + 1, newProcessGroup: true,
            defaultSignals: Spawn.catchableSignals, clearSignalMask: true)
        return try spawn.start(errorKind: .sandbox)
    }

    /// Reads bubblewrap's info document up to the child pid; nil when it exits (or stalls) before saying it.
    private static func readChildPID(_ fd: Int32, timeoutSeconds: Double) -> pid_t? {
        var text = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 512)
        let deadline = Clock.now() + timeoutSeconds
        while Clock.now() < deadline {
            if let pid = parseChildPID(text) { return pid }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, 100)
            if ready < 0, errno != EINTR { return nil }
            guard ready > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return parseChildPID(text, complete: true) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            text += buffer[0..<n]
        }
        return nil
    }

    /// `{"child-pid": 1234, ...}`; waits for the number to be complete (a comma, a newline or the end).
    static func parseChildPID(_ bytes: [UInt8], complete: Bool = false) -> pid_t? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let key = text.range(of: "\"child-pid\"") else { return nil }
        let rest = text[key.upperBound...].drop { $0 == ":" || $0 == " " || $0 == "\t" }
        let digits = rest.prefix { $0.isNumber }
        guard !digits.isEmpty, complete || digits.endIndex < rest.endIndex else { return nil }
        return pid_t(digits)
    }

    private static func drain(_ fd: Int32, into capture: inout OutputCapture, giveUpAfter seconds: Double) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let deadline = Clock.now() + seconds
        while Clock.now() < deadline {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            buffer.withUnsafeBytes { capture.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}

// MARK: - Killing and reaping

/// The outer bubblewrap process (our child) and the sandbox's first process (pid 1 of its namespace).
private struct Monitor {
    let pid: pid_t
    let group: ControlGroup?
    var child: pid_t?
    var reaped = false

    init(pid: pid_t, group: ControlGroup?) {
        self.pid = pid
        self.group = group
    }

    /// Kills every process of the step. Killing the namespace's first process makes the kernel kill all the
    /// others in it; the control group catches anything in between; the outer bubblewrap goes last.
    mutating func killTree() {
        if let child, group?.members().contains(child) ?? !reaped { kill(child, SIGKILL) }
        group?.killAll()
        if !reaped { kill(-pid, SIGKILL) }
    }

    mutating func reapIfDone() -> ExitStatus? { waitOnce(WNOHANG) }

    mutating func reap() -> ExitStatus {
        while true {
            if let status = waitOnce(0) { return status }
        }
    }

    /// One `waitpid`: the status once the process has ended (255 when it cannot be waited for), nil while it
    /// runs or when the wait was interrupted.
    private mutating func waitOnce(_ options: Int32) -> ExitStatus? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, options)
        if r == pid {
            reaped = true
            return ExitStatus(waitStatus: status)
        }
        if r < 0, errno != EINTR {
            reaped = true
            return ExitStatus(code: 255)
        }
        return nil
    }
}

struct ExitStatus {
    var code: Int32

    init(code: Int32) { self.code = code }

    /// Decodes a wait status: the exit code, or 128 + the signal, like a shell.
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        code = signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal
    }
}

// MARK: - Small system pieces

enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

enum Pipe2 {
    /// A close-on-exec pipe (or a connected pair of Unix stream sockets, used one way) whose ends are numbered
    /// 10 or above, so that placing them at 0–4 in a child never collides with their own numbers.
    static func make(socketPair: Bool = false) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if socketPair {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                throw EvolveError(.sandbox, "cannot make a socket pair: \(String(cString: strerror(errno)))")
            }
        } else {
            guard let pipe2 = GNU.pipe2, pipe2(&fds, O_CLOEXEC) == 0 else {
                throw EvolveError(.sandbox, "cannot make a pipe: \(String(cString: strerror(errno)))")
            }
        }
        return (high(fds[0]), high(fds[1]))
    }

    private static func high(_ fd: Int32) -> Int32 {
        guard fd < 10 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        guard moved >= 0 else { return fd }
        close(fd)
        return moved
    }
}

let rlimitFileSize = Int32(bitPattern: RLIMIT_FSIZE.rawValue)
let rlimitCore = Int32(bitPattern: RLIMIT_CORE.rawValue)
/// RLIMIT_NPROC, hidden behind _GNU_SOURCE; 6 on every Linux architecture.
let rlimitProcesses: Int32 = 6
let rlimitAddressSpace = Int32(bitPattern: RLIMIT_AS.rawValue)

/// glibc functions that Swift's Glibc module hides behind _GNU_SOURCE, looked up once.
enum GNU {
    typealias Prlimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32
    typealias MakePipe = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    static let prlimit: Prlimit? = symbol("prlimit")
    static let pipe2: MakePipe? = symbol("pipe2")

    private static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }
}
