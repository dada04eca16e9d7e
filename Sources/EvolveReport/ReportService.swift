import EvolveArchive
import EvolveSupport
import Foundation

/// `evolve report`: reads an archive (never writes to it) and writes one self-contained HTML file.
public struct ReportService: Sendable {
    public var options: ReportOptions

    public init(options: ReportOptions = ReportOptions()) { self.options = options }

    /// The page for the archive at `archivePath`.
    public func render(archivePath: String) throws -> (html: String, data: ReportData) {
        let archive = try Archive.open(at: archivePath, repair: false)
        let data = try ReportData.load(from: archive, options: options)
        return (ReportPage.render(data, options: options), data)
    }

    /// Writes the page to `output` (atomically) and returns what was drawn.
    @discardableResult
    public func write(archivePath: String, to output: String) throws -> ReportData {
        let (html, data) = try render(archivePath: archivePath)
        let url = URL(fileURLWithPath: Files.absolute(output))
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(html.utf8).write(to: url, options: .atomic)
        } catch {
            throw EvolveError(
                .io, "cannot write the report to \(url.path): \(error.localizedDescription)",
                hint: "pass --out with a folder you can write to")
        }
        return data
    }
}
