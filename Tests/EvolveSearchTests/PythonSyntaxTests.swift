import Foundation
import Testing

@testable import EvolveSearch

/// The syntax check's long-lived Python parser.
@Suite(.enabled(if: PythonSyntax.python != nil, "needs python3"))
struct PythonSyntaxTests {
    @Test func validFilesPassAndTheFirstBadOneIsNamedWithItsLine() throws {
        #expect(try PythonSyntax.firstError(in: [("a.py", "x = 1\n"), ("b.py", "def f():\n    return 2\n")]) == nil)
        let error = try PythonSyntax.firstError(in: [
            ("ok.py", "x = 1\n"), ("pkg/bad.py", "x = 1\ndef (:\n"), ("worse.py", "((("),
        ])
        #expect(error?.hasPrefix("pkg/bad.py:2:") == true, "\(error ?? "nil")")
    }

    @Test func hostileFilesAreErrorsNotCrashesAndTheParserGoesOn() throws {
        let nul = try PythonSyntax.firstError(in: [("nul.py", "x = 1\u{0}\n")])
        #expect(nul?.hasPrefix("nul.py") == true, "\(nul ?? "nil")")
        let deep = try PythonSyntax.firstError(in: [("deep.py", String(repeating: "(", count: 100_000))])
        #expect(deep?.hasPrefix("deep.py") == true, "\(deep ?? "nil")")
        // A label cannot break the framing, and the parser still answers afterwards.
        let label = try PythonSyntax.firstError(in: [("a\nb.py", "def (")])
        #expect(label?.hasPrefix("a?b.py:1:") == true, "\(label ?? "nil")")
        #expect(try PythonSyntax.firstError(in: [("fine.py", "print('ok')\n")]) == nil)
    }

    @Test func concurrentChecksEachGetTheirOwnAnswer() async throws {
        try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<24 {
                group.addTask {
                    let source = i % 2 == 0 ? "x\(i) = \(i)\n" : "x\(i) = (\n"
                    return (i, try PythonSyntax.firstError(in: [("f\(i).py", source)]))
                }
            }
            for try await (i, error) in group {
                if i % 2 == 0 {
                    #expect(error == nil)
                } else {
                    #expect(error?.hasPrefix("f\(i).py:") == true, "\(error ?? "nil")")
                }
            }
        }
    }
}
