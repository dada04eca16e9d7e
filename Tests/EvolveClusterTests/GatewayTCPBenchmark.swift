import EvolveLLM
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// Figures for scripts/bench-gateway-tcp.sh: the cost per gateway call of the TCP path a node uses (its
/// relay's Unix socket → TCP → the gateway) against the gateway's own Unix socket, over a stub model that
/// answers at once. Skipped unless EVOLVE_BENCH is set; prints lines that start with "bench-gateway-tcp:"
/// and asserts only that every call succeeded.
@Suite(
    "Gateway TCP benchmark",
    .enabled(
        if: ProcessInfo.processInfo.environment["EVOLVE_BENCH"] != nil,
        "set EVOLVE_BENCH=1 (scripts/bench-gateway-tcp.sh)"))
struct GatewayTCPBenchmark {
    static let calls = Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_CALLS"] ?? "") ?? 300

    @Test func perCallOverheadOfTheNodeRelayOverTCP() async throws {
        let scratch = try Scratch()
        let gateway = Gateway(provider: CountingProvider(), budget: TaskBudget(turns: 1_000_000))
        let local = Gateway(provider: CountingProvider(), budget: TaskBudget(turns: 1_000_000))
        defer {
            gateway.stop()
            local.stop()
        }
        let access = try local.serve(in: scratch.file("local"))
        let port = try gateway.listen(host: "127.0.0.1", port: 0)
        let relay = try NodeGatewayRelay(
            to: StepGateway(host: "127.0.0.1", port: port, socketInSandbox: "/run/evolve/gateway.sock"),
            temporaryFolder: scratch.path)
        defer { relay.stop() }
        let body = Data(#"{"model": "stub", "messages": [{"role": "user", "content": "Say yes."}]}"#.utf8)
        func request(_ token: String, socket: String?, url: String, close: Bool) -> HTTPRequest {
            var headers = ["Content-Type": "application/json", "Authorization": "Bearer \(token)"]
            if close { headers["Connection"] = "close" }  // a new connection per call, as urllib makes
            return HTTPRequest(method: "POST", url: url, headers: headers, body: body, unixSocketPath: socket)
        }
        let unixURL = "http://gateway/v1/chat/completions"
        let tcpURL = "http://127.0.0.1:\(port)/v1/chat/completions"
        let localToken = access.tokenForTask("bench/t")
        let token = gateway.token(forTask: "bench/t")
        var routes: [(String, HTTPRequest)] = []
        for close in [false, true] {
            let kind = close ? "new connection per call" : "kept-alive connection"
            routes += [
                ("unix socket, \(kind)", request(localToken, socket: access.socketPath, url: unixURL, close: close)),
                ("node relay -> TCP, \(kind)", request(token, socket: relay.socketPath, url: unixURL, close: close)),
                ("TCP, no relay, \(kind)", request(token, socket: nil, url: tcpURL, close: close)),
            ]
        }
        let client = CurlTransport()
        for _ in 0..<10 { for (_, r) in routes { _ = try await client.send(r) } }  // warm up
        var samples: [String: [Double]] = [:]
        for _ in 0..<Self.calls {
            for (name, r) in routes {  // interleaved: drift on a shared machine hits every route alike
                let start = ContinuousClock.now
                let response = try await client.send(r)
                let elapsed = start.duration(to: .now)
                samples[name, default: []].append(
                    Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                #expect(response.status == 200, "\(name): \(response.text)")
            }
        }
        print("bench-gateway-tcp: \(Self.calls) calls per route, stub model, interleaved")
        for (index, (name, _)) in routes.enumerated() {
            // Against the unix socket with the same kind of connection: the median of per-round differences.
            let paired = zip(samples[name]!, samples[routes[index / 3 * 3].0]!).map { $0 - $1 }
            let figures = String(
                format: " median %6.3f ms  p90 %6.3f ms  against the unix socket %+6.3f ms",
                Self.percentile(samples[name]!, 0.5), Self.percentile(samples[name]!, 0.9),
                Self.percentile(paired, 0.5))
            print("bench-gateway-tcp:   " + name.padding(toLength: 48, withPad: " ", startingAt: 0) + figures)
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
}
