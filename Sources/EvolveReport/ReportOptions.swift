/// What a report shows and how much of it.
public struct ReportOptions: Sendable {
    /// How many of the best variants get a column in the heat map.
    public var topVariants: Int
    /// How many of the best variants get their diff against their parent shown in full.
    public var diffVariants: Int
    /// Longest diff shown, in lines; longer ones are cut with a note.
    public var maxDiffLines: Int
    /// Whether the page polls an `evolve serve` server and fetches a clicked variant's details from it.
    public var live: Bool
    /// Seconds between two polls of a live page.
    public var pollSeconds: Int
    /// How much diff text (bytes) a static page embeds so that clicking a node shows its diff.
    public var embeddedDiffBytes: Int
    /// Computes the Pareto front, the objectives per generation and the MAP-Elites grid from the archive
    /// (the caller knows the run's suites and selector); nil draws none of them.
    public var objectiveViews: ObjectiveViewsSource?

    public init(
        topVariants: Int = 12, diffVariants: Int = 5, maxDiffLines: Int = 400, live: Bool = false,
        pollSeconds: Int = 3, embeddedDiffBytes: Int = 3_000_000, objectiveViews: ObjectiveViewsSource? = nil
    ) {
        self.topVariants = topVariants
        self.diffVariants = diffVariants
        self.maxDiffLines = maxDiffLines
        self.live = live
        self.pollSeconds = pollSeconds
        self.embeddedDiffBytes = embeddedDiffBytes
        self.objectiveViews = objectiveViews
    }
}
