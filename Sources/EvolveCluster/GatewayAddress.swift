import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the gateway listens on TCP for agents on other nodes: `executor.gateway_address`, an IP address of
/// this machine and a port (`10.0.0.5:0` picks a free port; `[fd00::5]:8321` for IPv6).
///
/// Only an IP literal is taken, written in its plain form, so that the gateway never listens on more
/// interfaces than the user wrote: every spelling of the unspecified address ("all interfaces") is
/// refused (`:8080`, `*:8080`, `0:8080`, `[::0]:8080` …) except the two that cannot be misread, `0.0.0.0`
/// and `[::]`; with those, anyone who can reach this machine can try tokens (see docs/cluster.md).
public struct GatewayAddress: Sendable, Equatable, CustomStringConvertible {
    /// The IP literal without brackets (`10.0.0.5`, `fd00::5`).
    public var host: String
    /// 0 picks a free port.
    public var port: UInt16
    public var isIPv6: Bool

    /// Parses `host:port` strictly; the error says what to write instead.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let host: String
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[close...].hasPrefix("]:") else {
                throw Self.problem(text, "an IPv6 address is written in brackets with a port: [fd00::5]:8321")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            portText = trimmed[trimmed.index(close, offsetBy: 2)...]
            isIPv6 = true
        } else {
            guard let colon = trimmed.lastIndex(of: ":"), !trimmed[..<colon].contains(":") else {
                throw Self.problem(text, "write an IP address and a port, for example 10.0.0.5:0 or [fd00::5]:0")
            }
            host = String(trimmed[..<colon])
            portText = trimmed[trimmed.index(after: colon)...]
            isIPv6 = false
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            let port = UInt16(portText)
        else {
            throw Self.problem(text, "the port must be a number from 0 to 65535 (0 picks a free port)")
        }
        guard !host.isEmpty, host != "*" else {
            throw Self.problem(
                text,
                "an empty or '*' host would listen on every interface; write the address of the interface "
                    + "the nodes reach (0.0.0.0 only if you mean every interface)")
        }
        self.host = host
        self.port = port
        if isIPv6 {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, host, &raw) == 1 else {
                throw Self.problem(text, "'\(host)' is not an IPv6 address")
            }
            let unspecified = withUnsafeBytes(of: &raw) { $0.allSatisfy { $0 == 0 } }
            let mappedUnspecified = withUnsafeBytes(of: &raw) {
                Array($0) == Array(repeating: 0, count: 10) + [255, 255, 0, 0, 0, 0]
            }
            if (unspecified && host != "::") || mappedUnspecified {
                throw Self.problem(text, "'\(host)' means every interface; write [::] if you really mean that")
            }
        } else {
            guard Self.isDottedQuad(host) else {
                throw Self.problem(
                    text, "'\(host)' is not an IPv4 address in dotted form (a host name is not taken: write its IP)")
            }
        }
    }

    /// Whether the address is `0.0.0.0` or `[::]`: every interface of this machine.
    public var isAllInterfaces: Bool { host == "0.0.0.0" || host == "::" }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The host the nodes connect to: the address itself, or this machine's host name when it listens on
    /// every interface.
    public var hostForNodes: String { isAllInterfaces ? ProcessInfo.processInfo.hostName : host }

    /// Four decimal numbers 0–255 without leading zeros (`inet_addr` would read `010` as octal and `0` as
    /// 0.0.0.0).
    static func isDottedQuad(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                    && (part == "0" || !part.hasPrefix("0")) && (Int(part) ?? 256) <= 255
            }
    }

    private static func problem(_ text: String, _ what: String) -> EvolveError {
        EvolveError(.config, "executor.gateway_address '\(text)' is not usable: \(what)")
    }
}

/// The gateway's TCP endpoint as a step on a node reaches it (written into the step's `spec.json`), and
/// where its relay socket appears inside the sandbox.
public struct StepGateway: Sendable, Equatable, Codable {
    /// An IP address or a host name that the nodes resolve.
    public var host: String
    public var port: UInt16
    /// The path inside the sandbox where the gateway's socket is bound (`GatewayAccess.socketInSandbox`).
    public var socketInSandbox: String

    public init(host: String, port: UInt16, socketInSandbox: String) {
        self.host = host
        self.port = port
        self.socketInSandbox = socketInSandbox
    }

    enum CodingKeys: String, CodingKey {
        case host
        case port
        case socketInSandbox = "socket_in_sandbox"
    }
}
