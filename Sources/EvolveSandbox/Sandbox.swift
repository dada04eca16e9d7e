import EvolveSupport
import Foundation

/// Runs commands under bubblewrap with limits, one call per sandboxed step.
///
/// Each step gets new user, pid, network, IPC, UTS and cgroup namespaces, no capabilities, the system's
/// `/usr` read-only, a private `/tmp`, the workspace writable and an environment built from nothing. The
/// whole process tree is bounded by `SandboxLimits`: through cgroup v1 `pids` and `memory` groups when the
/// engine may create them (root on this kind of host), through resource limits otherwise. When the time
/// runs out, or the caller cancels the task, every process of the step is killed, not only the first.
public struct Sandbox: Sendable {
    /// Path of the `bwrap` executable.
    public var bwrapPath: String

    public init(bwrapPath: String = "/usr/bin/bwrap") {
        self.bwrapPath = bwrapPath
    }

    /// How process count and memory are enforced on this host, for logs and benchmarks.
    public static var enforcement: String {
        ControlGroupRoots.current.available
            ? "cgroup v1 pids + memory groups, rlimits for file size"
            : "rlimits only (address space, processes, file size): cgroup v1 pids/memory are not writable here"
    }

    /// Whether cgroup v1 groups bound the process count and memory of the whole tree.
    public static var usesControlGroups: Bool { ControlGroupRoots.current.available }

    /// Runs one step and returns how it ended; throws only when the sandbox itself cannot be set up.
    ///
    /// Cancelling the calling task kills the step's whole process tree; the result then says `.killed`.
    public func run(_ spec: SandboxSpec) async throws -> SandboxResult {
        try await run(spec, gate: nil)
    }

    /// Builds the step's sandbox now, on a slot of its own, and holds it before its command starts: `run()` on
    /// the result lets the command go (its wall time counts from then), `discard()` kills it unrun. The
    /// sandbox is exactly the one `run(_:)` would make, so what it binds must stay where it is; the contents
    /// of a bound folder may change until the step runs (a bind shows the folder, not a copy).
    ///
    /// Building a sandbox costs a few milliseconds of CPU (namespaces, mounts); done while the engine waits on
    /// something else (an agent step on a model, a worker), it is off the path of the task that needs it.
    public func prepare(_ spec: SandboxSpec) -> PreparedStep {
        guard let gate = try? CancelSignal() else { return PreparedStep(executor: self, spec: spec) }
        let started = Task { try await self.run(spec, gate: gate) }
        return PreparedStep(
            run: {
                gate.fire()
                return try await withTaskCancellationHandler {
                    try await started.value
                } onCancel: {
                    started.cancel()
                }
            },
            discard: {
                started.cancel()
            })
    }

    private func run(_ spec: SandboxSpec, gate: CancelSignal?) async throws -> SandboxResult {
        try spec.limits.validate()
        let arguments = [bwrapPath] + (try bwrapArguments(for: spec))
        let limits = spec.limits
        let path = bwrapPath
        let cancel = try CancelSignal()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SandboxResult, Error>) in
                SandboxSlots.shared.submit { group in
                    continuation.resume(
                        with: Result {
                            try SandboxProcess.run(
                                executable: path, arguments: arguments, limits: limits, group: group, cancel: cancel,
                                gate: gate)
                        })
                    cancel.close()
                    gate?.close()
                }
            }
        } onCancel: {
            cancel.fire()
        }
    }

    // MARK: - The bubblewrap command line

    /// The `bwrap` arguments for a step (without the executable), exposed for tests and for the benchmark.
    public func bwrapArguments(for spec: SandboxSpec) throws -> [String] {
        guard FileManager.default.isExecutableFile(atPath: bwrapPath) else {
            throw EvolveError(
                .sandbox, "bubblewrap is not installed at \(bwrapPath)",
                hint: "install it with: apt-get install bubblewrap")
        }
        guard Files.isDirectory(spec.workspace) else {
            throw EvolveError(.sandbox, "the sandbox workspace \(spec.workspace) is not a folder")
        }
        guard case let args = spec.command.arguments, !args.isEmpty, !args[0].isEmpty else {
            throw EvolveError(.sandbox, "the sandbox was given an empty command")
        }
        var a = [
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--clearenv",
            // Run as root, bubblewrap would keep every capability inside the new user namespace, enough to
            // remount /usr writable: drop them all.
            "--cap-drop", "ALL",
            "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
        ]
        a += SystemLayout.current.arguments
        // The terminal: instead of --new-session (a new session costs about 5 ms per step on this kernel, for
        // its scheduler autogroup), /dev/tty is made unusable (a device-less bind), so that no process inside
        // can reach the engine's terminal and push input into it (TIOCSTI). Its other descriptors are /dev/null
        // and pipes, and it sees no process outside its pid namespace.
        a += ["--proc", "/proc", "--dev", "/dev", "--ro-bind", "/dev/null", "/dev/tty"]
        a += ["--size", "\(spec.limits.memoryMB * 1024 * 1024)", "--perms", "1777", "--tmpfs", "/tmp"]
        a += ["--bind", spec.workspace, spec.workspaceMount]
        for bind in spec.binds {
            guard bind.destination.hasPrefix("/"), bind.destination != "/" else {
                throw EvolveError(.sandbox, "a sandbox bind must name an absolute path inside, not \(bind.destination)")
            }
            guard Files.exists(bind.source) else {
                throw EvolveError(.sandbox, "cannot show \(bind.source) in the sandbox: it does not exist")
            }
            a += [bind.writable ? "--bind" : "--ro-bind", bind.source, bind.destination]
        }
        a += ["--chdir", spec.workspaceMount]
        let environment = SandboxSpec.baseEnvironment.merging(spec.environment) { _, given in given }
        for key in environment.keys.sorted() {
            guard !key.isEmpty, !key.contains("=") else {
                throw EvolveError(.sandbox, "bad environment variable name '\(key)' for the sandbox")
            }
            a += ["--setenv", key, environment[key]!]
        }
        a += ["--info-fd", "\(SandboxProcess.infoFD)", "--block-fd", "\(SandboxProcess.blockFD)"]
        a += ["--"] + args
        return a
    }
}

// MARK: - The host's system folders

/// How the host's root looks: merged /usr (Debian 12) or separate /bin and /lib, and which /etc files
/// programs need (the dynamic linker cache, alternatives, name resolution for localhost, time zone), shown
/// through one bind of a private copy when the user's cache can hold one (`EtcSnapshot`).
struct SystemLayout: Sendable {
    var arguments: [String]

    static let current = SystemLayout()

    static let etcFiles = [
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/nsswitch.conf",
        "/etc/hosts", "/etc/host.conf", "/etc/localtime", "/etc/mime.types", "/etc/python3",
        "/etc/python3.11",
    ]

    init() {
        var a = ["--ro-bind", "/usr", "/usr"]
        for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            let path = "/" + name
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                a += ["--symlink", target, path]
            } else if Files.isDirectory(path) {
                a += ["--ro-bind", path, path]
            }
        }
        if let cache = EtcSnapshot.defaultCache(), let etc = EtcSnapshot(sources: Self.etcFiles, cache: cache).prepare()
        {
            a += ["--ro-bind", etc, "/etc"]  // one bind instead of one per file (see EtcSnapshot)
        } else {
            for file in Self.etcFiles where Files.exists(file) {
                a += ["--ro-bind", file, file]
            }
        }
        arguments = a
    }
}

// MARK: - Cancellation

/// A pipe that a cancelled task writes to, waking the thread that watches the step (also the gate that lets a
/// prepared step's command start).
final class CancelSignal: Sendable {
    /// The pipe's ends; nil once closed.
    private let fds: Locked<(read: Int32, write: Int32)?>

    init() throws {
        fds = Locked(try Pipe2.make())
    }

    var readFD: Int32 { fds.withLock { $0?.read ?? -1 } }

    func fire() {
        fds.withLock { fds in
            guard let fds else { return }
            var byte: UInt8 = 1
            _ = write(fds.write, &byte, 1)
        }
    }

    func close() {
        fds.withLock { fds in
            guard let open = fds else { return }
            Glibc.close(open.read)
            Glibc.close(open.write)
            fds = nil
        }
    }
}
