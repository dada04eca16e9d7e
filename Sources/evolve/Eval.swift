import ArgumentParser

extension EvolveCommand {
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(shouldDisplay: false)
        func run() async throws { throw ValidationError("`evolve eval` is not built yet") }
    }
}
