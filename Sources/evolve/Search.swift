import ArgumentParser

extension EvolveCommand {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(shouldDisplay: false)
        func run() async throws { throw ValidationError("`evolve search` is not built yet") }
    }
}
