import Engine
public import Enforcement

/// Plans and outcomes as lines an operator reads: one block per domain, a summary last.
public struct EnforcementTextReporter: EnforcementReporter {
  /// `text`.
  public static let identifier = "text"

  /// Creates the reporter.
  public init() {}

  public func render(plans: [DomainPlan]) -> String {
    var lines: [String] = []
    for plan in plans {
      if let error = plan.error {
        lines.append("\(plan.name): error: \(error)")
        continue
      }
      guard plan.changesSomething || !plan.refusals.isEmpty || !plan.warnings.isEmpty || !plan.waived.isEmpty else {
        lines.append("\(plan.name): nothing to do")
        continue
      }
      lines.append("\(plan.name) (\(plan.isActive ? "running" : "shut off")):")
      for detach in plan.detaches {
        lines.append("  would detach \(detach.finding.device.map { "\($0)" } ?? "a device") from the running domain [\(detach.finding.rule.path)]")
      }
      if let rewrite = plan.rewrite {
        lines.append("  would rewrite the definition (backed up first):")
        lines += rewrite.diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "    " + $0 }
      }
      for finding in plan.refusals { lines.append("  refuse: \(finding.message) [\(finding.rule.path)]" + Self.expiry(finding)) }
      for finding in plan.warnings { lines.append("  warn: \(finding.message) [\(finding.rule.path)]" + Self.expiry(finding)) }
      lines += Self.waived(plan)
    }
    let changing = plans.filter(\.changesSomething).count
    lines.append("dry run: \(changing) of \(plans.count) domain\(plans.count == 1 ? "" : "s") would change; nothing was changed")
    return lines.joined(separator: "\n") + "\n"
  }

  public func render(outcomes: [Enforcer.Outcome]) -> String {
    var lines: [String] = []
    for outcome in outcomes {
      let plan = outcome.plan
      if outcome.events.isEmpty && outcome.errors.isEmpty && plan.refusals.isEmpty && plan.warnings.isEmpty && plan.waived.isEmpty {
        lines.append("\(plan.name): nothing to do")
        continue
      }
      lines.append("\(plan.name):")
      for event in outcome.events { lines.append("  \(event)") }
      for error in outcome.errors { lines.append("  error: \(error)") }
      for finding in plan.refusals {
        lines.append("  refuse (the hook blocks its next start): \(finding.message) [\(finding.rule.path)]" + Self.expiry(finding))
      }
      for finding in plan.warnings { lines.append("  warn: \(finding.message)" + Self.expiry(finding)) }
      lines += Self.waived(plan)
    }
    let changed = outcomes.filter { !$0.events.isEmpty }.count
    let failed = outcomes.filter { !$0.errors.isEmpty }.count
    lines.append("enforced: \(changed) domain\(changed == 1 ? "" : "s") changed, \(failed) with errors")
    return lines.joined(separator: "\n") + "\n"
  }

  /// What a waiver in force leaves alone, with the waiver.
  private static func waived(_ plan: DomainPlan) -> [String] {
    plan.waived.flatMap { finding in
      ["  waived, left alone [\(finding.action.rawValue)]: \(finding.message) [\(finding.rule.path)]"]
        + (finding.waiver.map { ["    " + $0.summary] } ?? [])
    }
  }

  /// `; waiver waivers[x] expired on ...` for a finding whose waiver has expired.
  private static func expiry(_ finding: Finding) -> String {
    guard let waiver = finding.waiver?.waiver else { return "" }
    return " (waiver \(waiver.reference.path) expired on \(waiver.expires))"
  }
}
