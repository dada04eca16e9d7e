import EvolveSandbox
import EvolveSupport
import Foundation
import Testing

@testable import EvolveCluster

/// Staging a step on the shared folder and copying its workspace back (no cluster needed).
@Suite("Step folder")
struct StepFolderTests {
    @Test func stagingCopiesTheWorkspaceAndRewritesPaths() throws {
        let root = try Files.makeTemporaryDirectory(prefix: "evolve-stepfolder")
        defer { Files.removeTree(root) }
        let workspace = root + "/ws"
        let agent = root + "/agent"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: agent, withIntermediateDirectories: true)
        try "start".write(toFile: workspace + "/a.txt", atomically: true, encoding: .utf8)
        try "agent".write(toFile: agent + "/agent.py", atomically: true, encoding: .utf8)
        let spec = SandboxSpec(
            command: .shell("true"), workspace: workspace,
            binds: [.init(source: agent, destination: "/agent")], label: "v1.t1.agent")
        let folder = StepFolder(path: root + "/shared/run/v1.t1.agent")
        let remote = try folder.stage(spec, evolvePath: "/opt/evolve's/bin/evolve")
        #expect(remote.workspace == folder.workspacePath)
        #expect(remote.binds[0].source.hasPrefix(folder.path + "/binds/"))
        #expect(folder.readSpec()?.label == "v1.t1.agent")
        #expect((try? String(contentsOfFile: folder.workspacePath + "/a.txt", encoding: .utf8)) == "start")
        let script = try String(contentsOfFile: folder.scriptPath, encoding: .utf8)
        #expect(script.contains(#"'/opt/evolve'\''s/bin/evolve' run-step"#))
    }

    @Test func copyBackKeepsLinksAsLinksAndDropsWhatTheStepRemoved() throws {
        let root = try Files.makeTemporaryDirectory(prefix: "evolve-stepfolder")
        defer { Files.removeTree(root) }
        let workspace = root + "/ws"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try "old".write(toFile: workspace + "/old.txt", atomically: true, encoding: .utf8)
        let secret = root + "/secret.txt"
        try "host secret".write(toFile: secret, atomically: true, encoding: .utf8)
        let spec = SandboxSpec(command: .shell("true"), workspace: workspace)
        let folder = StepFolder(path: root + "/shared/step")
        try folder.stage(spec, evolvePath: "/bin/evolve")
        // What a hostile step leaves: a link to a host file, its own file, the old file removed.
        try FileManager.default.removeItem(atPath: folder.workspacePath + "/old.txt")
        try "new".write(toFile: folder.workspacePath + "/new.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder.workspacePath + "/leak", withDestinationPath: secret)
        try folder.copyBack(into: spec)
        #expect(!Files.exists(workspace + "/old.txt"))
        #expect((try? String(contentsOfFile: workspace + "/new.txt", encoding: .utf8)) == "new")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: workspace + "/leak")) == secret)
    }

    @Test func runHereWritesAnErrorResultWhenTheSpecIsMissing() async throws {
        let root = try Files.makeTemporaryDirectory(prefix: "evolve-stepfolder")
        defer { Files.removeTree(root) }
        let folder = StepFolder(path: root)
        #expect(await folder.runHere() == 0)
        let file = try #require(folder.readResult())
        #expect(file.result == nil)
        #expect(file.error?.contains("spec.json") == true)
    }

    @Test func withATCPGatewayTheSpecNamesTheEndpointAndBindsNoSocketOfThisMachine() throws {
        let root = try Files.makeTemporaryDirectory(prefix: "evolve-stepfolder")
        defer { Files.removeTree(root) }
        let workspace = root + "/ws"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        let relay = root + "/relay"
        try "relay".write(toFile: relay, atomically: true, encoding: .utf8)
        let socketOnThisMachine = root + "/gateway.sock"  // what the local gateway access would name
        let gateway = StepGateway(host: "10.0.0.5", port: 8321, socketInSandbox: "/run/evolve/gateway.sock")
        let spec = SandboxSpec(
            command: .shell("true"), workspace: workspace,
            binds: [
                .init(source: socketOnThisMachine, destination: gateway.socketInSandbox),
                .init(source: relay, destination: "/run/evolve/relay"),
            ], label: "v1.t1.agent")
        let folder = StepFolder(path: root + "/shared/run/v1.t1.agent")
        let remote = try folder.stage(spec, evolvePath: "/bin/evolve", gateway: gateway)
        #expect(remote.binds.map(\.destination) == ["/run/evolve/relay"])
        let staged = try #require(folder.readStaged())
        #expect(staged.gateway == gateway)
        #expect(staged.spec.binds == remote.binds)
        let text = try String(contentsOfFile: folder.specPath, encoding: .utf8)
        #expect(!text.replacingOccurrences(of: "\\/", with: "/").contains(socketOnThisMachine))
        #expect(text.contains("\"gateway\":{\"host\":\"10.0.0.5\",\"port\":8321"))
        // Without a TCP gateway, or for a step that does not bind the gateway (a check step), the spec reads as
        // before: no gateway key, no relay on the node.
        let check = SandboxSpec(command: .shell("true"), workspace: workspace)
        for gatewayGiven in [nil, gateway] {
            try folder.stage(check, evolvePath: "/bin/evolve", gateway: gatewayGiven)
            #expect(folder.readStaged()?.gateway == nil)
            #expect(!(try String(contentsOfFile: folder.specPath, encoding: .utf8)).contains("\"gateway\""))
        }
    }
}
