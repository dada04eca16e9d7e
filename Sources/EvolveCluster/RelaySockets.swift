import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One resolved address of the gateway, and the socket calls of the node-side relay (the one file of
/// EvolveCluster with C socket structures).
struct SocketTarget: Sendable {
    let family: Int32
    let address: [UInt8]  // a sockaddr_in or sockaddr_in6, as getaddrinfo gave it

    /// The addresses of `host` (an IP literal or a name the node resolves) for TCP, in the resolver's order.
    static func resolve(host: String, port: UInt16) throws -> [SocketTarget] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw EvolveError(
                .sandbox,
                "cannot resolve the gateway's host '\(host)' on this node: \(String(cString: gai_strerror(status)))",
                hint: "executor.gateway_address must be an address of the engine's machine that the nodes reach")
        }
        defer { freeaddrinfo(list) }
        var targets: [SocketTarget] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let raw = current.pointee.ai_addr {
                let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(raw), count: Int(current.pointee.ai_addrlen))
                targets.append(SocketTarget(family: current.pointee.ai_family, address: Array(bytes)))
            }
            entry = current.pointee.ai_next
        }
        return targets
    }

    /// A connected TCP socket to the first target that answers within `timeout` seconds, or -1.
    static func connect(_ targets: [SocketTarget], timeout: Double) -> Int32 {
        for target in targets {
            let fd = socket(target.family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let started = target.address.withUnsafeBytes {
                Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            var connected = started == 0
            if !connected && errno == EINPROGRESS {
                var wait = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                var failure: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                connected =
                    poll(&wait, 1, Int32(timeout * 1000)) == 1
                    && getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 && failure == 0
            }
            if connected {
                _ = fcntl(fd, F_SETFL, flags)
                var yes: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            close(fd)
        }
        return -1
    }

    /// A listening Unix socket at `path`, open to whoever reaches its folder (the sandbox's user is mapped to
    /// another uid inside; the folder, 0700, keeps everyone else out).
    static func listenUnix(at path: String) throws -> Int32 {
        guard path.utf8.count < 108 else {
            throw EvolveError(.sandbox, "the relay socket path \(path) is too long (at most 107 bytes)")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("cannot make a Unix socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let error = failure("cannot listen on the relay socket \(path)")
            close(fd)
            throw error
        }
        chmod(path, 0o666)
        return fd
    }

    /// Sends all `count` bytes; false when the peer is gone or stayed full past the send timeout.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let n = send(fd, bytes + offset, count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// A new folder `base/<prefix>XXXXXX`, mode 0700 (mkdtemp).
    static func makePrivateFolder(in base: String, prefix: String) throws -> String {
        var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw failure("cannot make the relay's folder in \(base)")
        }
        return String(cString: made)
    }

    private static func failure(_ what: String) -> EvolveError {
        EvolveError(.sandbox, "\(what): \(String(cString: strerror(errno)))")
    }
}
