import EvolveReport

/// Where `evolve serve` listens and what it shows.
public struct ServeOptions: Sendable {
    /// The archive folder, opened read-only for every request.
    public var archivePath: String
    /// The address to bind: loopback unless the user asks otherwise.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int
    /// Seconds between two polls of an open page.
    public var pollSeconds: Int
    /// Computes the Pareto front, objectives per generation and MAP-Elites grid the page shows (the caller
    /// knows the run's suites and selector); nil shows none of them.
    public var objectiveViews: ObjectiveViewsSource?

    public init(
        archivePath: String, host: String = "127.0.0.1", port: Int = 8321, pollSeconds: Int = 3,
        objectiveViews: ObjectiveViewsSource? = nil
    ) {
        self.archivePath = archivePath
        self.host = host
        self.port = port
        self.pollSeconds = pollSeconds
        self.objectiveViews = objectiveViews
    }
}
