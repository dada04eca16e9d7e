import EvolveLLM
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

// Figures for scripts/bench-gateway.sh. Runs only with EVOLVE_BENCH_GATEWAY=1 and the local model installed;
// prints lines that start with "bench:" and asserts only that every call succeeded (never a time).

private let benchEnabled = ProcessInfo.processInfo.environment["EVOLVE_BENCH_GATEWAY"] == "1"
/// `stub` measures against an in-process stub server instead of llama-server (overhead figures only).
private let benchStub = ProcessInfo.processInfo.environment["EVOLVE_BENCH_UPSTREAM"] == "stub"
private let benchModel = try? LocalModelFiles.locate()

@Suite("Gateway benchmark", .serialized)
struct GatewayBenchmark {
    static var calls: Int { Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_CALLS"] ?? "") ?? 60 }

    @Test(
        .enabled(
            if: benchEnabled && (benchModel != nil || benchStub),
            "set EVOLVE_BENCH_GATEWAY=1 with the local model installed"))
    func overheadAndThroughput() async throws {
        let server: Upstream
        if benchStub {
            server = try StubUpstream()
            report("bench: upstream                                an in-process stub server (not llama-server)")
        } else {
            let local = LocalModelServer(files: try #require(benchModel))
            try await local.start()
            server = local
            report("bench: upstream                                llama-server, \(LocalModelFiles.modelFileName)")
        }
        defer { server.stop() }
        let direct = OpenAICompatibleProvider(
            baseURL: server.baseURL, model: "smollm2-135m", apiKey: nil, keyVariable: nil, kind: .local,
            temperature: 0, retry: .none, transport: CurlTransport())
        let gateway = Gateway(provider: direct, recorder: InMemoryCallRecorder(), budget: TaskBudget(turns: 1_000_000))
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-bench-gw")
        defer {
            gateway.stop()
            Files.removeTree(folder)
        }
        let access = try gateway.serve(in: folder)
        let token = access.tokenForTask("bench/overhead")
        let client = CurlTransport()

        // The relay, as inside a sandbox, in front of the socket (running a command that just waits).
        let relayPort = try HTTPServer.freePort()
        let python = access.relayScriptPath.hasSuffix(".py")
        let relay = try Child(
            python ? "/usr/bin/python3" : access.relayScriptPath,
            (python ? [access.relayScriptPath] : []) + [
                access.socketPath, String(relayPort), "--", "/bin/sleep", "3600",
            ])
        defer {
            relay.signal(SIGTERM)  // the relay passes SIGTERM on to its command and exits with it
            for _ in 0..<100 where relay.isRunning { usleep(20_000) }
            relay.stop()
        }

        // MARK: overhead: one-token answers to one short prompt (the server's prompt cache makes them quick)
        let tiny = Data(
            #"{"messages": [{"role": "user", "content": "Say yes."}], "max_tokens": 1, "temperature": 0}"#.utf8)
        let headers = ["Content-Type": "application/json", "Authorization": "Bearer \(token)"]
        let routes: [(String, HTTPRequest)] = [
            (
                "direct",
                HTTPRequest(method: "POST", url: "\(server.baseURL)/chat/completions", headers: headers, body: tiny)
            ),
            (
                "gateway (unix socket)",
                HTTPRequest(
                    method: "POST", url: "http://gateway/v1/chat/completions", headers: headers, body: tiny,
                    unixSocketPath: access.socketPath)
            ),
            (
                "gateway via relay (tcp)",
                HTTPRequest(
                    method: "POST", url: "http://127.0.0.1:\(relayPort)/v1/chat/completions", headers: headers,
                    body: tiny)
            ),
        ]
        try await waitForRelay(client, port: relayPort)
        var samples: [String: [Double]] = [:]
        for _ in 0..<5 { for (_, request) in routes { _ = try await client.send(request) } }  // warm up
        for _ in 0..<Self.calls {
            for (name, request) in routes {  // interleaved, so drift in the server hits all routes alike
                let start = ContinuousClock.now
                let response = try await client.send(request)
                samples[name, default: []].append(milliseconds(since: start))
                #expect(response.status == 200, "\(name): \(response.text)")
            }
        }
        let directSamples = samples["direct"]!
        report("bench: calls per route                         \(Self.calls) (one-token answers, interleaved)")
        for (name, _) in routes {
            let m = median(samples[name]!)
            // The overhead is the median of the per-round differences to the direct call of the same round,
            // which cancels most of the drift of a shared machine.
            let paired = zip(samples[name]!, directSamples).map { $0 - $1 }
            let overhead =
                name == "direct"
                ? "" : String(format: "  overhead (median of paired differences) %+.3f ms", median(paired))
            report("bench: median latency " + pad(name, 24) + String(format: " %7.3f ms", m) + overhead)
        }

        // MARK: throughput: two agents at once (llama-server's two slots), 64-token answers
        let prompt = "Write a short Python function that returns the sum of a list of numbers, with a docstring."
        let body = try JSONSerialization.data(withJSONObject: [
            "messages": [["role": "user", "content": prompt]], "max_tokens": 64, "temperature": 0.7,
        ])
        let perAgent = max(4, Self.calls / 8)
        for (name, viaGateway) in [("direct", false), ("gateway", true)] {
            let start = ContinuousClock.now
            let tokens = try await withThrowingTaskGroup(of: Int.self) { group in
                for agent in 0..<2 {
                    group.addTask {
                        var total = 0
                        let agentToken = access.tokenForTask("bench/agent\(agent)")
                        for _ in 0..<perAgent {
                            let request =
                                viaGateway
                                ? HTTPRequest(
                                    method: "POST", url: "http://gateway/v1/chat/completions",
                                    headers: [
                                        "Content-Type": "application/json", "Authorization": "Bearer \(agentToken)",
                                    ],
                                    body: body, timeout: 120, unixSocketPath: access.socketPath)
                                : HTTPRequest(
                                    method: "POST", url: "\(server.baseURL)/chat/completions",
                                    headers: ["Content-Type": "application/json"], body: body, timeout: 120)
                            let response = try await client.send(request)
                            let usage = jsonObject(response.body)["usage"] as? [String: Any]
                            total += usage?["completion_tokens"] as? Int ?? 0
                        }
                        return total
                    }
                }
                return try await group.reduce(0, +)
            }
            let seconds = milliseconds(since: start) / 1000
            #expect(tokens > 0)
            report(
                "bench: throughput " + pad(name, 8)
                    + String(
                        format: " 2 agents x %d calls: %8.1f generated tokens/s, %8.1f calls/min", perAgent,
                        Double(tokens) / seconds, Double(2 * perAgent) / seconds * 60))
        }
    }

    private func waitForRelay(_ client: CurlTransport, port: UInt16) async throws {
        for _ in 0..<100 {
            if let answer = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/health", timeout: 1)),
                answer.status == 200
            {
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("the relay did not come up on port \(port)")
    }
}

private func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

/// Figures go to standard error, unbuffered, so that they survive a run that is cut short.
private func report(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

// MARK: - Upstreams

private protocol Upstream: Sendable {
    var baseURL: String { get }
    func stop()
}

extension LocalModelServer: Upstream {}

/// Answers every chat request at once with a fixed completion, as a fast stand-in for llama-server.
private final class StubUpstream: Upstream, Sendable {
    let server: HTTPServer

    init() throws {
        server = HTTPServer { request in
            let maxTokens = (jsonObject(request.body)["max_tokens"] as? Int) ?? 1
            let words = Array(repeating: "word", count: maxTokens).joined(separator: " ")
            return StubServer.completion(words, promptTokens: 12, completionTokens: maxTokens)
        }
        try server.listen()
    }

    var baseURL: String { "\(server.baseURL)/v1" }
    func stop() { server.stop() }
}
