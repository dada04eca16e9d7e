import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Socket helpers of the server

extension HTTPServer {
    static func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Calls `body` with a `sockaddr_un` for `path`.
    static func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

final class ResponseBox: @unchecked Sendable {
    var value: HTTPServerResponse?
}

/// A task executor that runs jobs on the thread that calls `run()`, until `finish()`.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    /// True inside a handler that runs on a connection thread: blocking there holds up no one else, so a
    /// transport may do its I/O in place instead of handing it to another thread.
    @TaskLocal static var mayBlock = false

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs until `finish()` has been called and no job is left.
    func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

// MARK: - Buffered reading

/// Reads an HTTP/1.1 stream from a socket with a buffer.
struct SocketReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    /// When reading must stop (`ProcessInfo.systemUptime` seconds); nil waits as long as the socket's
    /// own timeout.
    var deadline: Double?
    /// True once a read stopped at the deadline.
    private(set) var timedOut = false

    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        if let deadline {
            let left = deadline - ProcessInfo.processInfo.systemUptime
            guard left > 0 else {
                timedOut = true
                return false
            }
            var timeout = timeval(tv_sec: Int(left), tv_usec: Int((left - left.rounded(.down)) * 1_000_000) + 1)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                timedOut = true
                return false
            }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    enum Head {
        case head(String)
        /// The peer closed, or sent nothing more before the deadline.
        case closed
        /// More than the limit arrived without the blank line that ends a header block.
        case tooLarge
    }

    /// The header block up to (not including) the blank line.
    mutating func readHead(limit: Int) -> Head {
        var scanned = 0  // bytes after `start` already searched (fill() may move `start`)
        while true {
            var i = start + max(0, scanned - 3)
            while i + 3 < buffer.count {
                if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    guard i - start <= limit else { return .tooLarge }
                    let head = String(decoding: buffer[start..<i], as: UTF8.self)
                    start = i + 4
                    return .head(head)
                }
                i += 1
            }
            scanned = buffer.count - start
            if scanned > limit { return .tooLarge }
            guard fill() else { return .closed }
        }
    }

    /// Exactly `count` bytes, or nil when the peer closed first.
    mutating func read(count: Int) -> Data? {
        while buffer.count - start < count {
            guard fill() else { return nil }
        }
        let bytes = Data(buffer[start..<(start + count)])
        start += count
        return bytes
    }

    private mutating func readLine() -> String? {
        while true {
            if let end = buffer[start...].firstIndex(of: 10) {
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 1
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard buffer.count - start <= 4096, fill() else { return nil }  // a chunk line is short
        }
    }

    /// A chunked body, or nil when malformed, cut short or over `limit`.
    mutating func readChunked(limit: Int) -> Data? {
        var body = Data()
        while true {
            guard let line = readLine(),
                let size = Int(
                    line.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "",
                    radix: 16)
            else { return nil }
            if size == 0 {
                while let trailer = readLine(), !trailer.isEmpty {}
                return body
            }
            guard body.count + size <= limit, let chunk = read(count: size), readLine() != nil else { return nil }
            body.append(chunk)
        }
    }
}
