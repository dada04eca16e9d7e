import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Requests and responses

/// One request as the server read it.
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// The request target: path and query, for example `/v1/chat/completions`.
    public var path: String
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// The answer to write back, or `drop` to close the connection without one (for tests of broken servers).
public struct HTTPServerResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// Close the connection without writing anything.
    public var drop: Bool

    public init(status: Int, headers: [String: String] = [:], body: Data = Data(), drop: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.drop = drop
    }

    /// A JSON answer from bytes.
    public static func json(_ status: Int, _ body: Data, headers: [String: String] = [:]) -> HTTPServerResponse {
        var all = headers
        all["Content-Type"] = "application/json"
        return HTTPServerResponse(status: status, headers: all, body: body)
    }

    /// A JSON answer from a JSON-compatible value (dictionaries, arrays, strings, numbers).
    public static func json(_ status: Int, object: Any, headers: [String: String] = [:]) -> HTTPServerResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json(status, data, headers: headers)
    }

    /// The connection is closed with no answer at all.
    public static let dropped = HTTPServerResponse(status: 0, drop: true)
}

// MARK: - The server

/// A small HTTP/1.1 server over POSIX sockets, on 127.0.0.1 or a Unix domain socket: enough for JSON
/// requests with `Content-Length` (or chunked) bodies, with keep-alive. Each connection gets a thread; the
/// handler runs as a task. The gateway serves agents with it; tests serve stub model servers with it.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPServerRequest) async -> HTTPServerResponse

    private let handler: Handler
    private let maxBodyBytes: Int
    private let idleTimeout: Double
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var connections: Set<Int32> = []
    private var stopped = false
    private var socketPath: String?
    /// The TCP port when listening on 127.0.0.1.
    public private(set) var port: UInt16 = 0

    /// - Parameters:
    ///   - maxBodyBytes: a larger request body is answered 413.
    ///   - idleTimeout: seconds a kept-alive connection may stay silent before it is closed.
    public init(maxBodyBytes: Int = 32 << 20, idleTimeout: Double = 300, handler: @escaping Handler) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
    }

    deinit { stop() }

    /// `http://127.0.0.1:<port>` once listening on TCP.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Listens on 127.0.0.1 (port 0 picks a free one) and returns the port.
    @discardableResult
    public func listen(port requested: UInt16 = 0) throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("cannot make a TCP socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requested.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = Self.failure("cannot listen on 127.0.0.1:\(requested)")
            close(fd)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        try start(fd)
        return port
    }

    /// Listens on a Unix domain socket at `path` (a stale socket file there is replaced), readable and
    /// writable by everyone who can reach the folder: keep the folder private.
    public func listen(unixSocket path: String) throws {
        guard path.utf8.count < 108 else {
            throw EvolveError(.io, "the socket path \(path) is too long (a Unix socket path has at most 107 bytes)")
        }
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("cannot make a Unix socket") }
        let bound = Self.withUnixAddress(path) { bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = Self.failure("cannot listen on the Unix socket \(path)")
            close(fd)
            throw error
        }
        chmod(path, 0o666)
        socketPath = path
        try start(fd)
    }

    /// Stops listening, closes every connection and removes the socket file. Safe to call twice.
    public func stop() {
        lock.lock()
        if stopped {
            lock.unlock()
            return
        }
        stopped = true
        let fd = listenFD
        let open = connections
        lock.unlock()
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
        if let socketPath { unlink(socketPath) }
    }

    // MARK: - Accepting

    private func start(_ fd: Int32) throws {
        guard Glibc.listen(fd, 128) == 0 else {
            let error = Self.failure("cannot listen")
            close(fd)
            throw error
        }
        lock.lock()
        listenFD = fd
        lock.unlock()
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "evolve.http.accept"
        thread.start()
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let connection = accept(fd, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // closed by stop()
            }
            lock.lock()
            if stopped {
                lock.unlock()
                close(connection)
                return
            }
            connections.insert(connection)
            lock.unlock()
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            var timeout = timeval(tv_sec: Int(idleTimeout), tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [self] in
                serve(connection)
                lock.lock()
                connections.remove(connection)
                lock.unlock()
                close(connection)
            }
            thread.name = "evolve.http.connection"
            thread.start()
        }
    }

    // MARK: - One connection

    private func serve(_ fd: Int32) {
        var reader = SocketReader(fd: fd)
        while true {
            let request: HTTPServerRequest
            var keepAlive = true
            switch readRequest(&reader) {
            case .closed:
                return
            case .bad(let status, let message):
                write(fd, HTTPServerResponse.json(status, object: ["error": ["message": message]]), keepAlive: false)
                return
            case .request(let parsed, let alive):
                request = parsed
                keepAlive = alive
            }
            let response = runHandler(request)
            if response.drop { return }
            guard write(fd, response, keepAlive: keepAlive), keepAlive else { return }
        }
    }

    /// Runs the async handler on this connection's own thread and waits for it.
    ///
    /// The handler's task prefers an executor that runs its jobs right here, and it may block (see
    /// `ConnectionThread.mayBlock`): a gateway call then needs no thread hop at all, which keeps its overhead
    /// low on a busy machine.
    private func runHandler(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let box = ResponseBox()
        let executor = ConnectionThread()
        let handler = self.handler
        Task(executorPreference: executor) {
            box.value = await ConnectionThread.$mayBlock.withValue(true) { await handler(request) }
            executor.finish()
        }
        executor.run()
        return box.value ?? HTTPServerResponse(status: 500)
    }

    private enum ReadResult {
        case request(HTTPServerRequest, keepAlive: Bool)
        case bad(Int, String)
        case closed
    }

    private func readRequest(_ reader: inout SocketReader) -> ReadResult {
        guard let head = reader.readHead(limit: 64 << 10) else { return .closed }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return .bad(400, "malformed request line") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .bad(400, "malformed header line") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        let keepAlive = parts[2] == "HTTP/1.1" ? connection != "close" : connection == "keep-alive"
        if headers["expect"]?.lowercased() == "100-continue" {
            _ = Self.sendAll(reader.fd, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        var body = Data()
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let chunked = reader.readChunked(limit: maxBodyBytes) else {
                return .bad(400, "malformed or oversized chunked body")
            }
            body = chunked
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { return .bad(400, "bad Content-Length") }
            guard length <= maxBodyBytes else { return .bad(413, "the body is larger than \(maxBodyBytes) bytes") }
            guard let bytes = reader.read(count: length) else { return .closed }
            body = bytes
        }
        return .request(
            HTTPServerRequest(method: String(parts[0]), path: String(parts[1]), headers: headers, body: body),
            keepAlive: keepAlive)
    }

    @discardableResult
    private func write(_ fd: Int32, _ response: HTTPServerResponse, keepAlive: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers where name.lowercased() != "content-length" {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        var bytes = Data(head.utf8)
        bytes.append(response.body)
        return Self.sendAll(fd, bytes)
    }

    // MARK: - Helpers

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

    static func failure(_ what: String) -> EvolveError {
        EvolveError(.io, "\(what): \(String(cString: strerror(errno)))")
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }

    /// A free TCP port on 127.0.0.1 at the moment of asking (another process may take it before you do).
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("cannot make a TCP socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw failure("cannot find a free port") }
        return UInt16(bigEndian: address.sin_port)
    }
}

private final class ResponseBox: @unchecked Sendable {
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

    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    /// The header block up to (not including) the blank line, or nil when the peer closed first.
    mutating func readHead(limit: Int) -> String? {
        var scanned = 0  // bytes after `start` already searched (fill() may move `start`)
        while true {
            var i = start + max(0, scanned - 3)
            while i + 3 < buffer.count {
                if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    let head = String(decoding: buffer[start..<i], as: UTF8.self)
                    start = i + 4
                    return head
                }
                i += 1
            }
            scanned = buffer.count - start
            if scanned > limit { return nil }
            guard fill() else { return nil }
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
            guard fill() else { return nil }
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
