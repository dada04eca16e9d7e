import EvolveSupport
import Foundation

/// Where the engine may create cgroup v1 `pids` and `memory` groups: under its own group in each
/// hierarchy, when that is writable (root on a host with cgroup v1 mounted). Found once per process.
struct ControlGroupRoots: Sendable {
    var pids: String?
    var memory: String?

    static let current: ControlGroupRoots = detect()

    var available: Bool { pids != nil && memory != nil }

    static func detect() -> ControlGroupRoots {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8),
            let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
        else { return ControlGroupRoots() }
        let mountLines: [[Substring]] = mounts.split(separator: "\n").map { $0.split(separator: " ") }
        let groupLines: [[Substring]] = own.split(separator: "\n").map { $0.split(separator: ":", maxSplits: 2) }
        func base(_ controller: String) -> String? {
            let name = Substring(controller)
            // "cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0"
            guard
                let mount = mountLines.first(where: { fields in
                    fields.count >= 4 && fields[2] == "cgroup" && fields[3].split(separator: ",").contains(name)
                })
            else { return nil }
            let mountPoint = mount[1]
            // "8:pids:/some/path"
            guard
                let line = groupLines.first(where: { fields in
                    fields.count == 3 && fields[1].split(separator: ",").contains(name)
                })
            else { return nil }
            let path = line[2]
            let dir = String(mountPoint) + (path == "/" ? "" : String(path))
            let probe = "\(dir)/evolve-probe-\(getpid())"
            guard mkdir(probe, 0o755) == 0 else { return nil }
            rmdir(probe)
            sweepStale(in: dir)
            return dir
        }
        return ControlGroupRoots(pids: base("pids"), memory: base("memory"))
    }

    /// Removes the empty groups of engines that died without cleaning up (killed, or crashed), here and in the
    /// sibling groups of this one (where earlier engines of other jobs may have run). Only groups named
    /// `evolve-<pid>-…` whose process is gone are touched; a group that still holds a process cannot be removed.
    private static func sweepStale(in dir: String) {
        let parent = (dir as NSString).deletingLastPathComponent
        let siblings = (Files.entries(parent) ?? []).map { "\(parent)/\($0)" }.filter { Files.isDirectory($0) }
        for folder in Set([dir] + siblings) {
            for name in Files.entries(folder) ?? [] where name.hasPrefix("evolve-") {
                let fields = name.split(separator: "-")
                guard fields.count >= 3, let pid = pid_t(fields[1]), pid != getpid() else { continue }
                if kill(pid, 0) == 0 || errno == EPERM { continue }
                rmdir("\(folder)/\(name)")
            }
        }
    }
}

/// A worker slot's `pids` and `memory` groups. The slot's thread joins them once; every sandbox it spawns is
/// then born inside them, so no process is ever moved between groups (a move waits for an RCU grace period,
/// which cost several milliseconds per step). Before each step the limits are set again; after it the group
/// tells whether the kernel killed a process for memory and lists every process left to kill.
///
/// Only the slot thread of the engine sits in the groups, never its main thread: the memory controller's OOM
/// killer picks among thread-group leaders, and the engine's own memory is charged to the engine's group.
final class ControlGroup {
    let pidsDir: String
    let memoryDir: String
    private let pidsParent: String
    private let memoryParent: String
    private var oomBaseline = 0
    private var forkFailureBaseline = 0

    private static let counter = Locked(0)

    /// Creates the slot's groups and moves the calling thread into them; nil when cgroups cannot be used here.
    static func joinNew(roots: ControlGroupRoots = .current) -> ControlGroup? {
        guard let pidsRoot = roots.pids, let memoryRoot = roots.memory else { return nil }
        let name = "evolve-\(getpid())-slot\(counter.increment())"
        let group = ControlGroup(pids: pidsRoot, memory: memoryRoot, name: name)
        guard mkdir(group.pidsDir, 0o755) == 0 else { return nil }
        guard mkdir(group.memoryDir, 0o755) == 0 else {
            rmdir(group.pidsDir)
            return nil
        }
        // "0" moves the writing thread only (cgroup v1 `tasks`).
        guard write("0", to: "\(group.memoryDir)/tasks"), write("0", to: "\(group.pidsDir)/tasks") else {
            group.release()
            return nil
        }
        LiveGroups.shared.add(group)
        return group
    }

    private init(pids: String, memory: String, name: String) {
        pidsParent = pids
        memoryParent = memory
        pidsDir = "\(pids)/\(name)"
        memoryDir = "\(memory)/\(name)"
    }

    /// Sets the limits for the next step. The engine's threads in the group count against `pids.max`, so they
    /// are added to it.
    func prepare(_ limits: SandboxLimits) -> Bool {
        let bytes = limits.memoryMB * 1024 * 1024
        let engineThreads = Self.ownThreads(in: "\(pidsDir)/tasks").count
        guard Self.write("\(limits.pids + engineThreads)", to: "\(pidsDir)/pids.max") else { return false }
        // With swap accounting, memory + swap is bounded too, and must never be below the memory limit: raise it
        // first, lower it last. Without swap accounting the file is missing, which is fine.
        let swapLimit = "\(memoryDir)/memory.memsw.limit_in_bytes"
        _ = Self.write("\(bytes)", to: swapLimit)
        if !Self.write("\(bytes)", to: "\(memoryDir)/memory.limit_in_bytes") {
            // Lowering the limit below what earlier steps left cached fails; drop the cache and try again.
            _ = Self.write("0", to: "\(memoryDir)/memory.force_empty")
            guard Self.write("\(bytes)", to: "\(memoryDir)/memory.limit_in_bytes") else { return false }
        }
        _ = Self.write("\(bytes)", to: swapLimit)
        oomBaseline = oomKillCount
        forkFailureBaseline = forkFailureCount
        return true
    }

    /// How many process creations the `pids` limit refused since `prepare`.
    var forkFailures: Int { forkFailureCount - forkFailureBaseline }

    private var forkFailureCount: Int {
        // "max 123": creations refused because pids.max was reached.
        guard let text = try? String(contentsOfFile: "\(pidsDir)/pids.events", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("max ") {
            return Int(line.dropFirst("max ".count)) ?? 0
        }
        return 0
    }

    /// How many processes the kernel killed for memory since `prepare`.
    var oomKills: Int { oomKillCount - oomBaseline }

    private var oomKillCount: Int {
        guard let text = try? String(contentsOfFile: "\(memoryDir)/memory.oom_control", encoding: .utf8) else {
            return 0
        }
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.dropFirst("oom_kill ".count)) ?? 0
        }
        return 0
    }

    /// Kills every sandboxed process in the group, repeating while a fork bomb still makes new ones.
    func killAll() {
        for _ in 0..<200 {
            let pids = members()
            if pids.isEmpty { return }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(1000)
        }
    }

    /// The sandboxed processes in the group: every process but the engine itself.
    func members() -> [pid_t] {
        guard let text = try? String(contentsOfFile: "\(pidsDir)/cgroup.procs", encoding: .utf8) else { return [] }
        let me = getpid()
        return text.split(separator: "\n").compactMap { pid_t($0) }.filter { $0 != me && $0 > 1 }
    }

    /// At exit: kills what still runs in the slot, moves the engine's threads back to the engine's groups and
    /// removes the slot's, waiting up to half a second for killed processes to leave.
    ///
    /// It reaps nothing: every child of the engine is waited for by its owner, on its own pid (a `waitpid(-1)`
    /// here would take the status of another thread's command, which would then read as a success).
    func release() {
        killAll()
        for (dir, parent) in [(pidsDir, pidsParent), (memoryDir, memoryParent)] {
            for tid in Self.ownThreads(in: "\(dir)/tasks") { _ = Self.write("\(tid)", to: "\(parent)/tasks") }
        }
        for _ in 0..<100 {
            if rmdir(pidsDir) != 0, errno != ENOENT {
                usleep(5000)
                continue
            }
            if rmdir(memoryDir) != 0, errno != ENOENT {
                usleep(5000)
                continue
            }
            return
        }
    }

    /// Thread ids listed in a `tasks` file that belong to this process.
    private static func ownThreads(in tasksFile: String) -> [Int] {
        guard let text = try? String(contentsOfFile: tasksFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int($0) }.filter { Files.exists("/proc/self/task/\($0)") }
    }

    static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}

/// Every slot group of this process, released when the process exits so that no empty group outlives it.
final class LiveGroups: Sendable {
    static let shared = LiveGroups()
    /// The groups, whether their release at exit is registered, and whether the process is exiting.
    private let state = Locked<(groups: [ControlGroup], registered: Bool, exiting: Bool)>(([], false, false))

    func add(_ group: ControlGroup) {
        state.withLock { state in
            state.groups.append(group)
            if !state.registered {
                state.registered = true
                atexit { LiveGroups.shared.releaseAll() }
            }
        }
    }

    /// Set once the process is exiting: steps still running were killed by the exit, not by their own doing.
    var exiting: Bool { state.withLock { $0.exiting } }

    func releaseAll() {
        let all = state.withLock { state in
            state.exiting = true
            return state.groups
        }
        for group in all { group.release() }
    }
}
