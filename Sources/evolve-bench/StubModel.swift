import EvolveLLM
import EvolveSupport
import Foundation

// MARK: - stub-llm

/// An OpenAI-compatible chat-completions server on 127.0.0.1 that answers every call with the same
/// template, `{N}` replaced by a call counter (so each answer is a new edit: a new constant), after an
/// optional delay. It stands in for a model in the overhead and concurrency benchmarks: zero latency shows
/// the engine's own cost per child, a fixed delay shows how well latency-bound work overlaps. `GET /stats`
/// tells how many chat calls it has answered.
final class StubModel: @unchecked Sendable {
    private let template: String
    private let delay: Double
    private let realistic: RealisticDraws?
    private let calls = Locked(0)

    init(template: String, delay: Double, realistic: RealisticDraws? = nil) {
        self.template = template
        self.delay = delay
        self.realistic = realistic
    }

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        if request.method == "GET" && path == "/stats" {
            return .json(200, object: ["calls": calls.current])
        }
        if request.method == "GET" && path.hasSuffix("/models") {
            return .json(200, object: ["object": "list", "data": [["id": "stub", "object": "model"]]])
        }
        guard request.method == "POST", path.hasSuffix("/chat/completions") else {
            return .json(404, object: ["error": ["message": "the stub serves POST /v1/chat/completions only"]])
        }
        let n = calls.increment()
        let draw = realistic?.draw(call: n)
        let wait = draw?.latency ?? delay
        if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        var content = template.replacingOccurrences(of: "{N}", with: String(n))
        if let draw { content = content.replacingOccurrences(of: "{SLEEP}", with: String(format: "%.3f", draw.task)) }
        let model = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["model"] as? String
        let promptTokens = max(1, request.body.count / 4)
        let completionTokens = max(1, content.utf8.count / 4)
        return .json(
            200,
            object: [
                "id": "stub-\(n)", "object": "chat.completion", "created": Int(Date().timeIntervalSince1970),
                "model": model ?? "stub",
                "choices": [
                    ["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]
                ],
                "usage": [
                    "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                    "total_tokens": promptTokens + completionTokens,
                ],
            ])
    }
}

/// The realistic benchmark's draws for call n, seeded (the same calls get the same draws in every run):
/// the model's latency from a log-normal distribution given by its median and 95th percentile, and the
/// seconds the answered agent will take on its task (`{SLEEP}` in the template), uniform in a range.
struct RealisticDraws: Sendable {
    var seed: UInt64
    var median: Double
    var p95: Double
    var taskSeconds: ClosedRange<Double>

    func draw(call n: Int) -> (latency: Double, task: Double) {
        var rng = SeededGenerator(seed: seed, UInt64(n))
        func unit() -> Double { (Double(rng.next() >> 11) + 0.5) / Double(1 << 53) }
        // Box–Muller: one standard normal from two uniforms in (0, 1).
        let z = (-2 * log(unit())).squareRoot() * cos(2 * Double.pi * unit())
        let mu = log(median)
        let sigma = (log(p95) - mu) / 1.644_853_6
        let task = taskSeconds.lowerBound + unit() * (taskSeconds.upperBound - taskSeconds.lowerBound)
        return (exp(mu + sigma * z), task)
    }
}

/// Serves the stub until killed. Prints `listening on PORT` (stdout, flushed) once it accepts calls.
func serveStubModel(port: UInt16, delay: Double, answerFile: String, realistic: RealisticDraws? = nil) throws
    -> Never
{
    let template = try String(contentsOfFile: answerFile, encoding: .utf8)
    let stub = StubModel(template: template, delay: delay, realistic: realistic)
    let server = HTTPServer { request in await stub.handle(request) }
    let bound = try server.listen(port: port)
    FileHandle.standardOutput.write(Data("listening on \(bound)\n".utf8))
    signal(SIGPIPE, SIG_IGN)
    while true { sleep(3600) }
}
