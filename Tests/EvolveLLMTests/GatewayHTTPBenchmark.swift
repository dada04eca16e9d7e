import EvolveLLM
import EvolveSupport
import EvolveTestSupport
import Foundation
import Hummingbird
import Logging
import Testing

// Figures for scripts/bench-gateway-http.sh: the same gateway call served by the hand-written `HTTPServer` and
// by a Hummingbird server, over a Unix socket and over TCP, one client at a time and eight at once. Runs only
// with EVOLVE_BENCH_GATEWAY_HTTP=1; prints lines that start with "bench:" and asserts only that every call
// succeeded (never a time).

private let benchEnabled = ProcessInfo.processInfo.environment["EVOLVE_BENCH_GATEWAY_HTTP"] == "1"

@Suite("Gateway HTTP server benchmark", .serialized)
struct GatewayHTTPBenchmark {
    static var calls: Int { Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_CALLS"] ?? "") ?? 200 }
    static let clients = 8

    @Test(.enabled(if: benchEnabled, "set EVOLVE_BENCH_GATEWAY_HTTP=1"))
    func handWrittenAgainstHummingbird() async throws {
        // The upstream answers at once, so what is measured is the gateway's server and its forwarding.
        let upstream = HTTPServer { _ in StubServer.completion("yes", promptTokens: 12, completionTokens: 1) }
        try upstream.listen()
        defer { upstream.stop() }
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-bench-gwhttp")
        defer { Files.removeTree(folder) }
        func gateway() -> Gateway {
            let provider = OpenAICompatibleProvider(
                baseURL: "\(upstream.baseURL)/v1", model: "stub", apiKey: nil, keyVariable: nil, kind: .local,
                temperature: 0, retry: .none, transport: CurlTransport())
            return Gateway(provider: provider, budget: TaskBudget(turns: 10_000_000))
        }

        // (a) the hand-written server, as the engine runs it
        let handUnix = gateway()
        try handUnix.listen(unixSocket: "\(folder)/hand.sock")
        let handTCP = gateway()
        let handPort = try handTCP.listen()
        // (b) Hummingbird 2 with the same route in front of the same gateway code (no hardening of its own)
        let hbGateway = gateway()
        let hbUnix = try await HummingbirdGateway(hbGateway, address: .unixDomainSocket(path: "\(folder)/hb.sock"))
        let hbTCP = try await HummingbirdGateway(hbGateway, address: .hostname("127.0.0.1", port: 0))
        defer {
            for server in [handUnix, handTCP] { server.stop() }
            hbUnix.stop()
            hbTCP.stop()
        }

        let targets = [
            Target("hand-written, unix socket", handUnix, socket: "\(folder)/hand.sock"),
            Target("Hummingbird,  unix socket", hbGateway, socket: "\(folder)/hb.sock"),
            Target("hand-written, tcp", handTCP, port: Int(handPort)),
            Target("Hummingbird,  tcp", hbGateway, port: hbTCP.port),
        ]
        report("bench: gateway HTTP server, stub upstream; \(Self.calls) calls per client, rounds interleaved")
        for clients in [1, Self.clients] {
            var samples = Array(repeating: [Double](), count: targets.count)
            for round in -5..<Self.calls {  // the first five rounds warm up
                for (index, target) in targets.enumerated() {
                    let times = try await target.round(clients: clients)
                    if round >= 0 { samples[index] += times }
                }
            }
            for (index, target) in targets.enumerated() {
                let sorted = samples[index].sorted()
                report(
                    "bench: " + pad(target.name, 27) + pad(clients == 1 ? " sequential" : " \(clients) clients", 12)
                        + String(
                            format: " median %7.3f ms   p95 %7.3f ms   (%d calls)", percentile(sorted, 0.5),
                            percentile(sorted, 0.95), sorted.count))
            }
        }
    }

    /// What a plain Hummingbird 2 server does with three of the attacks `GatewayHardeningTests` makes on the
    /// hand-written one (figures for docs/llm.md: what a port would have to add).
    @Test(.enabled(if: benchEnabled, "set EVOLVE_BENCH_GATEWAY_HTTP=1"))
    func hummingbirdAgainstTheHardeningAttacks() async throws {
        let router = Router()
        // The token is checked from the headers and the body never touched, as the gateway's admission does.
        router.post("/v1/chat/completions") { request, _ -> Response in
            request.headers[.authorization] == "Bearer good" ? Response(status: .ok) : Response(status: .unauthorized)
        }
        router.get("/health") { _, _ in Response(status: .ok) }
        var logger = Logger(label: "evolve.bench.hummingbird")
        logger.logLevel = .error
        let (bound, announce) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: logger)
        let running = Task { try await app.run() }
        defer { running.cancel() }
        var ports = bound.makeAsyncIterator()
        let port = try #require(await ports.next().map { UInt16($0) })

        // A forged token on a gigabyte announced: how much of the body the server takes after its 401.
        let forged = try #require(RawSocket(port: port, timeout: 5))
        forged.send(GatewayHardeningTests.announce(1 << 30, token: "evk-forged"))
        let status = forged.readStatus()
        let sent = forged.push(256 << 20)
        report(
            "bench: Hummingbird, forged token + 1 GiB announced: \(status.map(String.init) ?? "no answer"), then took "
                + "\(sent >> 20) MiB of the body (hand-written: 401, connection closed, < 64 MiB)")
        // A 40 KiB header block in 100 fields (the hand-written cap is 32 KiB: 431).
        let padded = try #require(RawSocket(port: port, timeout: 5))
        padded.send(
            "GET /health HTTP/1.1\r\nHost: x\r\n"
                + String(repeating: "X-Pad: \(String(repeating: "a", count: 400))\r\n", count: 100) + "\r\n")
        report(
            "bench: Hummingbird, 40 KiB header block (100 fields): \(padded.readStatus().map(String.init) ?? "no answer") "
                + "(hand-written: 431)")
        // A client that connects and sends nothing (hand-written: dropped after 10 s).
        let silent = try #require(RawSocket(port: port, timeout: 12))
        let start = ContinuousClock.now
        let closed = silent.peerClosed()
        let waited = (ContinuousClock.now - start).components.seconds
        report(
            "bench: Hummingbird, silent client: \(closed ? "closed" : "still open") after \(waited) s "
                + "(hand-written: closed after 10 s)")
    }
}

// MARK: - One way to the gateway

/// A server under test and the client that calls it (its own, so that kept-alive connections stay with it).
private struct Target: Sendable {
    let name: String
    let requests: [EvolveLLM.HTTPRequest]
    let client = CurlTransport(maxIdleHandles: 16)

    init(_ name: String, _ gateway: Gateway, socket: String? = nil, port: Int = 0) {
        self.name = name
        let body = Data(#"{"messages": [{"role": "user", "content": "Say yes."}], "max_tokens": 1}"#.utf8)
        requests = (0..<GatewayHTTPBenchmark.clients).map { client in
            let headers = [
                "Content-Type": "application/json",
                "Authorization": "Bearer \(gateway.token(forTask: "bench/client\(client)"))",
            ]
            let url =
                socket == nil ? "http://127.0.0.1:\(port)/v1/chat/completions" : "http://gateway/v1/chat/completions"
            return EvolveLLM.HTTPRequest(method: "POST", url: url, headers: headers, body: body, unixSocketPath: socket)
        }
    }

    /// One call from each of `clients` clients at once; the milliseconds each took.
    func round(clients: Int) async throws -> [Double] {
        try await withThrowingTaskGroup(of: Double.self) { group in
            for request in requests.prefix(clients) {
                group.addTask {
                    let start = ContinuousClock.now
                    let response = try await client.send(request)
                    let elapsed = ContinuousClock.now - start
                    #expect(response.status == 200, "\(name): \(response.text)")
                    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}

/// The gateway's routes served by Hummingbird: each request's headers and body handed to `Gateway.handle`.
private final class HummingbirdGateway: Sendable {
    let port: Int
    private let running: Task<Void, Error>

    init(_ gateway: Gateway, address: BindAddress) async throws {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 8 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = await gateway.handle(
                HTTPServerRequest(
                    method: request.method.rawValue, path: request.uri.path, headers: headers,
                    body: Data(body.readableBytesView)))
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let name = HTTPFields.Element.Name(name) { fields[name] = value }
            }
            return Response(
                status: .init(code: answer.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.post("/v1/chat/completions", use: handler)
        router.get("/health", use: handler)
        var logger = Logger(label: "evolve.bench.hummingbird")
        logger.logLevel = .error
        let (bound, announce) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: ApplicationConfiguration(address: address, serverName: "evolve-bench"),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: logger)
        running = Task { try await app.run() }
        var ports = bound.makeAsyncIterator()
        port = await ports.next() ?? 0
    }

    func stop() { running.cancel() }
}

// MARK: - Figures

private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}

/// Figures go to standard error, unbuffered, so that they survive a run that is cut short.
private func report(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
