import EvolveArchive
import EvolveLLM
import EvolveSupport
import EvolveTasks
import Foundation

/// `llm`: a model (the meta-agent) reads the parent and writes an edit of its source.
///
/// The prompt holds the parent's failed tasks (statements and the end of their logs), its source ranked by
/// relevance within a byte cap, and the archive around it (the best variants and the most different ones,
/// as in ADAS); for a weak model with the whole-file format it holds only the file the focus task names,
/// that task and its failure. Children of one parent focus on different failed tasks (chosen with the
/// request's seed). The answer is parsed in the configured edit format (`EditApplier`); an optional
/// reflexion round shows the model its edit with the parse error, or asks it to check its work, and takes the
/// revised answer. A failed model call, an unparseable or non-applying answer: an invalid child with the
/// reason and the raw answer, never a throw.
public struct LLMOperator: MutationOperator {
    public let name = OperatorKind.llm.rawValue
    public let arity = 1

    public let provider: any LLMProvider
    public let format: EditFormat
    /// The model to ask for; nil uses the provider's.
    public let model: String?
    public let temperature: Double?
    public let maxTokens: Int?
    /// Extra rounds after the first answer (0: none).
    public let reflexionRounds: Int
    /// Bytes of source shown in a full prompt.
    public let sourceCap: Int
    /// Answers over this many bytes are refused.
    public let answerCap: Int
    public let style: PromptStyle
    /// Overrides the request's suites folder when set.
    public let suitesDirectory: String?
    public let prices: PriceTable
    public let recorder: (any CallRecorder)?

    public static let defaultSourceCap = 48 * 1024

    public init(
        provider: any LLMProvider, format: EditFormat = .wholeFile, model: String? = nil, temperature: Double? = nil,
        maxTokens: Int? = nil, reflexionRounds: Int = 0, sourceCap: Int = LLMOperator.defaultSourceCap,
        answerCap: Int = EditApplier.defaultAnswerCap, style: PromptStyle = .auto, suitesDirectory: String? = nil,
        prices: PriceTable = PriceTable(), recorder: (any CallRecorder)? = nil
    ) {
        self.provider = provider
        self.format = format
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.reflexionRounds = max(0, reflexionRounds)
        self.sourceCap = max(1024, sourceCap)
        self.answerCap = answerCap
        self.style = style
        self.suitesDirectory = suitesDirectory
        self.prices = prices
        self.recorder = recorder
    }

    // MARK: - Making a child

    public func mutate(_ request: MutationRequest) async throws -> MutationResult {
        let parent = request.parents[0]
        let archive = request.archive
        let source = try AgentSource.load(parent, from: archive)
        let report = try ParentReport.load(
            archive: archive, tree: parent.tree, suites: request.suites,
            suitesDirectory: suitesDirectory ?? request.suitesDirectory)
        let prompt = try self.prompt(for: parent, source: source, report: report, request: request)
        // A focused prompt asks for the whole file, whatever the configured format.
        let applier = EditApplier(
            format: prompt.focusFile == nil ? format : .wholeFile, answerCap: answerCap, focusFile: prompt.focusFile)
        let caller = recorder.map {
            RecordingProvider(
                provider, recorder: $0, taskKey: TaskKey.metaAgent(child: request.key).description, prices: prices)
        }

        var messages = prompt.messages
        var info = MutationInfo(summary: summary(prompt, edit: nil), model: model ?? provider.model)
        var answers: [String] = []
        var accepted: AppliedEdit?
        var lastFailure: EditFailure?

        for round in 0...reflexionRounds {
            let response: ChatResponse
            do {
                response = try await (caller ?? provider).complete(
                    ChatRequest(messages: messages, model: model, temperature: temperature, maxTokens: maxTokens))
            } catch {
                if Self.isCancellation(error) { throw error }
                let said = (error as? EvolveError)?.message ?? "\(error)"
                if let accepted {
                    info.summary = summary(prompt, edit: accepted) + " (reflexion call failed: \(said))"
                    return .tree(accepted.tree, info)
                }
                info.rawAnswer = Self.transcript(answers)
                return .invalid(reason: "the model call failed: \(said)", info)
            }
            info.costUSD += prices.cost(model: response.model, usage: response.usage, provider: provider.kind)
            info.model = response.model.isEmpty ? info.model : response.model
            answers.append(response.content)

            if round > 0, accepted != nil, Self.keepsEdit(response.content) { break }
            switch try applier.apply(response.content, to: source, archive: archive) {
            case .success(let edit):
                accepted = edit
                lastFailure = nil
            case .failure(let failure):
                if accepted != nil { break }  // a worse second answer does not undo a good first one
                lastFailure = failure
            }
            guard round < reflexionRounds else { break }
            messages.append(.assistant(Self.clip(response.content, answerCap)))
            messages.append(.user(reflexion(after: lastFailure, prompt: prompt)))
        }

        if let accepted {
            info.summary = summary(prompt, edit: accepted)
            return .tree(accepted.tree, info)
        }
        info.rawAnswer = Self.transcript(answers.map { Self.clip($0, answerCap) })
        return .invalid(reason: lastFailure?.reason ?? "no edit found in the answer", info)
    }

    // MARK: - Prompts

    func prompt(for parent: Variant, source: AgentSource, report: ParentReport, request: MutationRequest) throws
        -> MetaPrompt
    {
        let focus = report.focus(seed: request.seed)
        if style != .full, let focus, style == .focused || format == .wholeFile {
            let named = source.files(namedIn: focus.statement ?? "")
            let file = named.first ?? (style == .focused ? source.files(namedIn: focus.log).first : nil)
            if let file, file.size <= sourceCap { return MetaPrompt.focused(file: file, failure: focus) }
        }
        let runLine = source.file("agent.yaml").flatMap { try? AgentManifest.parse($0.contents).run }
        let digest = try ArchiveDigest.build(archive: request.archive, parent: parent, suites: request.suites)
        return MetaPrompt.full(
            parent: parent, source: source, report: report, focus: focus, digest: digest, runLine: runLine,
            format: format, sourceCap: sourceCap)
    }

    /// The next user turn of a reflexion round.
    func reflexion(after failure: EditFailure?, prompt: MetaPrompt) -> String {
        let again: String
        if let file = prompt.focusFile {
            again = "the corrected \(file) in full, in one ```\(MetaPrompt.language(of: file)) block"
        } else {
            again = "the complete corrected edit, in the same format, against the original files shown above"
        }
        if let failure {
            return "Your edit could not be used: \(failure.reason).\n\nAnswer again with \(again)."
        }
        var text = "Check your edit"
        if let focus = prompt.focus { text += " against the failed task \(focus.key)" }
        text += ": does it fix the failure without breaking what works? If it is right, reply with exactly "
        text += "NO CHANGES. Otherwise reply with \(again)."
        return text
    }

    private func summary(_ prompt: MetaPrompt, edit: AppliedEdit?) -> String {
        var text = "llm"
        if let edit {
            let files = edit.paths.prefix(3).joined(separator: ", ") + (edit.paths.count > 3 ? " …" : "")
            text += " edit of \(files)"
        }
        if let focus = prompt.focus { text += " for \(focus.key)" }
        return text + " (\(prompt.focusFile == nil ? format : .wholeFile))"
    }

    // MARK: - Helpers

    static func keepsEdit(_ answer: String) -> Bool {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        return text.count < 80 && text.contains("NO CHANGES") && !text.contains("```")
    }

    static func isCancellation(_ error: any Error) -> Bool {
        if error is CancellationError || Task.isCancelled { return true }
        return (error as? EvolveError)?.kind == .interrupted
    }

    static func clip(_ text: String, _ cap: Int) -> String {
        guard text.utf8.count > cap else { return text }
        let head = String(decoding: Array(text.utf8.prefix(cap)), as: UTF8.self)
        return head + "\n[… \(text.utf8.count - cap) more bytes cut …]"
    }

    static func transcript(_ answers: [String]) -> String? {
        switch answers.count {
        case 0: return nil
        case 1: return answers[0]
        default:
            return answers.enumerated().map { "=== answer \($0.offset + 1) of \(answers.count) ===\n\($0.element)" }
                .joined(separator: "\n")
        }
    }
}
