import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - TCP addresses of the server

extension HTTPServer {

    static func failure(_ what: String) -> EvolveError {
        EvolveError(.io, "\(what): \(String(cString: strerror(errno)))")
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

/// An IPv4 or IPv6 address to listen on, as a socket address (`HTTPServer.listen(host:port:)`).
struct TCPListenAddress {
    let family: Int32
    private var storage = sockaddr_storage()
    private let length: socklen_t
    let isUnspecified: Bool
    private let host: String

    /// nil when `host` is not an IP literal (brackets around an IPv6 address are allowed).
    init?(host text: String, port: UInt16) {
        let host = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        self.host = host
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return nil }
            isUnspecified = withUnsafeBytes(of: address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
            isUnspecified = address.sin_addr.s_addr == 0
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
    }

    /// `10.0.0.5:8321`, `[fd00::5]:8321`; without a port, the host as a URL writes it.
    func display(port: UInt16?) -> String {
        let shown = family == AF_INET6 ? "[\(host)]" : host
        return port.map { "\(shown):\($0)" } ?? shown
    }

    /// Binds `fd` here and returns the port bound (the one the kernel chose for port 0), nil on failure.
    func bind(_ fd: Int32) -> UInt16? {
        var address = storage
        var size = length
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &size) == 0
            }
        }
        guard ok else { return nil }
        return withUnsafeBytes(of: address) { raw in
            // sin_port and sin6_port sit at the same offset, right after the family.
            UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
        }
    }
}
