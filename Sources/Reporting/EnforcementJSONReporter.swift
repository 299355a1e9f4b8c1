import Engine
public import Enforcement

/// Plans and outcomes as JSON, schema `kvmpolicy.enforce` version 1, for automation: what was
/// planned (`dryRun: true`) or done, per domain, with the findings behind each step.
public struct EnforcementJSONReporter: EnforcementReporter {
  /// `json`.
  public static let identifier = "json"
  /// The schema's name.
  public static let schema = "kvmpolicy.enforce"
  /// The schema's version.
  public static let version = 1

  private let options: ReportOptions

  /// Creates the reporter.
  public init(options: ReportOptions) {
    self.options = options
  }

  public func render(plans: [DomainPlan]) -> String {
    document(dryRun: true, domains: plans.map { domain($0, outcome: nil) }, changed: plans.filter(\.changesSomething).count,
      failed: plans.filter { $0.error != nil }.count)
  }

  public func render(outcomes: [Enforcer.Outcome]) -> String {
    document(dryRun: false, domains: outcomes.map { domain($0.plan, outcome: $0) }, changed: outcomes.filter { !$0.events.isEmpty }.count,
      failed: outcomes.filter { !$0.errors.isEmpty }.count)
  }

  private func document(dryRun: Bool, domains: [JSONValue], changed: Int, failed: Int) -> String {
    JSONValue.object([
      ("schema", .string(Self.schema)), ("version", .int(Self.version)),
      ("tool", .object([("name", .string("kvmpolicy")), ("version", .string(options.toolVersion))])),
      ("dryRun", .bool(dryRun)),
      ("domains", .array(domains)),
      ("summary", .object([("domains", .int(domains.count)), ("changed", .int(changed)), ("withErrors", .int(failed))])),
    ]).rendered()
  }

  private func domain(_ plan: DomainPlan, outcome: Enforcer.Outcome?) -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("name", .string(plan.name)), ("uuid", .string(plan.uuid)), ("state", .string(plan.isActive ? "running" : "shut off")),
      ("error", .string(plan.error)),
      ("detaches", .array(plan.detaches.map { detach in
        .object([("alias", .string(detach.alias)), ("finding", finding(detach.finding))])
      })),
      ("rewrite", plan.rewrite.map { rewrite in
        .object([("findings", .array(rewrite.findings.map(finding))), ("diff", .string(rewrite.diff))])
      } ?? .null),
      ("refusals", .array(plan.refusals.map(finding))),
      ("warnings", .array(plan.warnings.map(finding))),
      ("waived", .array(plan.waived.map(finding))),
    ]
    if let outcome {
      members += [
        ("events", .array(outcome.events.map { .string($0) })), ("errors", .array(outcome.errors.map { .string($0) })),
        ("backup", .string(outcome.backup?.id)),
      ]
    }
    return .object(members)
  }

  private func finding(_ finding: Finding) -> JSONValue {
    .object([
      ("id", .string(finding.id)), ("check", .string(finding.check.rawValue)), ("action", .string(finding.action.rawValue)),
      ("message", .string(finding.message)), ("rule", .string(finding.rule.path)),
      ("device", .string(finding.device.map { "\($0)" })),
      ("waiver", finding.waiver.map(waiver) ?? .null),
    ])
  }

  /// The waiver on a finding: in force (on a waived finding) or expired.
  private func waiver(_ applied: AppliedWaiver) -> JSONValue {
    .object([
      ("name", .string(applied.waiver.name)), ("path", .string(applied.waiver.reference.path)),
      ("reason", .string(applied.waiver.reason)), ("owner", .string(applied.waiver.owner)),
      ("expires", .string(applied.waiver.expires.description)), ("expired", .bool(applied.expired)),
    ])
  }
}
