import EvolveSupport
import Foundation

/// The run configuration's `executor: {name: slurm, …}` block.
///
/// ```yaml
/// executor:
///   name: slurm
///   shared_dir: /shared/evolve      # a folder every node sees at the same path
///   partition: debug                # optional: the cluster's default partition otherwise
///   max_jobs: 64                    # steps in flight at once
///   sbatch_args: [--qos=normal]     # optional: extra sbatch arguments
///   retries: 1                      # more tries for a step whose node failed or whose result is missing
///   evolve_path: /shared/bin/evolve # optional: this binary's path, which must exist on the nodes
///   gateway_address: 10.0.0.5:0     # optional: the gateway listens on TCP there for nodes without this /tmp
/// ```
public struct SlurmSettings: Sendable, Equatable, Codable {
    /// A folder visible at the same path on this machine and on every node.
    public var sharedDir: String
    public var partition: String?
    /// Jobs in flight at once; further steps wait for a slot before they are submitted.
    public var maxJobs: Int
    /// Extra `sbatch` arguments (account, QoS, constraints …).
    public var sbatchArgs: [String]
    /// How many more times a step is submitted after its node failed or its result went missing.
    public var retries: Int
    /// The `evolve` binary that the job runs (`evolve run-step DIR`); this executable by default.
    public var evolvePath: String?
    /// Seconds a job may run beyond its step's time limit (staging, bubblewrap start-up) before Slurm kills
    /// it; the job's `--time` is the step's limit plus this, in whole minutes.
    public var graceSeconds: Double
    /// Keep each step's folder on the shared folder after the step (for debugging).
    public var keepFolders: Bool
    /// Where the gateway listens on TCP for agents on the nodes (`10.0.0.5:0`, see `GatewayAddress`); nil
    /// serves it on a Unix socket only, which a node reaches only when it shares this machine's `/tmp`.
    public var gatewayAddress: String?

    public init(
        sharedDir: String, partition: String? = nil, maxJobs: Int = 64, sbatchArgs: [String] = [], retries: Int = 1,
        evolvePath: String? = nil, graceSeconds: Double = 60, keepFolders: Bool = false, gatewayAddress: String? = nil
    ) {
        self.sharedDir = sharedDir
        self.partition = partition
        self.maxJobs = maxJobs
        self.sbatchArgs = sbatchArgs
        self.retries = retries
        self.evolvePath = evolvePath
        self.graceSeconds = graceSeconds
        self.keepFolders = keepFolders
        self.gatewayAddress = gatewayAddress
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sharedDir = "shared_dir"
        case partition
        case maxJobs = "max_jobs"
        case sbatchArgs = "sbatch_args"
        case retries
        case evolvePath = "evolve_path"
        case graceSeconds = "grace_s"
        case keepFolders = "keep_folders"
        case gatewayAddress = "gateway_address"
    }

    /// The keys of the block, as a config file spells them.
    public static let keys = CodingKeys.allCases.map(\.rawValue)

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SlurmSettings(sharedDir: "")
        self.init(
            sharedDir: try c.decode(String.self, forKey: .sharedDir),
            partition: try c.decodeIfPresent(String.self, forKey: .partition),
            maxJobs: try c.decodeIfPresent(Int.self, forKey: .maxJobs) ?? d.maxJobs,
            sbatchArgs: try c.decodeIfPresent([String].self, forKey: .sbatchArgs) ?? d.sbatchArgs,
            retries: try c.decodeIfPresent(Int.self, forKey: .retries) ?? d.retries,
            evolvePath: try c.decodeIfPresent(String.self, forKey: .evolvePath),
            graceSeconds: try c.decodeIfPresent(Double.self, forKey: .graceSeconds) ?? d.graceSeconds,
            keepFolders: try c.decodeIfPresent(Bool.self, forKey: .keepFolders) ?? d.keepFolders,
            gatewayAddress: try c.decodeIfPresent(String.self, forKey: .gatewayAddress))
    }

    /// Checks the values; the message names the key as written in a configuration.
    public func validate() throws {
        guard sharedDir.hasPrefix("/") else {
            throw EvolveError(
                .config, "executor.shared_dir must be an absolute path that every node sees, not '\(sharedDir)'")
        }
        guard maxJobs > 0 else { throw EvolveError(.config, "executor.max_jobs must be positive, not \(maxJobs)") }
        guard retries >= 0 else { throw EvolveError(.config, "executor.retries must be 0 or more, not \(retries)") }
        guard graceSeconds >= 0 else { throw EvolveError(.config, "executor.grace_s must be 0 or more") }
        _ = try parsedGatewayAddress()
    }

    /// `gatewayAddress` parsed (nil when there is none); throws when it is not usable.
    public func parsedGatewayAddress() throws -> GatewayAddress? {
        try gatewayAddress.map { try GatewayAddress(parsing: $0) }
    }
}
