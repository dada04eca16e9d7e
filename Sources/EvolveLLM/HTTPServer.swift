import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - The server

/// A small HTTP/1.1 server over POSIX sockets, on 127.0.0.1 or a Unix domain socket: enough for JSON
/// requests with `Content-Length` (or chunked) bodies, with keep-alive. Each connection gets a thread; the
/// handler runs as a task. The gateway serves agents with it; tests serve stub model servers with it.
///
/// Hostile clients are expected (see `HTTPServerLimits`): the admission check sees each request's headers
/// before any of its body is read, so a refused request costs its header block and nothing more; bodies,
/// headers, connections and bytes in flight are capped; silent clients are dropped; running out of file
/// descriptors pauses accepting and never stops it. Why this server and not Hummingbird (measured, and the
/// defences Hummingbird lacks): docs/llm.md, "Hummingbird or the hand-written server".
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPServerRequest) async -> HTTPServerResponse
    /// Sees a request's method, path and headers (its body still empty) before the body is read.
    public typealias Admit = @Sendable (HTTPServerRequest) -> HTTPServerAdmission

    private let handler: Handler
    private let admit: Admit?
    public let limits: HTTPServerLimits
    let quota: ClientQuota
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var connections: Set<Int32> = []
    private var stopped = false
    private var socketPath: String?
    /// The TCP port when listening on TCP.
    public private(set) var port: UInt16 = 0

    /// - Parameters:
    ///   - limits: caps and timeouts per client.
    ///   - admit: checks each request from its headers before the body is read; nil accepts all (no key).
    public init(limits: HTTPServerLimits = .standard, admit: Admit? = nil, handler: @escaping Handler) {
        self.handler = handler
        self.admit = admit
        self.limits = limits
        quota = ClientQuota(limits: limits)
    }

    /// Connections open now.
    public var openConnections: Int { lock.withLock { connections.count } }

    /// Connections open now whose requests belong to `key`.
    public func openConnections(for key: String) -> Int { quota.connections(for: key) }

    /// How many times accepting failed for want of file descriptors or memory (and paused).
    public var acceptBackoffs: Int { lock.withLock { backoffs } }
    private var backoffs = 0

    deinit { stop() }

    /// `http://127.0.0.1:<port>` (or the address listened on) once listening on TCP.
    public var baseURL: String { "http://\(listenHost):\(port)" }
    private var listenHost = "127.0.0.1"

    /// Listens on 127.0.0.1 (port 0 picks a free one) and returns the port.
    @discardableResult
    public func listen(port requested: UInt16 = 0) throws -> UInt16 {
        try listen(host: "127.0.0.1", port: requested)
    }

    /// Listens on TCP at `host`, an IPv4 or IPv6 address of this machine (port 0 picks a free one), and
    /// returns the port. The unspecified address (`0.0.0.0`, `::`: every interface) is refused unless
    /// `allowAllInterfaces`: a server of per-task tokens is never open to every network by accident.
    @discardableResult
    public func listen(host: String, port requested: UInt16, allowAllInterfaces: Bool = false) throws -> UInt16 {
        guard let address = TCPListenAddress(host: host, port: requested) else {
            throw EvolveError(.config, "cannot listen on '\(host)': it is not an IPv4 or IPv6 address")
        }
        guard allowAllInterfaces || !address.isUnspecified else {
            throw EvolveError(
                .config, "refusing to listen on every interface (\(host))",
                hint: "name the address of one interface, or allow every interface explicitly")
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("cannot make a TCP socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        guard let bound = address.bind(fd) else {
            let error = Self.failure("cannot listen on \(address.display(port: requested))")
            close(fd)
            throw error
        }
        port = bound
        listenHost = address.display(port: nil)
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
                let failure = errno
                if lock.withLock({ stopped }) { return }
                switch failure {
                case EINTR, ECONNABORTED, EPROTO, EPERM:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: wait for connections to end, then accept again.
                    lock.withLock { backoffs += 1 }
                    usleep(20_000)
                    continue
                case EBADF, EINVAL, ENOTSOCK:
                    return  // the listening socket is gone
                default:
                    usleep(1_000)
                    continue
                }
            }
            lock.lock()
            if stopped || connections.count >= limits.maxConnections {
                let stop = stopped
                lock.unlock()
                close(connection)  // full: the client sees the connection closed at once
                if stop { return }
                continue
            }
            connections.insert(connection)
            lock.unlock()
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            var timeout = timeval(tv_sec: Int(limits.idleTimeout), tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
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
        var heldKey: String?  // the key this connection is counted for
        defer { if let heldKey { quota.releaseConnection(heldKey) } }
        var first = true
        while true {
            let now = ProcessInfo.processInfo.systemUptime
            reader.deadline = now + (first ? limits.headerTimeout : limits.idleTimeout)
            first = false
            let head: Head
            switch readHead(&reader) {
            case .closed:
                return
            case .bad(let status, let message):
                write(fd, Self.problem(status, message), keepAlive: false)
                return
            case .head(let parsed):
                head = parsed
            }
            // The admission check, before a byte of the body is read.
            var key: String?
            if let admit {
                switch admit(head.request) {
                case .refuse(let response):
                    write(fd, response, keepAlive: false)
                    return
                case .accept(let admitted):
                    key = admitted
                }
            }
            if key != heldKey {
                if let heldKey { quota.releaseConnection(heldKey) }
                heldKey = nil
                if let key {
                    guard quota.claimConnection(key) else {
                        write(
                            fd,
                            Self.problem(
                                429,
                                "too many connections: at most \(limits.maxConnectionsPerKey) at once per token"),
                            keepAlive: false)
                        return
                    }
                    heldKey = key
                }
            }
            let reserved = head.chunked ? limits.maxBodyBytes : head.length
            if reserved > limits.maxBodyBytes {
                write(fd, Self.problem(413, "the body is larger than \(limits.maxBodyBytes) bytes"), keepAlive: false)
                return
            }
            switch quota.claimBytes(reserved, for: key) {
            case .key?:
                write(
                    fd,
                    Self.problem(
                        429, "too many request bytes in flight: at most \(limits.maxBytesInFlightPerKey) per token"),
                    keepAlive: false)
                return
            case .all?:
                write(fd, Self.problem(503, "the server is busy: try again shortly"), keepAlive: false)
                return
            case nil:
                break
            }
            let answered = serveBody(fd, head, &reader)
            quota.releaseBytes(reserved, for: key)
            guard answered, head.keepAlive else { return }
        }
    }

    /// Reads the body, runs the handler and writes its answer; false when the connection must close.
    private func serveBody(_ fd: Int32, _ head: Head, _ reader: inout SocketReader) -> Bool {
        if head.expectsContinue { _ = Self.sendAll(fd, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        reader.deadline = ProcessInfo.processInfo.systemUptime + limits.bodyTimeout
        var request = head.request
        if head.chunked {
            guard let chunked = reader.readChunked(limit: limits.maxBodyBytes) else {
                write(fd, Self.problem(400, "malformed, late or oversized chunked body"), keepAlive: false)
                return false
            }
            request.body = chunked
        } else if head.length > 0 {
            guard let bytes = reader.read(count: head.length) else { return false }
            request.body = bytes
        }
        let response = runHandler(request)
        if response.drop { return false }
        return write(fd, response, keepAlive: head.keepAlive)
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

    /// A request's line and headers, and what its body will be.
    private struct Head {
        var request: HTTPServerRequest
        var keepAlive: Bool
        var chunked: Bool
        var length: Int
        var expectsContinue: Bool
    }

    private enum HeadResult {
        case head(Head)
        case bad(Int, String)
        case closed
    }

    private func readHead(_ reader: inout SocketReader) -> HeadResult {
        let text: String
        switch reader.readHead(limit: limits.maxHeaderBytes) {
        case .closed: return .closed
        case .tooLarge: return .bad(431, "the header block is larger than \(limits.maxHeaderBytes) bytes")
        case .head(let head): text = head
        }
        let lines = text.components(separatedBy: "\r\n")
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
        let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        var length = 0
        if !chunked, let lengthText = headers["content-length"] {
            guard let parsed = Int(lengthText), parsed >= 0 else { return .bad(400, "bad Content-Length") }
            length = parsed
        }
        return .head(
            Head(
                request: HTTPServerRequest(method: String(parts[0]), path: String(parts[1]), headers: headers),
                keepAlive: keepAlive, chunked: chunked, length: length,
                expectsContinue: headers["expect"]?.lowercased() == "100-continue"))
    }

    private static func problem(_ status: Int, _ message: String) -> HTTPServerResponse {
        .json(status, object: ["error": ["message": message, "type": "invalid_request_error"]])
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
}
