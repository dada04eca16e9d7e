import EvolveLLM
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// An agent that makes the engine run out of file descriptors must not stop the gateway for good.
///
/// The test lowers RLIMIT_NOFILE and fills every descriptor, which would break any test running beside it,
/// so it runs itself again in a child process of the test binary (with `EVOLVE_TEST_FD_CHILD=1`) and
/// checks what the child reports.
@Suite("Gateway: out of file descriptors")
struct DescriptorExhaustionTests {
    static let childFlag = "EVOLVE_TEST_FD_CHILD"
    static var inChild: Bool { ProcessInfo.processInfo.environment[childFlag] == "1" }

    @Test func theAcceptLoopBacksOffWhileDescriptorsAreOutAndThenServesAgain() async throws {
        if Self.inChild {
            try await exhaustAndRecover()
            return
        }
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childFlag] = "1"
        let result = try await run(
            CommandLine.arguments[0],
            [
                "--testing-library", "swift-testing", "--filter",
                "theAcceptLoopBacksOffWhileDescriptorsAreOutAndThenServesAgain",
            ],
            environment: environment)
        #expect(result.output.contains("fd-child: out of descriptors"), "child output:\n\(result.output)")
        #expect(result.output.contains("fd-child: served after"), "child output:\n\(result.output)")
        #expect(result.status == 0, "child output:\n\(result.output)")
    }

    /// In the child: fill the descriptor table, connect with the last free one, watch the accept loop
    /// back off, free the table, and get an answer on that same connection.
    private func exhaustAndRecover() async throws {
        _ = lowerOpenFileLimit(to: 256)
        let rig = try GatewayRig()
        let token = rig.gateway.token(forTask: "t")
        let server = try #require(rig.gateway.httpServer)
        let body = #"{"messages":[{"role":"user","content":"hi"}]}"#
        let request =
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let warm = try #require(RawSocket(port: rig.port))
        warm.send(request)
        #expect(warm.readStatus() == 200)

        // The warm-up connection's server side closes on its own thread: wait, so no descriptor frees later.
        for _ in 0..<500 where server.openConnections > 0 { usleep(10_000) }
        var held = exhaustDescriptors()
        #expect(held.count > 0)
        closeAll([held.removeLast()])  // one left for the client
        let client = try #require(RawSocket(port: rig.port))
        client.send(request)
        for _ in 0..<500 where server.acceptBackoffs == 0 {
            held += exhaustDescriptors()  // whatever another thread freed meanwhile
            usleep(10_000)
        }
        let backoffs = server.acceptBackoffs
        #expect(backoffs > 0)
        print("fd-child: out of descriptors, the accept loop backed off \(backoffs) times")
        closeAll(held)
        #expect(client.readStatus() == 200)
        print("fd-child: served after the descriptors came back")
        // And a new client as well.
        let fresh = try #require(RawSocket(port: rig.port))
        fresh.send(request)
        #expect(fresh.readStatus() == 200)
    }
}
