/// What a report shows and how much of it.
public struct ReportOptions: Sendable {
    /// How many of the best variants get a column in the heat map and a diff of their own.
    public var topVariants: Int
    /// Longest diff shown, in lines; longer ones are cut with a note.
    public var maxDiffLines: Int

    public init(topVariants: Int = 12, maxDiffLines: Int = 400) {
        self.topVariants = topVariants
        self.maxDiffLines = maxDiffLines
    }
}
