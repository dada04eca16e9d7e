import Foundation

/// A file name as the file system stores it: raw bytes without the terminating NUL. Names a hostile program
/// wrote need not be UTF-8 (or printable), so they are never turned into a Swift `String` and back.
public typealias FileName = [UInt8]

/// Why a file-system call failed: the call, the entry it was about, and the system's words for `errno`.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// What `fstat`/`fstatat` says about an entry, without following a symbolic link.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case directory, regular, symlink, fifo, socket, device, other }

    public var kind: Kind
    /// The apparent size in bytes (a sparse file's holes count).
    public var size: Int64
    /// The permission bits (`0o7777`).
    public var permissions: UInt32
    public var device: UInt64
    public var inode: UInt64

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regular
        case S_IFLNK: kind = .symlink
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        case S_IFCHR, S_IFBLK: kind = .device
        default: kind = .other
        }
        size = Int64(st.st_size)
        permissions = UInt32(st.st_mode) & 0o7777
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// Whether `other` is the same file (same device and inode).
    public func isSameFile(as other: FileStatus) -> Bool { device == other.device && inode == other.inode }

    /// The status of `path` itself (a link is not followed), or nil when nothing is there.
    public static func of(path: String) throws -> FileStatus? {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return nil }
            throw FileSystemError("lstat \(path)", code: errno)
        }
        return FileStatus(st)
    }
}

/// An open directory, the one place where the tree copy and the tree removal touch C: every operation is
/// relative to this descriptor (`openat`, `unlinkat`, `fstatat` …), so no full path is ever built (a tree may
/// be deeper than `PATH_MAX`) and no symbolic link is ever followed (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`).
public final class DirectoryHandle {
    /// The descriptor; closed in `deinit`.
    public let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Linux's `SEEK_DATA` (the next offset holding data), which Glibc's module leaves out (it needs _GNU_SOURCE).
    private static let seekData: Int32 = 3

    private static let openFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC

    /// Opens the directory at `path`; the last component must not be a symbolic link.
    public static func open(path: String) throws -> DirectoryHandle {
        let fd = Glibc.open(path, openFlags)
        guard fd >= 0 else { throw FileSystemError("open \(path)", code: errno) }
        return DirectoryHandle(descriptor: fd)
    }

    /// Opens the directory entry `name` (`..` for the parent); fails with `ENOTDIR` or `ELOOP` when it is not
    /// a directory (a link to one included).
    public func openDirectory(_ name: FileName) -> Result<DirectoryHandle, FileSystemError> {
        let fd = withCName(name) { openat(descriptor, $0, Self.openFlags) }
        guard fd >= 0 else { return .failure(FileSystemError("open", code: errno)) }
        return .success(DirectoryHandle(descriptor: fd))
    }

    /// This directory's own status.
    public func status() throws -> FileStatus {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { throw FileSystemError("fstat", code: errno) }
        return FileStatus(st)
    }

    /// The status of the entry `name`, not following a link; nil when it is gone.
    public func status(of name: FileName) throws -> FileStatus? {
        var st = stat()
        let rc = withCName(name) { fstatat(descriptor, $0, &st, AT_SYMLINK_NOFOLLOW) }
        guard rc == 0 else {
            if errno == ENOENT { return nil }
            throw FileSystemError("fstatat", code: errno)
        }
        return FileStatus(st)
    }

    /// Calls `body` with each entry's name (never `.` or `..`) and whether the directory listing says it is a
    /// folder (nil when the file system does not say). `body` returns false to stop early.
    public func forEachEntry(_ body: (FileName, Bool?) throws -> Bool) throws {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw FileSystemError("dup", code: errno) }
        guard let stream = fdopendir(copy) else {
            let code = errno
            close(copy)
            throw FileSystemError("fdopendir", code: code)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw FileSystemError("readdir", code: errno) }
                return
            }
            let name: FileName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [46] || name == [46, 46] { continue }
            let type = entry.pointee.d_type
            let isDirectory: Bool? = type == UInt8(DT_UNKNOWN) ? nil : type == UInt8(DT_DIR)
            guard try body(name, isDirectory) else { return }
        }
    }

    /// Removes the entry `name` (`directory`: an empty folder). Returns 0 or the `errno`.
    public func remove(_ name: FileName, directory: Bool) -> Int32 {
        let rc = withCName(name) { unlinkat(descriptor, $0, directory ? AT_REMOVEDIR : 0) }
        return rc == 0 ? 0 : errno
    }

    /// Sets this directory's permission bits.
    public func setPermissions(_ mode: UInt32) -> Int32 { fchmod(descriptor, mode_t(mode)) == 0 ? 0 : errno }

    /// Sets the permission bits of the entry `name` (call it for a folder only: `fchmodat` follows a link).
    public func setPermissions(of name: FileName, _ mode: UInt32) -> Int32 {
        let rc = withCName(name) { fchmodat(descriptor, $0, mode_t(mode), 0) }
        return rc == 0 ? 0 : errno
    }

    /// Makes the folder `name` here.
    public func makeDirectory(_ name: FileName, permissions: UInt32) throws {
        let rc = withCName(name) { mkdirat(descriptor, $0, mode_t(permissions)) }
        guard rc == 0 else { throw FileSystemError("mkdir", code: errno) }
    }

    /// The target of the link `name`, as bytes (at most `PATH_MAX`).
    public func linkTarget(_ name: FileName) throws -> FileName {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = withCName(name) { cName in
            buffer.withUnsafeMutableBytes { readlinkat(descriptor, cName, $0.baseAddress!, $0.count) }
        }
        guard count >= 0 else { throw FileSystemError("readlink", code: errno) }
        return Array(buffer.prefix(min(count, Int(PATH_MAX))))
    }

    /// Makes the symbolic link `name` here, pointing at `target` (which is never looked at).
    public func makeSymlink(_ name: FileName, target: FileName) throws {
        let rc = withCName(target) { cTarget in withCName(name) { symlinkat(cTarget, descriptor, $0) } }
        guard rc == 0 else { throw FileSystemError("symlink", code: errno) }
    }

    /// Copies at most `byteLimit` bytes of the regular file `name` to a new file `newName` in `destination`,
    /// skipping holes (a sparse file stays sparse). Returns nil, having written nothing, when `name` is not a
    /// regular file once opened; else the copy's size.
    public func copyFile(
        _ name: FileName, to destination: DirectoryHandle, as newName: FileName, permissions: UInt32,
        byteLimit: Int64
    ) throws -> Int64? {
        // O_NONBLOCK: were the entry swapped for a FIFO, opening it must not wait for a writer.
        let input = withCName(name) { openat(descriptor, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard input >= 0 else { throw FileSystemError("open", code: errno) }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0 else { throw FileSystemError("fstat", code: errno) }
        guard st.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = min(Int64(st.st_size), byteLimit)
        let output = withCName(newName) {
            openat(
                destination.descriptor, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(permissions))
        }
        guard output >= 0 else { throw FileSystemError("create", code: errno) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: Int64 = 0
        while offset < size {
            let data = lseek(input, off_t(offset), Self.seekData)
            if data < 0 {
                if errno == ENXIO { break }  // only a hole is left
                if errno != EINVAL { throw FileSystemError("lseek", code: errno) }
            } else {
                offset = Int64(data)
                if offset >= size { break }
            }
            let want = Int(min(Int64(buffer.count), size - offset))
            let got = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, want, off_t(offset)) }
            guard got >= 0 else { throw FileSystemError("read", code: errno) }
            if got == 0 { break }
            if buffer.prefix(got).contains(where: { $0 != 0 }) {
                var written = 0
                while written < got {
                    let n = buffer.withUnsafeBytes {
                        pwrite(output, $0.baseAddress! + written, got - written, off_t(offset) + off_t(written))
                    }
                    guard n > 0 else { throw FileSystemError("write", code: errno) }
                    written += n
                }
            }
            offset += Int64(got)
        }
        guard ftruncate(output, off_t(size)) == 0 else { throw FileSystemError("truncate", code: errno) }
        return size
    }

    /// Removes the empty folder at `path`. Returns 0 or the `errno`.
    public static func removeEmptyDirectory(path: String) -> Int32 { rmdir(path) == 0 ? 0 : errno }

    /// Removes the non-folder at `path`. Returns 0 or the `errno`.
    public static func removeFile(path: String) -> Int32 { unlink(path) == 0 ? 0 : errno }

    /// Makes the folder at `path`.
    public static func makeDirectory(path: String, permissions: UInt32) throws {
        guard mkdir(path, mode_t(permissions)) == 0 else { throw FileSystemError("mkdir \(path)", code: errno) }
    }

    private func withCName<T>(_ name: FileName, _ body: (UnsafePointer<CChar>) -> T) -> T {
        (name + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
