import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// `evolve eval`, `evolve report` and `evolve serve` as a user runs them: the built binary on a seed, a suite and
/// an archive from a smoke search; what it prints, the file it writes, the pages it serves and how it stops.
@Suite(
    "eval, report and serve from the command line", .serialized,
    .enabled(if: hasBubblewrap, "needs bubblewrap (scripts/setup.sh installs it)"))
struct EvalReportServeCLITests {
    static let smokeTasks = [
        "s01-add": "passed", "s02-greet": "passed", "s03-largest": "failed",
        "s04-vowels": "failed",
    ]

    @Test func evalPrintsATableThenTheSameOutcomesAsJSON() async throws {
        try await offThePool { try Self.evalOnTheSmokeSuite() }
    }

    @Test func reportWritesAnHTMLFileNamingEveryVariant() async throws {
        try await offThePool { try Self.reportOnASmokeSearch() }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func serveAnswersOverHTTPThenStopsOnASignal(_ signal: Int32) async throws {
        try await offThePool { try Self.serveASmokeSearch(thenSend: signal) }
    }

    // MARK: - eval

    static func evalOnTheSmokeSuite() throws {
        // Run in the scratch folder, so no configs/default.yaml is picked up; the suite is a copy.
        let scratch = try Scratch(prefix: "evolve-eval-cli")
        let suite = try scratch.copyFixture(smokeSuitePath, to: "suites/smoke")
        let archive = scratch.file("archive")
        #expect(try evolve(["init", "--seed", smokeAgentPath, "--archive", archive], in: scratch.path).status == 0)

        let table = try evolve(["eval", "v0", "--suite", suite, "--archive", archive], in: scratch.path)
        #expect(table.status == 0, "evolve eval: \(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "v0 on smoke")
        #expect(
            lines.dropFirst().first?.split(separator: " ").map(String.init)
                == ["TASK", "STATUS", "TIME", "TESTS", "SOURCE", "DETAIL"])
        for (task, status) in smokeTasks {
            let row = lines.first { $0.hasPrefix(task + " ") }?.split(separator: " ").map(String.init) ?? []
            #expect(row.dropFirst().first == status, "the row of \(task): \(row)")
            #expect(row.contains("ran"), "the row of \(task) should say it ran: \(row)")
        }
        #expect(lines.last?.hasPrefix("ran 4 tasks: score 0.500 (2/4 passed)") == true, "\(table.stdout)")
        #expect(table.stderr.contains("s01-add: passed"), "the live lines go to standard error: \(table.stderr)")

        // Again with --json: one object, nothing run again (the outcomes are in the archive), no live lines.
        let json = try evolve(["eval", "v0", "--suite", suite, "--json", "--archive", archive], in: scratch.path)
        #expect(json.status == 0, "evolve eval --json: \(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["variant"] as? String == "v0")
        #expect(object["suite"] as? String == "smoke")
        #expect(object["passed"] as? Int == 2 && object["suite_tasks"] as? Int == 4)
        #expect(object["ran"] as? Int == 0 && object["skipped"] as? Int == 4)
        #expect(object["score"] as? Double == 0.5)
        let rows = object["tasks"] as? [[String: Any]] ?? []
        var statuses: [String: String] = [:]
        for row in rows { statuses[row["task"] as? String ?? "?"] = row["status"] as? String }
        #expect(statuses == smokeTasks)
        #expect(rows.allSatisfy { $0["state"] as? String == "recorded" }, "\(rows)")
        #expect(!json.stderr.contains("s01-add:"), "--json prints no live lines: \(json.stderr)")
    }

    // MARK: - report

    static func reportOnASmokeSearch() throws {
        let scratch = try Scratch(prefix: "evolve-report-cli")
        let (archive, ids) = try smokeSearch(in: scratch)
        let out = scratch.file("report.html")
        let report = try evolve(["report", "--archive", archive, "--out", out])
        #expect(report.status == 0, "evolve report: \(report.stderr)")
        #expect(report.stdout.hasPrefix("Wrote "), "\(report.stdout)")
        #expect(report.stdout.contains("report.html: \(ids.count) variants, best v"), "\(report.stdout)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.lowercased().hasPrefix("<!doctype html"))
        for id in ids { #expect(html.contains("data-id=\"\(id)\""), "the report does not name \(id)") }
        // Self-contained: it loads nothing from the network.
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }

    // MARK: - serve

    static func serveASmokeSearch(thenSend signal: Int32) throws {
        let scratch = try Scratch(prefix: "evolve-serve-cli")
        let (archive, ids) = try smokeSearch(in: scratch)
        let (serve, banner) = try startServe(archive: archive, in: scratch.path)
        defer { serve.stop() }
        #expect(banner.contains("read-only at http://127.0.0.1:"), "evolve serve said: \(banner)")
        let port = try #require(
            banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "no port in: \(banner)")
        let base = "http://127.0.0.1:\(port)"

        let page = try fetch(base + "/")
        #expect(page.status == "200")
        for id in ids { #expect(page.body.contains("data-id=\"\(id)\""), "the served page does not name \(id)") }
        let variant = try fetch(base + "/variant/v1")
        #expect(variant.status == "200")
        #expect(variant.body.contains("data-id=\"v1\""), "the page of v1: \(variant.body.prefix(300))")
        let list = try fetch(base + "/api/variants")
        #expect((try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [Any])?.count == ids.count)
        #expect(try fetch(base + "/variant/v999").status == "404")

        serve.signal(signal)
        let deadline = Date().addingTimeInterval(60)
        while serve.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!serve.isRunning, "evolve serve still runs after signal \(signal)")
        #expect(try fetch(base + "/").status != "200", "the port still answers after evolve serve stopped")
    }

    // MARK: - Helpers

    /// A one-generation smoke search into `scratch`/archive; the archive's path and its variants' ids.
    static func smokeSearch(in scratch: Scratch) throws -> (archive: String, ids: [String]) {
        let archive = scratch.file("archive")
        let search = try evolve([
            "search", "--config", "configs/smoke.yaml", "--archive", archive,
            "--generations", "1",
        ])
        #expect(search.status == 0, "smoke search: \(search.stderr)")
        let list = try evolve(["list", "--json", "--archive", archive])
        let variants = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        let ids = variants.compactMap { $0["id"] as? String }
        #expect(ids.count >= 2, "the smoke search made no child: \(list.stdout)")
        return (archive, ids)
    }

    /// The first line of `handle`'s output that contains `text`, or everything read when the output ends first.
    /// Starts the built `evolve serve` on a free port and returns it with the line that says where it listens.
    /// A server that never says so is stopped after 120 s, which ends the read (the banner is then empty).
    static func startServe(archive: String, in directory: String) throws -> (Child, String) {
        let serve = try Child(
            evolveBinary, ["serve", "--archive", archive, "--port", "0"], environment: evolveEnvironment(),
            directory: directory, output: .pipe)
        let bannerRead = LockedData()
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if !bannerRead.done { serve.signal(SIGKILL) } }
        let banner = firstLine(containing: "Serving ", from: serve.output!)
        bannerRead.set(Data(banner.utf8))
        return (serve, banner)
    }

    static func firstLine(containing text: String, from handle: FileHandle) -> String {
        var seen = ""
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { return seen }
            seen += String(decoding: chunk, as: UTF8.self)
            let complete = seen[..<(seen.lastIndex(of: "\n") ?? seen.startIndex)]
            if let line = complete.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
        }
    }

    /// GET with curl: the HTTP status ("000" when nothing answered) and the body.
    static func fetch(_ url: String) throws -> (status: String, body: String) {
        let result = try shell(["curl", "-s", "--max-time", "30", "-w", "\n%{http_code}", url])
        let status = result.out.split(separator: "\n").last.map(String.init) ?? ""
        return (status, String(result.out.dropLast(status.count)))
    }
}
