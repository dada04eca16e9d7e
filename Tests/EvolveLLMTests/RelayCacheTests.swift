import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveLLM

/// The compiled relay kept in the user's cache, so that a gateway copies it instead of compiling it again.
@Suite("The relay cache")
struct RelayCacheTests {
    @Test func theFirstGatewayCompilesAndKeepsAPrivateCopy() throws {
        let scratch = try Scratch()
        let cache = scratch.file("cache/relay")
        let relay = try GatewayRelay.write(to: try scratch.makeFolder("gateway"), cache: cache)
        try #require(relay.hasSuffix("/relay"), "no C compiler on this host")
        let name = try #require(GatewayRelay.cacheName())
        let cached = "\(cache)/\(name)"
        #expect(FileManager.default.contents(atPath: cached) == FileManager.default.contents(atPath: relay))
        #expect(UserCache.isPrivate(cache) && UserCache.isPrivate(cached, file: true))
        #expect(Files.entries(cache) == [name])  // nothing half-written left behind
    }

    @Test func laterGatewaysCopyTheCachedBuild() throws {
        let scratch = try Scratch()
        let cache = try scratch.makeFolder("cache")
        chmod(cache, 0o700)
        let name = try #require(GatewayRelay.cacheName(), "no C compiler on this host")
        // A stand-in that behaves as the relay does for the start-up probe (runs the command after `--`):
        // copied as it is, it proves the gateway took the cached file rather than compiling.
        let standIn = "#!/bin/sh\nshift 3\nexec \"$@\"\n"
        let cached = try scratch.write("cache/\(name)", standIn)
        chmod(cached, 0o755)
        let relay = try GatewayRelay.write(to: try scratch.makeFolder("gateway"), cache: cache)
        #expect(try String(contentsOfFile: relay, encoding: .utf8) == standIn)
    }

    @Test func aCachedBuildOthersMayWriteOrThatDoesNotRunIsReplaced() throws {
        let scratch = try Scratch()
        let cache = try scratch.makeFolder("cache")
        chmod(cache, 0o700)
        let name = try #require(GatewayRelay.cacheName(), "no C compiler on this host")
        let cached = scratch.file("cache/\(name)")
        for (contents, mode) in [("#!/bin/sh\nshift 3\nexec \"$@\"\n", 0o777), ("not a program", 0o755)] {
            _ = try scratch.write("cache/\(name)", contents)
            chmod(cached, mode_t(mode))
            let relay = try GatewayRelay.write(to: try scratch.makeFolder("gateway-\(mode)"), cache: cache)
            let built = try #require(FileManager.default.contents(atPath: relay))
            #expect(built.starts(with: [0x7f, 0x45, 0x4c, 0x46]))  // compiled afresh: an ELF file
            #expect(FileManager.default.contents(atPath: cached) == built)
            #expect(UserCache.isPrivate(cached, file: true))
        }
    }

    @Test func aCacheFolderOthersMayWriteToIsNotUsed() throws {
        let scratch = try Scratch()
        let cache = try scratch.makeFolder("cache")
        chmod(cache, 0o777)
        let name = try #require(GatewayRelay.cacheName(), "no C compiler on this host")
        let cached = try scratch.write("cache/\(name)", "#!/bin/sh\nshift 3\nexec \"$@\"\n")
        chmod(cached, 0o755)
        let relay = try GatewayRelay.write(to: try scratch.makeFolder("gateway"), cache: cache)
        #expect(try #require(FileManager.default.contents(atPath: relay)).starts(with: [0x7f, 0x45, 0x4c, 0x46]))
        // Nothing is written into a folder others may write to either.
        #expect(try String(contentsOfFile: cached, encoding: .utf8).hasPrefix("#!/bin/sh"))
    }
}
