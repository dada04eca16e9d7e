import Foundation

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

// MARK: - Limits and admission

/// What one client may hold of an `HTTPServer`, and how long the server waits for it.
///
/// The gateway's clients are hostile programs: every resource a connection can take (a thread, a file
/// descriptor, memory for a body) has a cap, and a client that sends nothing is dropped. A "key" is what
/// the server's admission check says a request belongs to (the gateway: the task of its token).
public struct HTTPServerLimits: Sendable, Equatable {
    /// A larger request body is answered 413 without being read.
    public var maxBodyBytes: Int
    /// A larger header block is answered 431.
    public var maxHeaderBytes: Int
    /// Seconds a new connection has to send its whole header block (slow-loris clients are dropped).
    public var headerTimeout: Double
    /// Seconds a kept-alive connection may stay silent between requests.
    public var idleTimeout: Double
    /// Seconds a client has to send a body once its headers were admitted.
    public var bodyTimeout: Double
    /// Open connections in all; past it a new connection is closed as soon as it is accepted.
    public var maxConnections: Int
    /// Open connections whose requests belong to one key; past it the request gets 429.
    public var maxConnectionsPerKey: Int
    /// Request-body bytes one key may have in flight (being read or handled); past it 429.
    public var maxBytesInFlightPerKey: Int
    /// Request-body bytes in flight for all keys together; past it 503.
    public var maxBytesInFlight: Int

    public init(
        maxBodyBytes: Int = 8 << 20, maxHeaderBytes: Int = 32 << 10, headerTimeout: Double = 10,
        idleTimeout: Double = 120, bodyTimeout: Double = 60, maxConnections: Int = 512,
        maxConnectionsPerKey: Int = 32, maxBytesInFlightPerKey: Int = 32 << 20, maxBytesInFlight: Int = 256 << 20
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerKey = maxConnectionsPerKey
        self.maxBytesInFlightPerKey = maxBytesInFlightPerKey
        self.maxBytesInFlight = maxBytesInFlight
    }

    /// The defaults: 8 MiB bodies, 32 KiB headers, 10 s for headers, 32 connections and 32 MiB per key.
    public static let standard = HTTPServerLimits()
}

/// The answer of an admission check, which sees a request's method, path and headers before its body.
public enum HTTPServerAdmission: Sendable {
    /// Read the body and handle the request; `key` (if any) is charged for connections and bytes.
    case accept(key: String?)
    /// Answer this and close the connection, reading nothing more.
    case refuse(HTTPServerResponse)
}

/// Connections and bytes in flight, per key and in all (thread-safe).
final class ClientQuota: @unchecked Sendable {
    private let limits: HTTPServerLimits
    private let lock = NSLock()
    private var connectionsByKey: [String: Int] = [:]
    private var bytesByKey: [String: Int] = [:]
    private var bytesInAll = 0

    init(limits: HTTPServerLimits) { self.limits = limits }

    /// Counts one more connection for `key`, unless it has its cap.
    func claimConnection(_ key: String) -> Bool {
        lock.withLock {
            let open = connectionsByKey[key, default: 0]
            guard open < limits.maxConnectionsPerKey else { return false }
            connectionsByKey[key] = open + 1
            return true
        }
    }

    func releaseConnection(_ key: String) {
        lock.withLock {
            let open = connectionsByKey[key, default: 1] - 1
            connectionsByKey[key] = open > 0 ? open : nil
        }
    }

    enum BytesRefusal { case key, all }

    /// Reserves `count` body bytes for `key` (nil: only the server-wide cap applies).
    func claimBytes(_ count: Int, for key: String?) -> BytesRefusal? {
        lock.withLock {
            guard bytesInAll + count <= limits.maxBytesInFlight else { return .all }
            if let key {
                let held = bytesByKey[key, default: 0]
                guard held + count <= limits.maxBytesInFlightPerKey else { return .key }
                bytesByKey[key] = held + count
            }
            bytesInAll += count
            return nil
        }
    }

    func releaseBytes(_ count: Int, for key: String?) {
        lock.withLock {
            bytesInAll -= count
            if let key {
                let held = bytesByKey[key, default: count] - count
                bytesByKey[key] = held > 0 ? held : nil
            }
        }
    }

    /// Connections counted for `key` now (for tests and logs).
    func connections(for key: String) -> Int { lock.withLock { connectionsByKey[key, default: 0] } }

    /// Body bytes reserved now, in all.
    var bytesInFlight: Int { lock.withLock { bytesInAll } }
}
