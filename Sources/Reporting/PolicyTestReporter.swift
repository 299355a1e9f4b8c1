public import PolicyTesting

/// Renders the results of `kvmpolicy policy test`.
public protocol PolicyTestReporter: Reporter where Input == [PolicyTestRunner.FileResult] {}

/// The policy test formats.
public enum PolicyTestReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [PolicyTestTextReporter.identifier, PolicyTestJUnitReporter.identifier]

  /// The reporter for a format name.
  public static func reporter(for identifier: String) -> (any PolicyTestReporter)? {
    switch identifier {
    case PolicyTestTextReporter.identifier: PolicyTestTextReporter()
    case PolicyTestJUnitReporter.identifier: PolicyTestJUnitReporter()
    default: nil
    }
  }
}

/// One block per test file: its policy, then PASS or FAIL per case with every difference.
public struct PolicyTestTextReporter: PolicyTestReporter {
  /// `text`.
  public static let identifier = "text"

  /// Creates the reporter.
  public init() {}

  /// The results as text, ending with the counts.
  public func render(_ results: [PolicyTestRunner.FileResult]) -> String {
    var lines: [String] = []
    for file in results {
      lines.append("\(file.path) (policy \(file.policy), \(file.fingerprint))")
      for testCase in file.cases {
        lines.append("  \(testCase.passed ? "PASS" : "FAIL")  \(testCase.name)")
        for difference in testCase.differences { lines.append("        \(testCase.location): \(difference)") }
      }
    }
    let cases = results.flatMap(\.cases)
    let failed = cases.filter { !$0.passed }.count
    lines.append("\(cases.count) case\(cases.count == 1 ? "" : "s"): \(cases.count - failed) passed, \(failed) failed")
    return lines.joined(separator: "\n") + "\n"
  }
}

/// JUnit XML for CI: one suite per test file, one test case per case.
public struct PolicyTestJUnitReporter: PolicyTestReporter {
  /// `junit`.
  public static let identifier = "junit"

  /// Creates the reporter.
  public init() {}

  /// The results as one JUnit document.
  public func render(_ results: [PolicyTestRunner.FileResult]) -> String {
    let suites = results.map { file in
      JUnitDocument.Suite(
        name: file.path,
        cases: file.cases.map { testCase in
          JUnitDocument.TestCase(
            classname: file.path, name: testCase.name,
            outcomes: testCase.passed
              ? [] : [.failure(message: testCase.differences[0], body: testCase.differences.joined(separator: "\n"))])
        })
    }
    return JUnitDocument(name: "kvmpolicy policy test", suites: suites).rendered()
  }
}
