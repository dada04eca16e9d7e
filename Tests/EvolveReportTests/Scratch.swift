import EvolveSupport
import Foundation

/// A temporary folder for one test, removed afterwards.
final class Scratch {
    let path: String

    init() throws { path = try Files.makeTemporaryDirectory(prefix: "evolve-report-test") }
    deinit { Files.removeTree(path) }
}
