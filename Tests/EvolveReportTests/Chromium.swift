import EvolveSupport
import Foundation

/// Debian's headless Chromium, driven from the command line: what a person would see, as a DOM dump
/// after the page's script has run, or as a screenshot.
///
/// It is kept off the network: every host but loopback resolves to nothing and any other request goes
/// to a dead local proxy, and background services (updates, sync, metrics) are off.
enum Chromium {
    static let path = "/usr/bin/chromium"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    static func baseArguments(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-default-apps", "--metrics-recording-only",
            "--mute-audio", "--disable-breakpad", "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--user-data-dir=\(profile)",
        ]
    }

    /// The DOM after `budgetMS` of virtual time (scripts, timers and fetches done).
    static func dumpDOM(_ url: String, budgetMS: Int = 5000, size: String = "1400,2000") async throws -> String {
        let profile = try Files.makeTemporaryDirectory(prefix: "chromium-profile")
        defer { Files.removeTree(profile) }
        return try await run(
            baseArguments(profile: profile) + [
                "--window-size=\(size)", "--virtual-time-budget=\(budgetMS)", "--dump-dom", url,
            ])
    }

    /// A PNG of the window after `budgetMS` of virtual time.
    static func screenshot(_ url: String, to file: String, size: String = "1400,2000", budgetMS: Int = 5000)
        async throws
    {
        let profile = try Files.makeTemporaryDirectory(prefix: "chromium-profile")
        defer { Files.removeTree(profile) }
        _ = try await run(
            baseArguments(profile: profile) + [
                "--window-size=\(size)", "--virtual-time-budget=\(budgetMS)", "--screenshot=\(file)", url,
            ])
    }

    /// Runs Chromium on a thread of its own, so that no task of the pool (which a server in this process
    /// answers it from) waits on it.
    static func run(_ arguments: [String], timeout: Double = 120) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do { continuation.resume(returning: try runBlocking(arguments, timeout: timeout)) } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// Runs Chromium and returns its standard output; gives up after `timeout` seconds.
    static func runBlocking(_ arguments: [String], timeout: Double) throws -> String {
        let chromium = Spawn.command(path, arguments)
        return try chromium.run(errorOutput: .discarded, timeout: .milliseconds(Int(timeout * 1000))).text
    }
}
