import Foundation

// MARK: - Requests and responses

/// One HTTP request as the LLM layer sends it: a method, a URL, headers, an optional body and its limits.
public struct HTTPRequest: Sendable {
    public var method: String
    /// An absolute `http://` or `https://` URL. With `unixSocketPath`, the host part is ignored.
    public var url: String
    /// Header names as they are sent; the transport adds none of its own except `Content-Length`.
    public var headers: [String: String]
    public var body: Data?
    /// The whole exchange, connecting included, must finish within this many seconds.
    public var timeout: Double
    /// Connecting (TCP and TLS) must finish within this many seconds.
    public var connectTimeout: Double
    /// A response body larger than this fails with `TransportError.Kind.tooLarge`.
    public var maxResponseBytes: Int
    /// Connect to this Unix domain socket instead of the URL's host and port.
    public var unixSocketPath: String?

    public init(
        method: String = "GET", url: String, headers: [String: String] = [:], body: Data? = nil,
        timeout: Double = 60, connectTimeout: Double = 10, maxResponseBytes: Int = 16 << 20,
        unixSocketPath: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.unixSocketPath = unixSocketPath
    }
}

/// What came back: the status, the headers (names lowercased) and the body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names are lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

// MARK: - The transport

/// Sends one HTTP request and returns the response. Providers take one of these, so tests can answer
/// without a network and the real one (`CurlTransport`) stays replaceable.
///
/// A transport returns every HTTP status as a response (a 500 is not an error here); it throws
/// `TransportError` only when no complete response arrived.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A transport failure: no complete HTTP response arrived.
public struct TransportError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// Could not connect: refused, unreachable, unknown host, missing socket.
        case connection
        /// The connection broke before a whole response arrived (reset, closed early, bad framing).
        case dropped
        /// The timeout passed.
        case timeout
        /// The response body was larger than `maxResponseBytes`.
        case tooLarge
        /// The task that sent the request was cancelled.
        case cancelled
        /// Anything else (TLS, a bad URL, libcurl internals).
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether trying again may help (a broken or slow connection, not a bad URL or a cancelled task).
    public var isRetryable: Bool { kind == .connection || kind == .dropped || kind == .timeout }

    public var description: String { message }
}

/// A transport made of a closure, for tests and for wrapping another transport.
public struct ClosureTransport: HTTPTransport {
    private let body: @Sendable (HTTPRequest) async throws -> HTTPResponse

    public init(_ body: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.body = body
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await body(request)
    }
}
