import ArgumentParser

extension EvolveCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(shouldDisplay: false)
        func run() async throws { throw ValidationError("`evolve status` is not built yet") }
    }
}
