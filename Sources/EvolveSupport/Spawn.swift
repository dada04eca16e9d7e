import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One child process started with `posix_spawn`: the program, its arguments and environment, what its file
/// descriptors are, and how it starts with respect to signals and process groups.
///
/// Every process the engine starts by hand (bubblewrap for a sandboxed step, the local model server's
/// watchdog, the benchmarks' bare processes) is described by one of these, so that the descriptor and signal
/// hygiene that keeps the engine's sockets and databases out of hostile code is written once.
public struct Spawn: Sendable {
    /// What happens to one of the child's file descriptors before the program runs (in the order given).
    public enum FileAction: Sendable, Equatable {
        /// `fd` becomes `path`, opened with `flags` (and `mode` when it is created).
        case open(Int32, path: String, flags: Int32, mode: mode_t = 0)
        /// `to` becomes a copy of `from` (which stays open unless it is close-on-exec).
        case duplicate(Int32, to: Int32)
        /// `fd` is closed.
        case close(Int32)
    }

    /// The program to run: an absolute path (no `PATH` lookup).
    public var executable: String
    /// The whole argument vector, `argv[0]` included.
    public var arguments: [String]
    /// `NAME=value` pairs; nil passes this process's environment on.
    public var environment: [String]?
    public var fileActions: [FileAction]
    /// Every descriptor from this number up is closed in the child (whether close-on-exec or not); nil
    /// leaves them to their close-on-exec flags.
    public var closeDescriptorsFrom: Int32?
    /// The child leads a new process group (so `kill(-pid, …)` reaches it and everything it starts).
    public var newProcessGroup: Bool
    /// Signals whose handling is reset to the default in the child, whatever this process set.
    public var defaultSignals: [Int32]
    /// The child starts with no blocked signals, whatever the spawning thread blocks.
    public var clearSignalMask: Bool
    /// The folder the program starts in; nil keeps this process's.
    public var directory: String?

    public init(
        executable: String, arguments: [String], environment: [String]? = nil, fileActions: [FileAction] = [],
        closeDescriptorsFrom: Int32? = nil, newProcessGroup: Bool = false, defaultSignals: [Int32] = [],
        clearSignalMask: Bool = false, directory: String? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.fileActions = fileActions
        self.closeDescriptorsFrom = closeDescriptorsFrom
        self.newProcessGroup = newProcessGroup
        self.defaultSignals = defaultSignals
        self.clearSignalMask = clearSignalMask
        self.directory = directory
    }

    /// Every signal a process may handle (1–31 but SIGKILL and SIGSTOP), for `defaultSignals`.
    public static let catchableSignals: [Int32] = (1..<32).filter { $0 != SIGKILL && $0 != SIGSTOP }

    // MARK: - Starting

    /// Starts the child and returns its pid (the caller reaps it).
    ///
    /// - Parameters:
    ///   - kind: the kind of the error thrown when the process cannot start.
    ///   - name: what the error message calls the program (`executable` when nil).
    public func start(errorKind kind: EvolveError.Kind = .io, naming name: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for action in fileActions {
            switch action {
            case .open(let fd, let path, let flags, let mode):
                posix_spawn_file_actions_addopen(&actions, fd, path, flags, mode)
            case .duplicate(let from, let to):
                posix_spawn_file_actions_adddup2(&actions, from, to)
            case .close(let fd):
                posix_spawn_file_actions_addclose(&actions, fd)
            }
        }
        if let directory {
            guard let changeDirectory = Self.addChangeDirectory else {
                throw EvolveError(kind, "cannot start \(name ?? executable) in \(directory): this C library cannot")
            }
            _ = changeDirectory(&actions, directory)
        }
        if let first = closeDescriptorsFrom {
            if let closeFrom = Self.addCloseFrom {
                _ = closeFrom(&actions, first)
            } else {
                for fd in Self.openDescriptors() where fd >= first { posix_spawn_file_actions_addclose(&actions, fd) }
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags: Int32 = 0
        if clearSignalMask {
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attributes, &none)
            flags |= Int32(POSIX_SPAWN_SETSIGMASK)
        }
        if !defaultSignals.isEmpty {
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in defaultSignals { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            flags |= Int32(POSIX_SPAWN_SETSIGDEF)
        }
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for p in envp ?? [] { free(p) } }
        var pid: pid_t = 0
        func spawn() -> Int32 {
            if let envp {
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            } else {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            }
        }
        var rc = spawn()
        // ETXTBSY: a file just written (a script, a compiled relay) is briefly open for writing in a child that
        // another thread started at that moment, until that child closes its descriptors or execs. It passes.
        for _ in 0..<50 where rc == ETXTBSY {
            usleep(20_000)
            rc = spawn()
        }
        guard rc == 0 else {
            throw EvolveError(kind, "cannot start \(name ?? executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    // MARK: - glibc

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), which Swift's Glibc module hides behind
    /// _GNU_SOURCE; without it, the descriptors open at spawn time are closed one by one.
    private static let addCloseFrom = glibcFunction("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)

    private typealias AddChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+), hidden like `addCloseFrom`.
    private static let addChangeDirectory = glibcFunction(
        "posix_spawn_file_actions_addchdir_np", as: AddChangeDirectory.self)

    /// A C library function that Swift's Glibc module hides behind _GNU_SOURCE, found at run time; nil when
    /// this C library has none of that name.
    static func glibcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }
}
