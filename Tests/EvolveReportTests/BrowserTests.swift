import EvolveArchive
import EvolveReport
import EvolveServe
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A server on a free loopback port for the duration of `body`.
func withServer<T>(archive: String, _ body: (Int) async throws -> T) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let server = ReportServer(options: ServeOptions(archivePath: archive, host: "127.0.0.1", port: 0, pollSeconds: 1))
    let task = Task { try await server.run { continuation.yield($0) } }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    let port = try #require(await iterator.next())
    return try await body(port)
}

/// GET on loopback: status and body.
func get(_ url: String) async throws -> (Int, String) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

/// The DOM of a page in headless Chromium must show what a person would see. `?select=vN` is treated
/// by the page's script exactly like a click on node vN (the same function runs).
@Suite(
    "The report and the live view in a browser", .serialized,
    .enabled(if: Chromium.available, "needs Debian's chromium at /usr/bin/chromium"))
struct BrowserTests {
    @Test("the report file: plots, one node per variant, a click shows the diff")
    func reportInChromium() async throws {
        let scratch = try Scratch()
        let made = try DemoArchive.make(at: scratch.path + "/archive", variants: 60)
        let file = scratch.path + "/report.html"
        try ReportService().write(archivePath: scratch.path + "/archive", to: file)

        let dom = try await Chromium.dumpDOM("file://\(file)?select=\(made.child)", budgetMS: 2000)
        #expect(count("<svg class=\"chart\"", in: dom) == 3)
        #expect(dom.contains("<svg class=\"heatmap\""))
        let tree = slice(dom, from: "<svg class=\"tree\"", to: "</svg>")
        #expect(count("<circle class=\"node", in: tree) == made.variants)
        // The click opened the panel on the child, with its diff against its parent.
        let panel = slice(dom, from: "<aside id=\"panel\"", to: "</aside>")
        #expect(panel.contains("class=\"open\""))
        #expect(panel.contains("data-id=\"\(made.child)\""))
        #expect(panel.contains("<span class=\"da\">+hint_"))
        #expect(tree.contains("selected\" data-id=\"\(made.child)\""))

        let png = scratch.path + "/report.png"
        try await Chromium.screenshot("file://\(file)", to: png, size: "1400,2000", budgetMS: 1000)
        let size = try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int ?? 0
        #expect(size > 20_000)
    }

    @Test("evolve serve: the page draws the tree, a click fetches the variant with its diff, changes show")
    func serveInChromium() async throws {
        let scratch = try Scratch()
        let path = scratch.path + "/archive"
        let made = try DemoArchive.make(at: path, variants: 50)
        try await withServer(archive: path) { port in
            let base = "http://127.0.0.1:\(port)"
            let dom = try await Chromium.dumpDOM("\(base)/?select=\(made.child)", budgetMS: 5000)
            let tree = slice(dom, from: "<svg class=\"tree\"", to: "</svg>")
            #expect(count("<circle class=\"node", in: tree) == made.variants)
            #expect(count("<svg class=\"chart\"", in: dom) == 3)
            // The page polled the server…
            #expect(dom.contains("class=\"status live-ok\""))
            // …and the click fetched the variant: metadata, outcomes with logs, diff, transcript.
            let panel = slice(dom, from: "<aside id=\"panel\"", to: "</aside>")
            #expect(panel.contains("data-id=\"\(made.child)\""))
            #expect(panel.contains("Outcomes on pyfix:"))
            #expect(panel.contains("<span class=\"da\">+hint_"))
            #expect(panel.contains("SEARCH/REPLACE"))

            // What a click fetches, directly.
            let (status, fragment) = try await get("\(base)/variant/\(made.child)?fragment=1")
            #expect(status == 200)
            #expect(fragment.contains("<span class=\"da\">+hint_") && fragment.contains("Ran 4 tests"))
            let (missing, _) = try await get("\(base)/variant/v9999?fragment=1")
            #expect(missing == 404)

            // A search adds a child: the state's fingerprint changes and the redraw has one node more.
            let (_, before) = try await get("\(base)/api/state")
            let archive = try Archive.open(at: path)
            let parent = try archive.variant(made.child)
            let tree2 = try archive.writeTree(base: parent.tree, changes: ["NEW.md": .write("new\n")])
            try archive.record(
                parents: [made.child], tree: tree2,
                metadata: VariantMetadata(
                    generation: parent.generation + 1, operator: "llm",
                    summary: "a child made while the page is open"))
            let (_, after) = try await get("\(base)/api/state")
            #expect(before != after)
            #expect(after.contains("\"variants\":\(made.variants + 1)"))
            let (_, body) = try await get("\(base)/api/report")
            #expect(count("<circle class=\"node", in: body) == made.variants + 1)
        }
    }

    /// Writes docs/report.png and docs/serve.png from a 300-variant archive when
    /// EVOLVE_REPORT_SCREENSHOTS names the folder (they are committed; the test is off otherwise).
    @Test(
        "screenshots for the docs",
        .enabled(if: ProcessInfo.processInfo.environment["EVOLVE_REPORT_SCREENSHOTS"] != nil))
    func screenshots() async throws {
        let docs = ProcessInfo.processInfo.environment["EVOLVE_REPORT_SCREENSHOTS"]!
        let scratch = try Scratch()
        let path = scratch.path + "/archive"
        try DemoArchive.make(at: path, variants: 300, childrenPerGeneration: 8)
        let file = scratch.path + "/report.html"
        let data = try ReportService().write(archivePath: path, to: file)
        try await Chromium.screenshot("file://\(file)", to: docs + "/report.png", size: "1400,2400", budgetMS: 1000)
        let pick = data.variants.ranked().dropFirst(2).first?.id ?? VariantID(1)
        try await withServer(archive: path) { port in
            try await Chromium.screenshot(
                "http://127.0.0.1:\(port)/?select=\(pick)", to: docs + "/serve.png",
                size: "1400,1300", budgetMS: 5000)
        }
    }
}
