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
    let summary = CheckSummary(report)
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    let total = report.sources.reduce(0) { $0 + max(1, $1.domains.count) }
    xml += "<testsuites name=\"kvmpolicy check\" tests=\"\(total)\" failures=\"\(summary.violating)\" errors=\"\(summary.inputErrors)\">\n"
    for result in report.sources {
      let name = XMLEscaping.attribute(result.source.uri ?? result.source.name)
      let failures = result.domains.filter { $0.error == nil && $0.hasViolations }.count
      let errors = (result.source.error == nil ? 0 : 1) + result.domains.filter { $0.error != nil }.count
      let tests = max(1, result.domains.count)
      xml += "  <testsuite name=\"\(name)\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
      if let error = result.source.error {
        xml += "    <testcase classname=\"\(name)\" name=\"(source)\">\n"
        xml += "      <error message=\"\(XMLEscaping.attribute(error.message))\">\(XMLEscaping.text(error.description))</error>\n"
        xml += "    </testcase>\n"
      }
      for domain in result.domains { xml += testcase(domain, suite: name) }
      xml += "  </testsuite>\n"
    }
    xml += "</testsuites>\n"
    return xml
  }

  private func testcase(_ domain: CheckReport.DomainResult, suite: String) -> String {
    var xml = "    <testcase classname=\"\(suite)\" name=\"\(XMLEscaping.attribute(domain.name))\">\n"
    if let error = domain.error {
      xml += "      <error message=\"\(XMLEscaping.attribute(error))\"/>\n"
    }
    let errors = domain.findings.filter { $0.severity == .error }
    if !errors.isEmpty {
      let message = "\(errors.count) violation\(errors.count == 1 ? "" : "s") of \(errors.first.map { $0.rule.location?.file ?? $0.rule.path } ?? "the policy")"
      xml += "      <failure message=\"\(XMLEscaping.attribute(message))\" type=\"\(errors[0].check.rawValue)\">"
      xml += XMLEscaping.text(errors.map(line).joined(separator: "\n"))
      xml += "</failure>\n"
    }
    // Warnings and waived findings pass, and are shown.
    let shown = domain.findings.filter { $0.severity != .error }
    if !shown.isEmpty {
      xml += "      <system-out>\(XMLEscaping.text(shown.map(line).joined(separator: "\n")))</system-out>\n"
    }
    xml += "    </testcase>\n"
    return xml
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
