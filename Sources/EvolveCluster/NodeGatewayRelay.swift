import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the node-side relay lets one step's sandbox hold: a hostile agent must not exhaust the node (its
/// threads, descriptors, memory) or stream without end to the gateway through it. The defaults match the
/// gateway's caps per task (32 connections, 120 s of silence) and the in-sandbox relay's 32 connections.
public struct NodeRelayLimits: Sendable, Equatable {
    /// Connections forwarded at once; a further one is closed as soon as it is accepted.
    public var maxConnections: Int
    /// Bytes one connection may carry in each direction; past it the connection is closed.
    public var maxBytesPerConnection: Int
    /// Bytes all connections of the step may carry together; past it the relay forwards nothing more.
    public var maxBytesInAll: Int
    /// Seconds a connection may stay silent both ways before it is closed.
    public var idleTimeout: Double
    /// Seconds to reach the gateway for a new connection.
    public var connectTimeout: Double

    public init(
        maxConnections: Int = 32, maxBytesPerConnection: Int = 256 << 20, maxBytesInAll: Int = 4 << 30,
        idleTimeout: Double = 120, connectTimeout: Double = 10
    ) {
        self.maxConnections = maxConnections
        self.maxBytesPerConnection = maxBytesPerConnection
        self.maxBytesInAll = maxBytesInAll
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
    }

    /// 32 connections, 256 MiB per connection each way, 4 GiB in all, 120 s idle, 10 s to connect.
    public static let standard = NodeRelayLimits()
}

/// Carries a step's gateway connections from a Unix socket on the node to the gateway's TCP endpoint, byte
/// for byte, for a node that does not share the engine machine's file system.
///
/// `evolve run-step` starts it outside the sandbox in a private folder of the node's own temporary folder
/// (mode 0700, named `evolve-node-relay.<pid>.*`, never on the shared folder), binds its socket into the
/// sandbox where the gateway's socket goes on the engine's machine, and stops it when the step ends: the folder and
/// every connection go. A folder whose process died without stopping it (kill -9) is removed by the next
/// `run-step` on the node. The relay reads no request and holds no token: the gateway checks the per-task
/// token of every call, as for a local step.
public final class NodeGatewayRelay: @unchecked Sendable {
    public let gateway: StepGateway
    public let limits: NodeRelayLimits
    /// The private folder that holds the socket.
    public let folder: String
    public var socketPath: String { folder + "/" + Self.socketName }

    static let socketName = "gateway.sock"
    static let folderPrefix = "evolve-node-relay."

    private let targets: [SocketTarget]
    private let lock = NSCondition()
    private var listenFD: Int32 = -1
    private var open: [Int32: Int32] = [:]  // client descriptor → gateway descriptor
    private var threads = 0
    private var stopped = false
    private var bytes = 0
    private var refused = 0

    /// Resolves the gateway's host, makes the folder and listens on its socket.
    public init(to gateway: StepGateway, limits: NodeRelayLimits = .standard, temporaryFolder: String? = nil) throws {
        self.gateway = gateway
        self.limits = limits
        targets = try SocketTarget.resolve(host: gateway.host, port: gateway.port)
        let base = temporaryFolder ?? Self.nodeTemporaryFolder()
        Self.removeStaleFolders(in: base)
        folder = try SocketTarget.makePrivateFolder(in: base, prefix: Self.folderPrefix + "\(getpid()).")
        do {
            listenFD = try SocketTarget.listenUnix(at: folder + "/" + Self.socketName)
        } catch {
            Files.removeTree(folder)
            throw error
        }
        let thread = Thread { [self] in acceptLoop(listenFD) }
        thread.name = "evolve.node-relay.accept"
        thread.start()
    }

    deinit { stop() }

    /// Connections being forwarded now.
    public var openConnections: Int { lock.withLock { open.count } }
    /// Connections closed at once because the relay was full or out of bytes.
    public var refusedConnections: Int { lock.withLock { refused } }
    /// Bytes forwarded so far, both ways.
    public var bytesForwarded: Int { lock.withLock { bytes } }

    /// Stops listening, closes every connection, waits (a few seconds at most) for their threads and removes
    /// the folder. Safe to call twice.
    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        let fd = listenFD
        for (client, upstream) in open {
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(upstream, Int32(SHUT_RDWR))
        }
        let deadline = Date().addingTimeInterval(5)
        while threads > 0 && lock.wait(until: deadline) {}
        lock.unlock()
        if first, fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        Files.removeTree(folder)
    }

    // MARK: - Connections

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EBADF, EINVAL, ENOTSOCK: return
                default:
                    usleep(20_000)  // out of descriptors or memory: wait for connections to end
                    continue
                }
            }
            let admitted = lock.withLock {
                guard !stopped, open.count < limits.maxConnections, bytes < limits.maxBytesInAll else {
                    refused += 1
                    return false
                }
                open[client] = -1
                threads += 1
                return true
            }
            guard admitted else {
                close(client)
                continue
            }
            let thread = Thread { [self] in
                let upstream = SocketTarget.connect(targets, timeout: limits.connectTimeout)
                let keep = lock.withLock {
                    guard !stopped, upstream >= 0 else { return false }
                    open[client] = upstream
                    return true
                }
                if keep { pump(client, upstream, idleTimeout: limits.idleTimeout) }
                lock.withLock {
                    open[client] = nil
                    close(client)
                    if upstream >= 0 { close(upstream) }
                    threads -= 1
                    lock.broadcast()
                }
            }
            thread.name = "evolve.node-relay.connection"
            thread.start()
        }
    }

    /// Forwards both ways until both sides closed, one failed, the connection was silent too long, or a
    /// byte cap was reached. A side that closes its writing half has it passed on (`shutdown(SHUT_WR)`).
    private func pump(_ client: Int32, _ upstream: Int32, idleTimeout: Double) {
        let ends = [client, upstream]
        var time = timeval(tv_sec: Int(idleTimeout), tv_usec: 0)
        for fd in ends { setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size)) }
        var polls = ends.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var carried = [0, 0]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while polls.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&polls, 2, Int32(idleTimeout * 1000))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return }  // silent too long, or poll failed
            for side in 0..<2 where polls[side].fd >= 0 && polls[side].revents != 0 {
                let other = ends[1 - side]
                let n = buffer.withUnsafeMutableBytes { recv(ends[side], $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    polls[side].fd = -1
                    shutdown(other, Int32(SHUT_WR))
                    continue
                }
                carried[side] += n
                let withinAll = lock.withLock {
                    bytes += n
                    return bytes <= limits.maxBytesInAll && !stopped
                }
                guard carried[side] <= limits.maxBytesPerConnection, withinAll,
                    buffer.withUnsafeBytes({ SocketTarget.sendAll(other, $0.baseAddress!, n) })
                else { return }
            }
        }
    }

    // MARK: - Folders

    /// The node's own temporary folder: `TMPDIR` when it is an absolute path short enough for a socket path,
    /// else /tmp.
    static func nodeTemporaryFolder() -> String {
        if let tmp = ProcessInfo.processInfo.environment["TMPDIR"], tmp.hasPrefix("/"), tmp.utf8.count < 60,
            Files.isDirectory(tmp)
        {
            return tmp
        }
        return "/tmp"
    }

    /// Removes the relay folders in `base` whose process is gone (kill -9 of `evolve run-step`); a folder of a
    /// live process, or of another user, is left alone.
    static func removeStaleFolders(in base: String) {
        for name in Files.entries(base) ?? [] where name.hasPrefix(folderPrefix) {
            // Exactly `<prefix><pid>.<6 characters of mkdtemp>`: nothing else's folder is taken for a relay's.
            let parts = name.dropFirst(folderPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1].count == 6, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
                let pid = Int32(parts[0]), pid > 0, pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            var st = stat()
            guard lstat(base + "/" + name, &st) == 0, st.st_uid == getuid(), (st.st_mode & S_IFMT) == S_IFDIR
            else { continue }
            Files.removeTree(base + "/" + name)
        }
    }
}
