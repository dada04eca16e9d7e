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
    private let calls = Locked(0)

    init(template: String, delay: Double) {
        self.template = template
        self.delay = delay
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
        if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        let content = template.replacingOccurrences(of: "{N}", with: String(n))
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

/// Serves the stub until killed. Prints `listening on PORT` (stdout, flushed) once it accepts calls.
func serveStubModel(port: UInt16, delay: Double, answerFile: String) throws -> Never {
    let template = try String(contentsOfFile: answerFile, encoding: .utf8)
    let stub = StubModel(template: template, delay: delay)
    let server = HTTPServer { request in await stub.handle(request) }
    let bound = try server.listen(port: port)
    FileHandle.standardOutput.write(Data("listening on \(bound)\n".utf8))
    signal(SIGPIPE, SIG_IGN)
    while true { sleep(3600) }
}
