import EvolveArchive
import EvolveReport
import EvolveSupport
import Foundation
import Hummingbird
import Logging

/// `evolve serve`: the report's views over HTTP, live while a search writes to the archive.
///
/// Read-only by construction: every request opens the archive afresh without repair and only reads.
/// Routes:
///
///     GET /                     the report page; it polls /api/state and redraws on a change
///     GET /api/state            {"variants", "fingerprint", "latest_update", "best", "best_score"}
///     GET /api/report           the page's <main> for the current archive (what a redraw swaps in)
///     GET /api/variants         every variant as JSON (the fields of `evolve list --json`)
///     GET /variant/<id>         one variant: metadata, outcomes with logs, diff, LLM transcripts
///                               (?fragment=1: just the panel, which is what a click fetches)
///     GET /api/variant/<id>     the same as JSON
public struct ReportServer: Sendable {
    public var options: ServeOptions
    public var logger: Logger
    let cache = PageCache()

    public init(options: ServeOptions, logger: Logger = Logger(label: "evolve.serve")) {
        self.options = options
        self.logger = logger
    }

    /// Serves until the task is cancelled. `onRunning` receives the bound port (useful with port 0).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // Fail early, with the archive's own message, when there is nothing to serve.
        _ = try openArchive()
        let app = Application(
            router: router(),
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "evolve"),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        try await app.run()
    }

    // MARK: - Routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let server = self
        router.get("/") { _, _ -> Response in
            let page = try await server.cache.page(for: server.archivePath, live: server.liveOptions, whole: true)
            return Self.html(page)
        }
        router.get("/api/state") { _, _ -> Response in
            try Self.json(server.stateJSON())
        }
        router.get("/api/report") { _, _ -> Response in
            let body = try await server.cache.page(for: server.archivePath, live: server.liveOptions, whole: false)
            return Self.html(body)
        }
        router.get("/api/variants") { _, _ -> Response in
            let variants = try server.openArchive().allVariants()
            var json = JSONWriter(capacity: variants.count * 400)
            json.beginArray()
            for v in variants { v.writeJSON(into: &json) }
            json.endArray()
            return Self.json(json.output)
        }
        router.get("/variant/:id") { request, context -> Response in
            let detail = try server.detail(context.parameters.get("id") ?? "")
            let fragment = detail.html(maxDiffLines: 2000, liveHint: true)
            if request.uri.queryParameters.get("fragment") == "1" { return Self.html(fragment) }
            return Self.html(VariantPage.render(detail, fragment: fragment))
        }
        router.get("/api/variant/:id") { _, context -> Response in
            try Self.json(server.detail(context.parameters.get("id") ?? "").json())
        }
        return router
    }

    var archivePath: String { options.archivePath }
    var liveOptions: ReportOptions {
        ReportOptions(live: true, pollSeconds: options.pollSeconds, objectiveViews: options.objectiveViews)
    }

    /// A fresh, read-only view of the archive (no repair: serving never writes).
    func openArchive() throws -> Archive {
        try Archive.open(at: options.archivePath, repair: false)
    }

    func stateJSON() throws -> String {
        let archive = try openArchive()
        let stamp = try archive.stamp()
        let best = try archive.bestVariants(limit: 1).first
        var json = JSONWriter()
        json.beginObject()
        json.field("variants", stamp.variants)
        json.field("evaluations", stamp.evaluations)
        json.field("llm_calls", stamp.llmCalls)
        json.field("fingerprint", stamp.fingerprint)
        json.field("latest_update", stamp.latestUpdate)
        json.field("best", best?.id.description)
        json.field("best_score", best?.score)
        json.endObject()
        return json.output
    }

    func detail(_ text: String) throws -> VariantDetail {
        guard let id = VariantID(parsing: text) else {
            throw HTTPError(.badRequest, message: "'\(text)' is not a variant id (they look like v12)")
        }
        let archive = try openArchive()
        do {
            _ = try archive.variant(id)
        } catch {
            throw HTTPError(.notFound, message: "there is no variant \(id) in this archive")
        }
        return try VariantDetail.load(from: archive, id: id)
    }

    // MARK: - Responses

    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The last page drawn, kept until the archive's stamp changes (a poll every few seconds then costs
/// one small query, not a redraw).
actor PageCache {
    private var fingerprint: String?
    private var page = ""
    private var body = ""

    func page(for path: String, live: ReportOptions, whole: Bool) throws -> String {
        let archive = try Archive.open(at: path, repair: false)
        let stamp = try archive.stamp()
        if stamp.fingerprint != fingerprint {
            let data = try ReportData.load(from: archive, options: live)
            body = ReportPage.body(data, options: live)
            page = ReportPage.render(data, options: live)
            fingerprint = stamp.fingerprint
        }
        return whole ? page : body
    }
}
