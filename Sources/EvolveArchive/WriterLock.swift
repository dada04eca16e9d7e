import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The claim of the one process that changes an archive's variants and refs: a search (which also repairs
/// what a crash left), `init`, `doctor --repair`, `doctor --rebuild-index`.
///
/// It is an exclusive `flock` on `writer.lock` in the archive folder, so the kernel lets it go however the
/// process ends (kill -9 included) and a resumed search never waits on a stale lock. A second writer is
/// refused with the holder's pid and purpose instead of repairing a live search's half-written refs or
/// numbering variants it is numbering too. Readers (`list`, `lineage`, `show`, `report`, `serve`) take no
/// claim. Inside one process, claims on the same archive share one lock (the engine never runs two searches
/// in a process; tests and library callers may open an archive twice).
final class WriterLock: Sendable {
    static let fileName = "writer.lock"

    private let key: String

    private init(key: String) { self.key = key }

    deinit {
        Self.held.withLock { held in
            guard let entry = held[key] else { return }
            if entry.claims > 1 {
                held[key] = (entry.descriptor, entry.claims - 1)
            } else {
                close(entry.descriptor)  // the kernel drops the flock with the last descriptor
                held[key] = nil
            }
        }
    }

    /// Locks this process holds, by archive folder: the descriptor and how many claims share it.
    private static let held = Locked<[String: (descriptor: Int32, claims: Int)]>([:])

    /// The archive folder as `held` knows it, links resolved.
    private static func key(_ folder: String) -> String { URL(fileURLWithPath: folder).resolvingSymlinksInPath().path }

    /// The lock file opened for reading (never through a link), or -1.
    private static func openForReading(_ folder: String) -> Int32 {
        open("\(folder)/\(fileName)", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    }

    /// Claims the archive at `folder` (an absolute path) for `purpose` ("search", "doctor --repair"…).
    static func claim(_ folder: String, for purpose: String) throws -> WriterLock {
        let key = key(folder)
        return try held.withLock { held in
            if let entry = held[key] {
                held[key] = (entry.descriptor, entry.claims + 1)
                return WriterLock(key: key)
            }
            let path = "\(folder)/\(fileName)"
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else {
                throw EvolveError(
                    .io, "cannot open \(path) to claim the archive for writing: \(String(cString: strerror(errno)))",
                    hint: "the archive folder must be writable by you")
            }
            // A reader's probe (`isHeld`) holds a shared lock for a moment: try again for a while before
            // taking a busy lock for another writer.
            func tryLock() -> Int32 { flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno }
            var reason = tryLock()
            for _ in 0..<20 where reason == EWOULDBLOCK {
                usleep(100_000)
                reason = tryLock()
            }
            guard reason == 0 else {
                let holder = Self.holder(fd)
                close(fd)
                guard reason == EWOULDBLOCK else {
                    throw EvolveError(
                        .io, "cannot lock \(path): \(String(cString: strerror(reason)))",
                        hint: "the archive must be on a file system that supports flock")
                }
                throw EvolveError(
                    .invalidInput,
                    "the archive \(folder) is being written by another process\(holder.map { " (\($0))" } ?? "")",
                    hint: "wait for it to end, or stop it first; list, lineage, show, report and serve "
                        + "read the archive meanwhile")
            }
            let note = Data("pid \(getpid()), evolve \(purpose)\n".utf8)
            if ftruncate(fd, 0) == 0 {
                _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            }
            held[key] = (fd, 1)
            return WriterLock(key: key)
        }
    }

    /// Whether a process (this one included) holds the claim on the archive at `folder`: what tells a running
    /// search from one that was killed, whatever pid the run recorded. Probes with a shared lock, let go at once.
    static func isHeld(_ folder: String) -> Bool {
        let key = key(folder)
        if held.withLock({ $0[key] != nil }) { return true }
        let fd = openForReading(folder)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    /// The pid of the process that holds the claim, or nil: the pid the holder wrote into the lock file when
    /// the kernel's lock table (/proc/locks) shows that process holding it, else the one it shows.
    static func holderPID(_ folder: String) -> Int32? {
        let fd = openForReading(folder)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let holders = lockingPIDs(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let written = holder(fd).flatMap { note in
            note.hasPrefix("pid ") ? Int32(note.dropFirst(4).prefix { $0.isNumber }) : nil
        }
        if let written, holders.contains(written) { return written }
        return holders.first
    }

    /// The processes holding an exclusive flock on the file with this device and inode, from /proc/locks
    /// (`1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF`: major and minor in hex, then the inode).
    static func lockingPIDs(device: UInt64, inode: UInt64) -> [Int32] {
        guard let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return [] }
        // Linux's dev_t: the major number in bits 8-19 and 32-43, the minor in bits 0-7 and 12-31.
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        return table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE" else { return nil }
            let file = fields[5].split(separator: ":")
            guard file.count == 3, UInt64(file[0], radix: 16) == major, UInt64(file[1], radix: 16) == minor,
                UInt64(file[2]) == inode
            else { return nil }
            return Int32(fields[4])
        }
    }

    /// What the holder wrote into the lock file (its pid and purpose), printable, or nil.
    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 200)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
            .filter { $0.isLetter || $0.isNumber || " ,-".contains($0) }
        return text.isEmpty ? nil : text
    }
}
