import EvolveArchive
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

@Suite("Verdict readers")
struct VerdictReaderTests {
    func data(_ text: String) -> Data { Data(text.utf8) }

    // MARK: - Runner lines

    @Test func runnerLinesStopAtDoneAndAreReconciledWithTheExpectedTests() throws {
        let text = """
            {"test": "m.T.test_a", "outcome": "passed"}
            {"test": "m.T.test_x", "outcome": "passed"}
            {"test": "m.T.test_a", "outcome": "failed"}
            {"done": 3}
            {"test": "m.T.test_b", "outcome": "passed"}
            """
        let read = try VerdictReaders.runnerVerdicts(data(text))
        #expect(read.finished)
        let tests = VerdictReaders.reconcile(read.verdicts, expected: ["m.T.test_a", "m.T.test_b"])
        #expect(tests.map(\.outcome) == [.passed, .missing, .unexpected, .unexpected])
        let verdicts = TaskVerdicts(source: "runner", tests: tests)
        #expect(verdicts.passed == 1)
        #expect(verdicts.total == 2)
        #expect(!verdicts.allPassed)
    }

    @Test func aRunnerLineThatIsNotAVerdictMakesTheFileUnreadable() {
        #expect(throws: VerdictReaders.Unreadable.self) {
            try VerdictReaders.runnerVerdicts(Data("{\"test\": \"a\", \"outcome\": \"great\"}\n".utf8))
        }
        #expect(throws: VerdictReaders.Unreadable.self) { try VerdictReaders.runnerVerdicts(Data("OK\n".utf8)) }
    }

    // MARK: - TAP

    @Test func tapReadsPlanOkNotOkSkipAndMissing() throws {
        let tests = try VerdictReaders.tap(
            """
            TAP version 13
            1..4
            ok 1 - adds
            not ok 2 - subtracts
            ok 3 - negative # SKIP not yet
            """)
        #expect(tests.map(\.outcome) == [.passed, .failed, .skipped, .missing])
        #expect(tests[1].message == "subtracts")
    }

    @Test func tapWithoutAPlanOrWithExtraTestsFails() throws {
        #expect(throws: VerdictReaders.Unreadable.self) { try VerdictReaders.tap("ok 1\nok 2\n") }
        let tests = try VerdictReaders.tap("1..1\nok 1\nok 2\nok 1\n")
        #expect(tests.map(\.outcome) == [.passed, .unexpected, .unexpected])
        let bailed = try VerdictReaders.tap("1..2\nok 1\nBail out! broken\nok 2\n")
        #expect(bailed.map(\.outcome) == [.passed, .missing])
    }

    // MARK: - JUnit

    @Test func junitReadsCasesFailuresErrorsAndSkips() throws {
        let xml = """
            <?xml version="1.0"?>
            <testsuites><testsuite name="s">
              <testcase classname="calc.T" name="a"/>
              <testcase classname="calc.T" name="b"><failure type="AssertionError" message="1 != 2">trace</failure></testcase>
              <testcase classname="calc.T" name="c"><error type="ValueError" message="bad"/></testcase>
              <testcase classname="calc.T" name="d"><skipped/></testcase>
              <testcase classname="calc.T" name="a"/>
            </testsuite></testsuites>
            """
        let tests = try VerdictReaders.junit(data(xml))
        #expect(tests.map(\.name) == ["calc.T.a", "calc.T.b", "calc.T.c", "calc.T.d", "calc.T.a"])
        #expect(tests.map(\.outcome) == [.passed, .failed, .error, .skipped, .unexpected])
        #expect(tests[1].exceptionType == "AssertionError")
        #expect(tests[1].message == "1 != 2")
    }

    @Test func malformedOrEmptyJUnitIsUnreadable() {
        #expect(throws: VerdictReaders.Unreadable.self) { try VerdictReaders.junit(Data("<testsuite><testcase".utf8)) }
        #expect(throws: VerdictReaders.Unreadable.self) { try VerdictReaders.junit(Data("<testsuite/>".utf8)) }
        #expect(throws: VerdictReaders.Unreadable.self) { try VerdictReaders.junit(Data("not xml".utf8)) }
    }

    // MARK: - Metrics

    @Test func metricsReadsNumbersAndTests() throws {
        let read = try VerdictReaders.metrics(
            data(#"{"metrics": {"speed": 2.5, "size": 3}, "tests": {"a": true, "b": "failed", "c": false}}"#))
        #expect(read.metrics == ["speed": 2.5, "size": 3])
        #expect(read.tests.map(\.name) == ["a", "b", "c"])
        #expect(read.tests.map(\.outcome) == [.passed, .failed, .failed])
    }

    @Test func metricsRefusesMalformedMissingExtraAndNaN() {
        let bad = [
            "not json",
            #"{"metrics": {"a": 1}}"#,  // no tests
            #"{"tests": {}}"#,  // no test
            #"{"tests": {"a": true}, "score": 1}"#,  // an extra key
            #"{"metrics": {"a": NaN}, "tests": {"a": true}}"#,  // NaN is not JSON
            #"{"metrics": {"a": 1e999}, "tests": {"a": true}}"#,  // infinite
            #"{"metrics": {"a": "fast"}, "tests": {"a": true}}"#,
            #"{"metrics": {"a": true}, "tests": {"a": true}}"#,
            #"{"tests": {"a": "great"}}"#,
            #"{"tests": {"a": 1}}"#,
            #"[1, 2]"#,
        ]
        for text in bad {
            #expect(throws: VerdictReaders.Unreadable.self, "\(text)") { try VerdictReaders.metrics(Data(text.utf8)) }
        }
    }

    // MARK: - Recognising checks

    @Test func plainUnittestAndPytestChecksGetTheTrustedRunner() {
        #expect(
            CheckResults.detect("python3 -m unittest discover -s tests")
                == .runner(style: .unittest, folder: "", pattern: "test*.py"))
        #expect(
            CheckResults.detect("python3 -m unittest") == .runner(style: .unittest, folder: "", pattern: "test*.py"))
        #expect(
            CheckResults.detect("python3 -m unittest discover -s tests/unit -p 'check_*.py' -v")
                == .runner(style: .unittest, folder: "unit", pattern: "check_*.py"))
        #expect(CheckResults.detect("pytest -q tests") == .runner(style: .pytest, folder: "", pattern: "test_*.py"))
        #expect(CheckResults.detect("python3 -m pytest") == .runner(style: .pytest, folder: "", pattern: "test_*.py"))
    }

    @Test func otherChecksAreNotRecognised() {
        for check in [
            "sh tests/run.sh", "node tests/test.js", "python3 -m unittest discover -s . ", "python3 -m unittest; true",
            "python3 -m unittest discover -s tests || true", "python3 -m unittest discover -s ../x",
            "python3 tests/check.py", "pytest --co tests",
        ] {
            #expect(CheckResults.detect(check) == nil, "\(check)")
        }
    }

    @Test func everyShippedSuiteUsesTrustedVerdicts() throws {
        for name in ["smoke", "pyfix", "pyfix-holdout", "demo", "polyglot-mini"] {
            let suite = try Suite.load(from: "\(repoRoot)/seeds/suites/\(name)")
            for task in suite.tasks {
                #expect(task.resultsFormat.source == "runner", "\(name)/\(task.id)")
            }
        }
    }

    // MARK: - Redaction

    @Test func hiddenTestTextIsRedactedFromMessages() {
        let test = "    def test_negative(self):\n        self.assertEqual(add(-4, 1), -3)\n"
        let redactor = HiddenTextRedactor(texts: [test])
        let message = "ValueError: here it is: self.assertEqual(add(-4, 1), -3) and more"
        let clean = redactor.redact(message)
        #expect(!clean.contains("assertEqual(add(-4"))
        #expect(clean.contains(HiddenTextRedactor.marker))
        #expect(clean.hasPrefix("ValueError: here it is:"))
        #expect(redactor.redact("-5 != -3") == "-5 != -3", "short, ordinary messages stay")
    }

    @Test func textTheStatementAlsoHoldsIsNotRedacted() {
        let spec = "Return lo if x is below lo, hi if x is above hi, and x otherwise."
        let test = "SPEC = '\(spec)'\nSECRET_CASES = [[5, 0, 10], [-3, 0, 10], [15, 0, 10]]\n"
        let redactor = HiddenTextRedactor(texts: [test], public: ["Make clamp correct.\n\n\(spec)\n"])
        let message = "clamp is wrong. \(spec) cases: [[5, 0, 10], [-3, 0, 10], [15, 0, 10]]"
        let clean = redactor.redact(message)
        #expect(clean.contains(spec))
        #expect(!clean.contains("[-3, 0, 10], [15, 0, 10]"))
    }
}
