import EvolveCluster
import EvolveSupport
import Foundation

/// Where sandboxed steps run: `executor: {name: local}` (this machine's worker pool, the default) or
/// `executor: {name: slurm, shared_dir: /shared/evolve, max_jobs: 64, …}` (each step a Slurm job on a node;
/// the other keys are `SlurmSettings`', see docs/cluster.md).
public enum ExecutorConfig: Sendable, Equatable {
    case local
    case slurm(SlurmSettings)

    public static let names = ["local", "slurm"]
    /// Every key the block may hold (for the loader's unknown-key check).
    public static let keys = ["name"] + SlurmSettings.keys

    public var name: String {
        switch self {
        case .local: return "local"
        case .slurm: return "slurm"
        }
    }
}

extension ExecutorConfig: Codable {
    private enum NameKey: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.container(keyedBy: NameKey.self).decode(String.self, forKey: .name)
        switch name {
        case "local": self = .local
        case "slurm":
            let settings = try SlurmSettings(from: decoder)
            guard settings.sharedDir.hasPrefix("/") else {
                throw EvolveError(
                    .config,
                    "'executor' shared_dir must be an absolute path that every node sees (got \(settings.sharedDir))")
            }
            guard settings.maxJobs >= 1 else { throw EvolveError(.config, "'executor' max_jobs must be at least 1") }
            _ = try settings.parsedGatewayAddress()
            self = .slurm(settings)
        default:
            throw EvolveError(.config, "'executor' name '\(name)' is unknown: use local or slurm")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(name, forKey: .name)
        if case .slurm(let settings) = self { try settings.encode(to: encoder) }
    }
}
