public import Checking
import Engine

/// The check report as JUnit XML for CI pipelines: one `<testsuite>` per source, one
/// `<testcase>` per domain; error findings become a `<failure>`, an unreadable source or
/// domain an `<error>`, warnings go to `<system-out>`.
public struct CheckJUnitReporter: CheckReporter {
  /// `junit`.
  public static let identifier = "junit"
  private let options: ReportOptions

  /// Creates the reporter.
  public init(options: ReportOptions) {
    self.options = options
  }

  /// The whole report as one JUnit XML document.
  public func render(_ report: CheckReport) -> String {
    let suites = report.sources.map { result in
      let name = result.source.uri ?? result.source.name
      var cases: [JUnitDocument.TestCase] = []
      if let error = result.source.error {
        cases.append(JUnitDocument.TestCase(classname: name, name: "(source)", outcomes: [.error(message: error.message, body: error.description)]))
      }
      return JUnitDocument.Suite(name: name, cases: cases + result.domains.map { testCase($0, suite: name) })
    }
    return JUnitDocument(name: "kvmpolicy check", suites: suites).rendered()
  }

  private func testCase(_ domain: CheckReport.DomainResult, suite: String) -> JUnitDocument.TestCase {
    var testCase = JUnitDocument.TestCase(classname: suite, name: domain.name)
    if let error = domain.error { testCase.outcomes.append(.error(message: error)) }
    let errors = domain.findings.filter { $0.severity == .error }
    if let first = errors.first {
      let message = "\(errors.count) violation\(errors.count == 1 ? "" : "s") of \(first.rule.location?.file ?? first.rule.path)"
      testCase.outcomes.append(.failure(message: message, type: first.check.rawValue, body: errors.map(line).joined(separator: "\n")))
    }
    // Warnings and waived findings pass, and are shown.
    let shown = domain.findings.filter { $0.severity != .error }
    if !shown.isEmpty { testCase.outcomes.append(.systemOut(shown.map(line).joined(separator: "\n"))) }
    return testCase
  }

  private func line(_ finding: Finding) -> String {
    let head = finding.severity == .waived ? "waived " : ""
    return "\(head)\(finding.id) [\(finding.action.rawValue)] \(finding.message) (rule \(finding.rule))"
      + (finding.waiver.map { "; " + $0.summary } ?? "")
  }
}

/// Escaping for hand-written XML.
enum XMLEscaping {
  /// Text content: `&`, `<`, `>` escaped; characters XML 1.0 forbids replaced by U+FFFD.
  static func text(_ value: String) -> String {
    var result = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: result += "\u{FFFD}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Attribute values (double-quoted): also `"` and white space control characters.
  static func attribute(_ value: String) -> String {
    text(value).replacing("\"", with: "&quot;").replacing("\n", with: "&#10;").replacing("\r", with: "&#13;")
      .replacing("\t", with: "&#9;")
  }
}
