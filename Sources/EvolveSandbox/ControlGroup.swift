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

    /// Removes empty groups left by an engine that died mid-run (a group still holding processes stays).
    private static func sweepStale(in dir: String) {
        let mine = "evolve-\(getpid())-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where name.hasPrefix("evolve-") && !name.hasPrefix(mine) {
            rmdir("\(dir)/\(name)")
        }
    }
}

/// One step's `pids` and `memory` groups: they bound the whole tree, tell whether the kernel killed a process
/// for memory, and list every process left to kill.
final class ControlGroup {
    private let pidsDir: String
    private let memoryDir: String

    private static let counter = Counter()

    /// Creates both groups with the limits; nil when cgroups cannot be used here.
    init?(limits: SandboxLimits, roots: ControlGroupRoots = .current) {
        guard let pidsRoot = roots.pids, let memoryRoot = roots.memory else { return nil }
        let name = "evolve-\(getpid())-\(Self.counter.next())"
        pidsDir = "\(pidsRoot)/\(name)"
        memoryDir = "\(memoryRoot)/\(name)"
        guard mkdir(pidsDir, 0o755) == 0 else { return nil }
        guard mkdir(memoryDir, 0o755) == 0 else {
            rmdir(pidsDir)
            return nil
        }
        let bytes = limits.memoryMB * 1024 * 1024
        guard Self.write("\(limits.pids)", to: "\(pidsDir)/pids.max"),
            Self.write("\(bytes)", to: "\(memoryDir)/memory.limit_in_bytes")
        else {
            remove()
            return nil
        }
        // With swap accounting, swap counts too; without it the file is missing, which is fine.
        _ = Self.write("\(bytes)", to: "\(memoryDir)/memory.memsw.limit_in_bytes")
    }

    /// Moves a process (and so everything it starts later) into both groups.
    func add(_ pid: pid_t) -> Bool {
        Self.write("\(pid)", to: "\(pidsDir)/cgroup.procs") && Self.write("\(pid)", to: "\(memoryDir)/cgroup.procs")
    }

    /// How many processes the kernel killed because the group ran out of memory.
    var oomKills: Int {
        guard let text = try? String(contentsOfFile: "\(memoryDir)/memory.oom_control", encoding: .utf8) else {
            return 0
        }
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.dropFirst("oom_kill ".count)) ?? 0
        }
        return 0
    }

    /// Kills every process in the group, repeating while a fork bomb still makes new ones.
    func killAll() {
        for _ in 0..<200 {
            let pids = members()
            if pids.isEmpty { return }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(1000)
        }
    }

    func members() -> [pid_t] {
        guard let text = try? String(contentsOfFile: "\(pidsDir)/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Removes both groups, waiting briefly for the last processes to be reaped.
    func remove() {
        for dir in [pidsDir, memoryDir] {
            for attempt in 0..<100 {
                if rmdir(dir) == 0 || errno == ENOENT { break }
                if attempt == 50 { killAll() }
                usleep(2000)
            }
        }
    }

    private static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}

/// A thread-safe counter for unique names.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
