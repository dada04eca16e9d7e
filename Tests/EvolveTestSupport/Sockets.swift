import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP client on raw POSIX sockets, for tests that must behave as no HTTP library would (hold a
/// connection, send headers and stop, push a gigabyte, read what comes back). This file (raw sockets, a loopback
/// listener, descriptor limits) is the one file of the tests' support with C pointers.
public final class RawSocket {
    public let fd: Int32

    /// Connects to 127.0.0.1:`port`, or nil when no descriptor or connection can be had.
    public init?(port: UInt16, timeout: Double = 30) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// How long a read waits before it gives up.
    public func setReceiveTimeout(_ seconds: Double) {
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `text`; false when the peer is gone.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Data(text.utf8)) == text.utf8.count }

    /// Sends `data`; the number of bytes the kernel took before an error or a timeout.
    public func send(_ data: Data) -> Int {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
            return offset
        }
    }

    /// Everything until the peer closes (or `limit` bytes, or the receive timeout).
    public func readAll(limit: Int = 1 << 20) -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while data.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, limit - data.count), 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return data
    }

    /// Reads one HTTP response (its head, and its body by `Content-Length`); returns its status code, or
    /// nil when the peer closed first.
    public func readStatus() -> Int? {
        var data = Data()
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual([13, 10, 13, 10]) && data.count < 65_536 {
            let n = recv(fd, &byte, 1, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(byte)
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\r\n")
        let parts = (lines.first ?? "").split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let length =
            lines.first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        _ = readAll(limit: length)
        return status
    }

    /// True when the peer has closed the connection (a read returns end of file or a reset).
    public func peerClosed() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n < 0 && errno == EINTR { continue }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            // Bytes of an answer: keep reading to the end.
        }
    }
}

/// A TCP listener on the host's 127.0.0.1 that counts connections: what a sandboxed agent must not reach.
public final class LoopbackListener: @unchecked Sendable {
    public let fd: Int32
    public let port: Int

    /// Listens on a free port of 127.0.0.1, without blocking on accept.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw EvolveError(.io, "cannot listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
    }

    /// Accepts whatever is pending and says how many connections arrived.
    public func acceptedConnections() -> Int {
        var count = 0
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { return count }
            count += 1
            Glibc.close(client)
        }
    }

    /// Stops listening.
    public func close() { Glibc.close(fd) }
}

/// This process's resident memory in bytes, from /proc/self/status (VmRSS).
public func residentBytes() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1024
    }
    return 0
}

/// Lowers this process's soft limit of open files; returns the old one. For a test in a child process.
public func lowerOpenFileLimit(to limit: Int) -> Int {
    var current = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &current)
    var lowered = current
    lowered.rlim_cur = rlim_t(limit)
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered)
    return Int(current.rlim_cur)
}

/// Opens /dev/null until the process is out of descriptors; returns them (close with `closeAll`).
public func exhaustDescriptors(max: Int = 100_000) -> [Int32] {
    var held: [Int32] = []
    while held.count < max {
        let fd = open("/dev/null", O_RDONLY)
        if fd < 0 { break }
        held.append(fd)
    }
    return held
}

/// Closes descriptors (those `exhaustDescriptors` opened).
public func closeAll(_ descriptors: [Int32]) {
    for fd in descriptors { close(fd) }
}
