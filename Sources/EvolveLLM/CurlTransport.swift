import CCurl
import EvolveSupport
import Foundation

/// The real transport: libcurl easy handles, each transfer run on a thread of its own pool (never on the
/// cooperative pool or GCD's, which a blocking `curl_easy_perform` would starve: on Linux both have about
/// one thread per core).
///
/// Idle handles are kept for reuse, so consecutive requests to one server share a kept-alive connection.
/// Cancelling the calling task aborts the transfer within about a second (libcurl's progress callback).
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private let idle = Locked<[UnsafeMutableRawPointer]>([])
    private let maxIdleHandles: Int
    private let workers = BlockingWorkers(name: "evolve.curl")

    /// - Parameter maxIdleHandles: how many finished handles (and their open connections) to keep.
    public init(maxIdleHandles: Int = 8) {
        _ = CurlTransport.globalInit
        self.maxIdleHandles = maxIdleHandles
    }

    deinit {
        for handle in idle.current { curl_easy_cleanup(handle) }
    }

    /// The environment's `no_proxy` list plus the loopback names.
    private static let noProxy: String = {
        let environment = ProcessInfo.processInfo.environment
        let given = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        return ([given] + ["localhost", "127.0.0.1", "::1"]).filter { !$0.isEmpty }.joined(separator: ",")
    }()

    /// `curl_global_init` is not thread-safe: it runs once, before the first handle.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = Transfer(maxBytes: request.maxResponseBytes)
        if ConnectionThread.mayBlock {
            // On a server connection's own thread (the gateway forwarding a call): no hop to a worker.
            return try perform(request, transfer)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: TransportError(.cancelled, "the request was cancelled"))
                    return
                }
                workers.run {
                    continuation.resume(with: Result { try self.perform(request, transfer) })
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    // MARK: - Handles

    private func checkOut() throws -> UnsafeMutableRawPointer {
        if let reused = idle.withLock({ $0.popLast() }) {
            curl_easy_reset(reused)
            return reused
        }
        guard let handle = curl_easy_init() else { throw TransportError(.other, "libcurl could not make a handle") }
        return handle
    }

    private func checkIn(_ handle: UnsafeMutableRawPointer) {
        let kept = idle.withLock { idle in
            guard idle.count < maxIdleHandles else { return false }
            idle.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    // MARK: - One transfer (blocking, on a GCD thread)

    private func perform(_ request: HTTPRequest, _ transfer: Transfer) throws -> HTTPResponse {
        let handle = try checkOut()
        defer { checkIn(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let unmanaged = Unmanaged.passRetained(transfer)
        defer { unmanaged.release() }
        let context = UnsafeRawPointer(unmanaged.toOpaque())

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            var rc = CURLE_OK
            func set(_ result: CURLcode) { if rc == CURLE_OK { rc = result } }
            set(evolve_curl_setopt_str(handle, CURLOPT_URL, request.url))
            set(evolve_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            set(evolve_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress))
            set(evolve_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(max(request.timeout, 0.001) * 1000)))
            set(
                evolve_curl_setopt_long(
                    handle, CURLOPT_CONNECTTIMEOUT_MS,
                    Int(max(request.connectTimeout, 0.001) * 1000)))
            if let socket = request.unixSocketPath {
                set(evolve_curl_setopt_str(handle, CURLOPT_UNIX_SOCKET_PATH, socket))
                set(evolve_curl_setopt_str(handle, CURLOPT_PROXY, ""))
            } else {
                // Proxies from the environment apply, but never to the loopback (the local model, the gateway).
                set(evolve_curl_setopt_str(handle, CURLOPT_NOPROXY, CurlTransport.noProxy))
            }
            switch request.method.uppercased() {
            case "GET": set(evolve_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
            case "POST": set(evolve_curl_setopt_long(handle, CURLOPT_POST, 1))
            case let other: set(evolve_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, other))
            }
            if let body = request.body {
                set(evolve_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
                body.withUnsafeBytes { raw in
                    // COPYPOSTFIELDS copies the bytes, so the body need not outlive this call.
                    let bytes = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                    set(evolve_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, bytes))
                }
            }
            for (name, value) in request.headers {
                headerList = curl_slist_append(headerList, "\(name): \(value)")
            }
            // No "Expect: 100-continue" round trip before a large body.
            headerList = curl_slist_append(headerList, "Expect:")
            set(evolve_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, UnsafeRawPointer(headerList)))
            set(evolve_curl_setopt_write(handle, curlWriteBody))
            set(evolve_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, context))
            set(evolve_curl_setopt_header(handle, curlWriteHeader))
            set(evolve_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, context))
            set(
                evolve_curl_setopt_ptr(
                    handle, CURLOPT_XFERINFOFUNCTION, unsafeBitCast(curlProgress, to: UnsafeRawPointer.self)))
            set(evolve_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, context))
            set(evolve_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
            if rc != CURLE_OK { return rc }
            return curl_easy_perform(handle)
        }

        if code != CURLE_OK {
            throw transportError(code, errorBuffer, transfer, request)
        }
        var status = 0
        _ = evolve_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    private func transportError(_ code: CURLcode, _ buffer: [CChar], _ transfer: Transfer, _ request: HTTPRequest)
        -> TransportError
    {
        let detail = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let words = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let target = request.unixSocketPath.map { "\(request.url) (via \($0))" } ?? request.url
        if transfer.isCancelled { return TransportError(.cancelled, "the request to \(target) was cancelled") }
        if transfer.tooLarge {
            return TransportError(
                .tooLarge, "the answer from \(target) is larger than \(request.maxResponseBytes) bytes")
        }
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .connection
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY:
            kind = .dropped
        default: kind = .other
        }
        let seconds = String(format: "%g", request.timeout)
        let what = kind == .timeout ? "no answer from \(target) within \(seconds) s" : "request to \(target) failed"
        return TransportError(kind, "\(what): \(words) (libcurl error \(code.rawValue))")
    }
}

// MARK: - Threads for blocking work

/// Threads that run blocking jobs: an idle one takes the next job, and a new one starts when none is idle,
/// so a slow transfer never holds up another. Up to `keepIdle` threads wait for work; the rest end.
final class BlockingWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var idle = 0
    private var wakeups = 0
    private let keepIdle: Int
    private let name: String

    init(name: String, keepIdle: Int = 8) {
        self.name = name
        self.keepIdle = keepIdle
    }

    func run(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if idle > 0 {
            // Hand the job to a waiting thread; counted here so that two jobs never wait for one thread.
            idle -= 1
            wakeups += 1
            condition.signal()
            condition.unlock()
            return
        }
        condition.unlock()
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    private func loop() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job()
                condition.lock()
                continue
            }
            if idle >= keepIdle {
                condition.unlock()
                return
            }
            idle += 1
            while wakeups == 0 { condition.wait() }
            wakeups -= 1
        }
    }
}

// MARK: - Per-transfer state shared with the C callbacks

/// The bytes and headers of one transfer; the C callbacks reach it through an unmanaged pointer.
private final class Transfer: @unchecked Sendable {
    let maxBytes: Int
    var body = Data()
    var headers: [String: String] = [:]
    var tooLarge = false
    private let cancelled = Locked(false)

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    func cancel() { cancelled.withLock { $0 = true } }

    var isCancelled: Bool { cancelled.current }
}

private let curlWriteBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    if transfer.body.count + n > transfer.maxBytes {
        transfer.tooLarge = true
        return 0  // libcurl stops with CURLE_WRITE_ERROR
    }
    transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n)
    return n
}

private let curlWriteHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int =
    {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        let n = size * count
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            transfer.headers = [:]  // a new response (after a 100 Continue or a redirect)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            transfer.headers[name] = value
        }
        return n
    }

private let curlProgress: @convention(c) (UnsafeMutableRawPointer?, Int64, Int64, Int64, Int64) -> Int32 = {
    context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().isCancelled ? 1 : 0
}
