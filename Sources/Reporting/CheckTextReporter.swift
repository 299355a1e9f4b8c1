public import Checking
import Engine

/// The check report for a terminal: grouped by source and domain, one block per finding, a
/// summary line last. Colour only when asked (the CLI decides: TTY and no `NO_COLOR`).
public struct CheckTextReporter: StreamingCheckReporter {
  /// `text`.
  public static let identifier = "text"
  private let options: ReportOptions

  /// Creates the reporter.
  public init(options: ReportOptions) {
    self.options = options
  }

  /// The policy line.
  public func head(policyFile: String, policyDescription: String?) -> String {
    "policy \(policyFile)" + (policyDescription.map { ": \($0)" } ?? "") + "\n\n"
  }

  /// One block per source: its header, any error, its domains, a blank line.
  public func chunk(_ source: CheckReport.SourceResult, index: Int) -> String {
    let header = source.source.kind == .libvirt ? "libvirt \(source.source.uri ?? source.source.name)" : "file \(source.source.name)"
    var lines = [paint(header, "1")]
    if let error = source.source.error { lines.append("  " + paint("error: ", "1;31") + "\(error)") }
    for domain in source.domains { lines += render(domain) }
    lines.append("")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The summary line.
  public func tail(_ summary: CheckSummary, sourceCount: Int) -> String {
    self.summary(summary) + "\n"
  }

  private func render(_ domain: CheckReport.DomainResult) -> [String] {
    var facts: [String] = []
    if let state = domain.state { facts.append(state) }
    if let override = domain.override { facts.append("override \(override)") }
    let title = "  " + domain.name + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))")
    if let error = domain.error { return [title + ": " + paint("error: ", "1;31") + error] }
    let findings = domain.findings
    let errors = findings.filter { $0.severity == .error }.count
    let waived = findings.filter { $0.severity == .waived }.count
    let warnings = findings.count - errors - waived
    var verdict: String
    if findings.isEmpty {
      verdict = paint("compliant", "32")
    } else {
      verdict = errors > 0 ? paint(count(errors, "violation"), "1;31") : paint("compliant", "32")
      if warnings > 0 { verdict += ", " + paint(count(warnings, "warning"), "33") }
      if waived > 0 { verdict += ", " + paint("\(waived) waived", "36") }
    }
    var lines = [title + ": " + verdict]
    for (scope, evaluation) in domain.evaluations {
      if scope == .definition && !evaluation.findings.isEmpty { lines.append("    in the definition (next boot):") }
      for finding in evaluation.findings { lines += render(finding) }
      if options.explain {
        if scope == .definition { lines.append("    devices in the definition:") }
        for decision in evaluation.decisions {
          let verdict = decision.allowed ? paint("allowed", "32") : paint("denied ", "31")
          lines.append("      \(verdict) \(decision.device) by \(decision.rule)")
        }
      }
    }
    return lines
  }

  private func render(_ finding: Finding) -> [String] {
    let severity: String
    switch finding.severity {
    case .error: severity = paint("error", "1;31")
    case .warning: severity = paint("warning", "33")
    case .waived: severity = paint("waived", "36")
    }
    var lines = ["    \(severity) [\(finding.action.rawValue)] \(finding.message)"]
    var detail = "      \(finding.id) \(finding.check.rawValue); rule \(finding.rule)"
    if !finding.assignments.isEmpty {
      detail += "; sets " + finding.assignments.map { "\($0.attribute)=\($0.value)" }.joined(separator: ", ")
    }
    lines.append(paint(detail, "2"))
    if let waiver = finding.waiver {
      lines.append(waiver.expired ? paint("      " + waiver.summary, "33") : paint("      " + waiver.summary, "36"))
    }
    return lines
  }

  private func summary(_ summary: CheckSummary) -> String {
    var text = "\(count(summary.domains, "domain")) checked: \(summary.compliant) compliant, \(summary.violating) with violations"
    text += "; \(count(summary.errors, "error")), \(count(summary.warnings, "warning"))"
    if summary.waived > 0 { text += ", \(summary.waived) waived" }
    if summary.inputErrors > 0 { text += "; " + paint("\(count(summary.inputErrors, "input error")) (nothing judged there)", "1;31") }
    return text
  }

  private func paint(_ text: String, _ code: String) -> String {
    options.colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  private func count(_ number: Int, _ noun: String) -> String {
    "\(number) \(noun)\(number == 1 ? "" : "s")"
  }
}
