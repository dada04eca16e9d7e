import EvolveSupport
import Foundation

// MARK: - Chat completions through the gateway

extension Gateway {
    func chat(_ http: HTTPServerRequest, task: String) async -> HTTPServerResponse {
        let request: ChatRequest
        let stream: Bool
        do {
            request = try JSONDecoder().decode(ChatRequest.self, from: http.body)
            let object = try JSONSerialization.jsonObject(with: http.body) as? [String: Any]
            stream = object?["stream"] as? Bool ?? false
        } catch {
            return Self.error(
                400, "the body is not a chat completion request: \(Self.decodingReason(error))",
                type: "invalid_request_error")
        }
        guard !request.messages.isEmpty else {
            return Self.error(400, "messages is empty: send at least one message", type: "invalid_request_error")
        }

        // An extension asked for with the header or in the model's last reply, before the budget check.
        var extensionNote: [String: Any]?
        if http.headers[Self.extensionHeader.lowercased()] != nil {
            extensionNote = describe(ledger.extend(task, messageKey: nil))
        } else if let asked = Self.extensionAsk(in: request.messages) {
            let outcome = ledger.extend(task, messageKey: asked)
            logger.info("extension asked for in a reply", metadata: ["task": "\(task)", "outcome": "\(outcome)"])
            if outcome != .alreadyGranted { extensionNote = describe(outcome) }
        }

        let turn: Int
        let maxTokens: Int
        let reserved: Int
        let promptTokens = Self.promptEstimate(bodyBytes: http.body.count)
        switch ledger.admit(
            task, costLimit: costLimitUSD, promptTokens: promptTokens,
            maxTokens: max(1, request.maxTokens ?? defaultMaxTokens))
        {
        case .refused(let reason):
            logger.info("gateway refused a call", metadata: ["task": "\(task)", "reason": "\(reason)"])
            let usage = usage(forTask: task)
            let more =
                (usage?.extensionsLeft ?? 0) > 0
                ? " Ask for more turns with the header \(Self.extensionHeader): 1, by POST /v1/evolve/extension, "
                    + "or by writing \(Self.extensionMarker) in a reply."
                : " No extensions are left: finish the task with what you have."
            var extra: [String: Any] = ["evolve_turns_left": 0]
            if let extensionNote { extra["evolve"] = ["extension": extensionNote] }
            return Self.error(403, reason + "." + more, type: "budget_exceeded", code: "budget_exhausted", extra: extra)
        case .admitted(let number, let output, let held):
            turn = number
            maxTokens = output
            reserved = held
        }

        let forwarded = Self.normalize(request, maxTokens: maxTokens)
        let started = Date()
        let response: ChatResponse
        do {
            response = try await provider.complete(forwarded)
        } catch {
            ledger.refund(task, reserved: reserved)
            let reason = (error as? EvolveError)?.message ?? "\(error)"
            logger.warning("the provider failed a gateway call", metadata: ["task": "\(task)", "reason": "\(reason)"])
            await recorder?.record(
                .failure(
                    taskKey: task, turn: turn, provider: provider.kind, model: provider.model, request: forwarded,
                    error: reason, latency: -started.timeIntervalSinceNow, startedAt: started))
            return Self.error(
                502, "the model provider failed: \(reason)", type: "upstream_error", code: "provider_error")
        }

        let cost = prices.cost(model: response.model, usage: response.usage, provider: provider.kind)
        let usage = ledger.settle(task, usage: response.usage, cost: cost, reserved: reserved)
        await recorder?.record(
            .success(
                taskKey: task, turn: turn, provider: provider.kind, request: forwarded, response: response,
                cost: cost, startedAt: started))

        let turnsLeft = usage?.turnsLeft ?? 0
        var content = response.content
        var reminder: String?
        if let usage, turnsLeft <= usage.turnLimit, turnsLeft <= (ledger.budget(task)?.reminderWithin ?? 0) {
            let text = Self.reminder(turnsLeft: turnsLeft, usage: usage)
            reminder = text
            content += "\n\n" + text
        }
        var evolve: [String: Any] = [
            "task": task, "turn": turn, "turns_left": turnsLeft, "turn_limit": usage?.turnLimit ?? 0,
            "tokens_used": usage?.tokensUsed ?? 0, "tokens_left": usage?.tokensLeft ?? 0,
            "token_limit": usage?.tokenLimit ?? 0, "extensions_left": usage?.extensionsLeft ?? 0,
            "cost_usd": cost,
        ]
        if let reminder { evolve["reminder"] = reminder }
        if let extensionNote { evolve["extension"] = extensionNote }
        let headers = [
            "X-Evolve-Turns-Left": String(turnsLeft), "X-Evolve-Tokens-Left": String(usage?.tokensLeft ?? 0),
        ]
        let id = "chatcmpl-evolve-\(callNumbers.next())"
        let created = Int(Date().timeIntervalSince1970)
        let usageObject: [String: Any] = [
            "prompt_tokens": response.usage.inputTokens, "completion_tokens": response.usage.outputTokens,
            "total_tokens": response.usage.totalTokens,
        ]
        let finish = response.finishReason ?? "stop"
        if stream {
            return Self.eventStream(
                id: id, created: created, model: response.model, content: content, finish: finish,
                usage: usageObject, turnsLeft: turnsLeft, evolve: evolve, headers: headers)
        }
        return .json(
            200,
            object: [
                "id": id, "object": "chat.completion", "created": created, "model": response.model,
                "choices": [
                    ["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": finish]
                ],
                "usage": usageObject, "evolve_turns_left": turnsLeft, "evolve": evolve,
            ],
            headers: headers)
    }

    // MARK: - Extensions

    func extensionEndpoint(task: String) -> HTTPServerResponse {
        let outcome = ledger.extend(task, messageKey: nil)
        let usage = usage(forTask: task)
        var object = describe(outcome)
        object["turns_left"] = usage?.turnsLeft ?? 0
        object["tokens_left"] = usage?.tokensLeft ?? 0
        if case .refused = outcome { return .json(403, object: object) }
        return .json(200, object: object)
    }

    private func describe(_ outcome: BudgetLedger.Extension) -> [String: Any] {
        switch outcome {
        case .granted(let turns, let tokens): ["granted": true, "turns": turns, "tokens": tokens]
        case .refused(let reason): ["granted": false, "reason": reason]
        case .alreadyGranted: ["granted": false, "reason": "this request was already granted"]
        }
    }

    /// A key for the model's last reply when it asks for an extension (the gateway's own reminder removed).
    static func extensionAsk(in messages: [ChatMessage]) -> String? {
        guard let last = messages.last(where: { $0.role == "assistant" }) else { return nil }
        var text = last.content
        if let reminder = text.range(of: reminderPrefix, options: .backwards) {
            text = String(text[..<reminder.lowerBound])
        }
        guard text.contains(extensionMarker) else { return nil }
        return SHA256.hex(last.content)
    }

    static func reminder(turnsLeft: Int, usage: TaskUsage) -> String {
        var text = "\(reminderPrefix) \(turnsLeft) turns left of \(usage.turnLimit)"
        text += turnsLeft == 0 ? ": this was the last answer." : ". Wrap up: make your last edits and finish."
        if usage.extensionsLeft > 0 {
            text += " If you need more turns, write \(extensionMarker) in your reply."
        }
        return text
    }

    // MARK: - Request shaping

    /// A prompt's tokens, estimated from its request body so as not to be low: a token of text is rarely
    /// shorter than 3 bytes, and the body also holds JSON the model never sees.
    static func promptEstimate(bodyBytes: Int) -> Int { (bodyBytes + 2) / 3 }

    /// The request as the provider gets it: the configured model, roles it knows, and `max_tokens` as
    /// admitted (what was asked for or the default, lowered to what the task has left).
    static func normalize(_ request: ChatRequest, maxTokens: Int) -> ChatRequest {
        var forwarded = request
        forwarded.model = nil
        forwarded.messages = request.messages.map { message in
            switch message.role {
            case "system", "user", "assistant": message
            case "developer": ChatMessage(role: "system", content: message.content)
            default: ChatMessage(role: "user", content: message.content)
            }
        }
        forwarded.maxTokens = maxTokens
        return forwarded
    }

    static func decodingReason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "\(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case DecodingError.dataCorrupted: "it is not valid JSON"
        default: "\(error)"
        }
    }

    /// The answer as server-sent events, for clients that asked for `stream: true`: one chunk with the
    /// whole text, one with the finish reason and usage, then `[DONE]`.
    static func eventStream(
        id: String, created: Int, model: String, content: String, finish: String, usage: [String: Any],
        turnsLeft: Int, evolve: [String: Any], headers: [String: String]
    ) -> HTTPServerResponse {
        let first: [String: Any] = [
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [["index": 0, "delta": ["role": "assistant", "content": content], "finish_reason": NSNull()]],
        ]
        let last: [String: Any] = [
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [["index": 0, "delta": [String: Any](), "finish_reason": finish]], "usage": usage,
            "evolve_turns_left": turnsLeft, "evolve": evolve,
        ]
        var body = Data()
        for chunk in [first, last] {
            body.append(Data("data: ".utf8))
            body.append((try? JSONSerialization.data(withJSONObject: chunk, options: [.sortedKeys])) ?? Data())
            body.append(Data("\n\n".utf8))
        }
        body.append(Data("data: [DONE]\n\n".utf8))
        var all = headers
        all["Content-Type"] = "text/event-stream"
        all["Cache-Control"] = "no-cache"
        return HTTPServerResponse(status: 200, headers: all, body: body)
    }
}
