import EvolveArchive
import EvolveSupport
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Readers of check results: the trusted runner's verdict lines, JUnit XML, TAP and a metrics JSON file.
/// Each turns what a check left behind into per-test verdicts; none trusts its input (size caps, strict
/// formats, duplicates and unknown names reported as `unexpected`, expected tests never reported as `missing`).
public enum VerdictReaders {
    /// Results files larger than this are refused (a flood is a failure, not a verdict).
    public static let maxResultsBytes = 4 << 20

    /// A results file the check could not produce correctly: the task fails with this reason.
    public struct Unreadable: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    // MARK: - Expected against reported

    /// One verdict per expected test, in the expected order (first report wins), then every report of a test
    /// not expected or reported twice as `unexpected`. With `expected` nil, the reports are taken as they are
    /// (duplicates still count as unexpected).
    public static func reconcile(_ reported: [TestVerdict], expected: [String]?) -> [TestVerdict] {
        var first: [String: TestVerdict] = [:]
        var extra: [TestVerdict] = []
        var order: [String] = []
        let expectedSet = expected.map(Set.init)
        for verdict in reported {
            if first[verdict.name] != nil {
                extra.append(TestVerdict(name: verdict.name, outcome: .unexpected, message: "reported more than once"))
            } else if let expectedSet, !expectedSet.contains(verdict.name) {
                extra.append(
                    TestVerdict(name: verdict.name, outcome: .unexpected, message: "not a test of the hidden tests"))
            } else {
                first[verdict.name] = verdict
                order.append(verdict.name)
            }
        }
        let names = expected ?? order
        let main = names.map { name in
            first[name]
                ?? TestVerdict(
                    name: name, outcome: .missing, message: "no verdict: the check ended before reporting this test")
        }
        return main + extra
    }

    // MARK: - The trusted runner

    /// Reads the runner's JSON lines up to its `{"done": N}` line; anything after that line is ignored, and
    /// a line that is not a verdict makes the whole file unreadable.
    public static func runnerVerdicts(_ data: Data) throws(Unreadable) -> (verdicts: [TestVerdict], finished: Bool) {
        guard data.count <= maxResultsBytes else { throw Unreadable("the verdicts file is larger than 4 MB") }
        var verdicts: [TestVerdict] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw Unreadable("the verdicts file holds a line that is not a JSON object")
            }
            if object["done"] != nil { return (verdicts, true) }
            guard let name = object["test"] as? String, let raw = object["outcome"] as? String,
                let outcome = TestVerdict.Outcome(rawValue: raw),
                [.passed, .failed, .error, .skipped].contains(outcome)
            else { throw Unreadable("the verdicts file holds a line that is not a verdict") }
            verdicts.append(
                TestVerdict(
                    name: name, outcome: outcome, exceptionType: object["type"] as? String,
                    message: object["message"] as? String))
        }
        return (verdicts, false)
    }

    // MARK: - TAP

    /// Reads TAP from a check's output: the plan `1..N` says how many tests are expected (named by number);
    /// `ok`/`not ok` lines report them (`# SKIP` counts as skipped, `# TODO` as failed); `Bail out!` fails the rest.
    public static func tap(_ output: String) throws(Unreadable) -> [TestVerdict] {
        var planned: Int?
        var reported: [TestVerdict] = []
        var next = 1
        for raw in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Bail out!") { break }
            if line.hasPrefix("1.."), planned == nil, let n = Int(line.dropFirst(3).prefix { $0.isNumber }) {
                planned = n
                continue
            }
            let passed: Bool
            var rest: Substring
            if line.hasPrefix("ok") {
                passed = true
                rest = line.dropFirst(2)
            } else if line.hasPrefix("not ok") {
                passed = false
                rest = line.dropFirst(6)
            } else {
                continue
            }
            guard rest.isEmpty || rest.first == " " else { continue }
            rest = rest.drop { $0 == " " }
            let digits = rest.prefix { $0.isNumber }
            let number = Int(digits) ?? next
            next = number + 1
            var description = String(rest.dropFirst(digits.count)).trimmingCharacters(in: .whitespaces)
            if description.hasPrefix("- ") { description.removeFirst(2) }
            var outcome: TestVerdict.Outcome = passed ? .passed : .failed
            if let hash = description.range(of: " # ") ?? description.range(of: "# ") {
                let directive = description[hash.upperBound...].uppercased()
                if directive.hasPrefix("SKIP") { outcome = .skipped }
                if directive.hasPrefix("TODO") { outcome = .failed }
                description = String(description[..<hash.lowerBound])
            }
            reported.append(
                TestVerdict(
                    name: "\(number)", outcome: outcome,
                    message: description.isEmpty ? nil : String(description.prefix(300))))
        }
        guard let planned, planned > 0 else { throw Unreadable("no TAP plan (a line like 1..N) in the check's output") }
        return reconcile(reported, expected: (1...planned).map { "\($0)" })
    }

    // MARK: - JUnit XML

    /// Reads every `<testcase>` of a JUnit XML file (`classname.name`); a `<failure>` makes it failed, an
    /// `<error>` errored, a `<skipped>` skipped. A file with no test case is unreadable.
    public static func junit(_ data: Data) throws(Unreadable) -> [TestVerdict] {
        guard data.count <= maxResultsBytes else { throw Unreadable("the JUnit file is larger than 4 MB") }
        let reader = JUnitParser()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse() else {
            throw Unreadable(
                "the JUnit file is not well-formed XML (\(parser.parserError?.localizedDescription ?? "?"))")
        }
        guard !reader.cases.isEmpty else { throw Unreadable("the JUnit file holds no <testcase>") }
        return reconcile(reader.cases, expected: nil)
    }

    private struct MetricsFile: Decodable {
        var metrics: [String: Double]?
        var tests: [String: TestValue]
        var artifacts: [String: String]?
    }

    private struct TestValue: Decodable {
        var outcome: TestVerdict.Outcome

        init(from decoder: Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let flag = try? value.decode(Bool.self) {
                outcome = flag ? .passed : .failed
                return
            }
            let text = try value.decode(String.self)
            guard let parsed = TestVerdict.Outcome(rawValue: text),
                [.passed, .failed, .error, .skipped].contains(parsed)
            else { throw DecodingError.dataCorruptedError(in: value, debugDescription: "unknown outcome \(text)") }
            outcome = parsed
        }
    }

    private final class JUnitParser: NSObject, XMLParserDelegate {
        var cases: [TestVerdict] = []
        private var current: TestVerdict?

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch element {
            case "testcase":
                let name = attributes["name"] ?? "?"
                let full = attributes["classname"].map { "\($0).\(name)" } ?? name
                current = TestVerdict(name: full, outcome: .passed)
            case "failure", "error", "skipped":
                guard current != nil, current?.outcome == .passed else { return }
                current?.outcome = element == "failure" ? .failed : (element == "error" ? .error : .skipped)
                current?.exceptionType = attributes["type"]
                current?.message = attributes["message"].map { String($0.prefix(2000)) }
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            if element == "testcase", let verdict = current {
                cases.append(verdict)
                current = nil
            }
        }
    }

    // MARK: - Metrics JSON

    /// Reads `{"metrics": {"NAME": NUMBER, …}, "tests": {"NAME": "passed"|"failed"|"error"|"skipped"|true|false},
    /// "artifacts": {"NAME": "TEXT", …}}`: no other key, finite numbers only, at least one test; artifacts
    /// (optional) are text the meta-agent is shown (the caller trims and redacts them).
    public static func metrics(_ data: Data) throws(Unreadable) -> (
        tests: [TestVerdict], metrics: [String: Double], artifacts: [String: String]
    ) {
        guard data.count <= maxResultsBytes else { throw Unreadable("the metrics file is larger than 4 MB") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Unreadable("the metrics file is not a JSON object")
        }
        let known = ["metrics", "tests", "artifacts"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw Unreadable("the metrics file has an unknown key '\(unknown)' (known: metrics, tests, artifacts)")
        }
        let file: MetricsFile
        do {
            file = try JSONDecoder().decode(MetricsFile.self, from: data)
        } catch {
            throw Unreadable(
                "the metrics file does not have the expected shape (metrics: names to finite numbers; tests: names to true, false, \"passed\", \"failed\", \"error\" or \"skipped\"; artifacts: names to text)"
            )
        }
        let metrics = file.metrics ?? [:]
        if let name = metrics.keys.sorted().first(where: { !metrics[$0]!.isFinite }) {
            throw Unreadable("metric '\(name)' must be a finite number")
        }
        guard !file.tests.isEmpty else { throw Unreadable("the metrics file needs a non-empty 'tests' object") }
        let tests = file.tests.keys.sorted().map { TestVerdict(name: $0, outcome: file.tests[$0]!.outcome) }
        return (tests, metrics, file.artifacts ?? [:])
    }
}
