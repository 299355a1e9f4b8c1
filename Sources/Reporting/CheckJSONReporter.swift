public import Checking
import Engine
import Policy

/// The check report as JSON, schema `kvmpolicy.check` version 1 (documented in README.md).
public struct CheckJSONReporter: StreamingCheckReporter {
  /// `json`.
  public static let identifier = "json"
  /// The schema name written into every document.
  public static let schema = "kvmpolicy.check"
  /// The schema version; bumped on any incompatible change.
  public static let version = 1
  private let options: ReportOptions

  /// Creates the reporter.
  public init(options: ReportOptions) {
    self.options = options
  }

  // One JSON document, written in pieces: the members before `sources`, each source as an
  // element of `sources`, then `summary` last (so it can be counted while streaming).

  /// `{`, schema, tool and policy, and the opening of `sources`.
  public func head(policyFile: String, policyDescription: String?) -> String {
    var output: [UInt8] = []
    output += "{\n".utf8
    for (key, value) in [
      ("schema", JSONValue.string(Self.schema)), ("version", .int(Self.version)),
      ("tool", .object([("name", .string("kvmpolicy")), ("version", .string(options.toolVersion))])),
      ("policy", .object([("file", .string(policyFile)), ("description", .string(policyDescription))])),
    ] {
      JSONValue.writeMember(key, value, to: &output, indent: 2)
      output += ",\n".utf8
    }
    output += "  \"sources\": [".utf8
    return String(decoding: output, as: UTF8.self)
  }

  /// One element of `sources`.
  public func chunk(_ result: CheckReport.SourceResult, index: Int) -> String {
    var output: [UInt8] = []
    output += (index == 0 ? "\n    " : ",\n    ").utf8
    source(result).write(to: &output, indent: 4)
    return String(decoding: output, as: UTF8.self)
  }

  /// The end of `sources`, the summary, `}`.
  public func tail(_ summary: CheckSummary, sourceCount: Int) -> String {
    var output: [UInt8] = []
    output += (sourceCount == 0 ? "],\n" : "\n  ],\n").utf8
    JSONValue.writeMember(
      "summary",
      .object([
        ("domains", .int(summary.domains)), ("compliant", .int(summary.compliant)), ("violating", .int(summary.violating)),
        ("errors", .int(summary.errors)), ("warnings", .int(summary.warnings)), ("inputErrors", .int(summary.inputErrors)),
      ]), to: &output, indent: 2)
    output += "\n}\n".utf8
    return String(decoding: output, as: UTF8.self)
  }

  private func source(_ result: CheckReport.SourceResult) -> JSONValue {
    let source = result.source
    return .object([
      ("kind", .string(source.kind.rawValue)),
      ("name", .string(source.name)),
      ("uri", .string(source.uri)),
      ("error", source.error.map { .object([("message", .string($0.message)), ("line", .int($0.line)), ("column", .int($0.column))]) } ?? .null),
      ("domains", .array(result.domains.map(domain))),
    ])
  }

  private func domain(_ domain: CheckReport.DomainResult) -> JSONValue {
    .object([
      ("name", .string(domain.name)),
      ("uuid", .string(domain.uuid)),
      ("state", .string(domain.state)),
      ("override", .string(domain.override)),
      ("error", .string(domain.error)),
      ("compliant", .bool(domain.error == nil ? !domain.hasViolations : nil)),
      ("findings", .array(domain.evaluations.flatMap { scope, evaluation in evaluation.findings.map { finding($0, scope: scope) } })),
    ])
  }

  private func finding(_ finding: Finding, scope: CheckReport.Scope) -> JSONValue {
    .object([
      ("id", .string(finding.id)),
      ("scope", .string(scope.rawValue)),
      ("check", .string(finding.check.rawValue)),
      ("severity", .string(finding.severity.rawValue)),
      ("action", .string(finding.action.rawValue)),
      ("message", .string(finding.message)),
      ("attribute", .string(finding.attribute)),
      ("rule", rule(finding.rule)),
      ("device", finding.device.map(device) ?? .null),
      ("set", .object(finding.assignments.map { ($0.attribute, .string($0.value)) })),
    ])
  }

  private func rule(_ rule: RuleReference) -> JSONValue {
    .object([
      ("path", .string(rule.path)), ("file", .string(rule.location?.file)), ("line", .int(rule.location?.line)),
      ("column", .int(rule.location?.column)),
    ])
  }

  private func device(_ device: DeviceReference) -> JSONValue {
    .object([
      ("class", .string(device.deviceClass)), ("index", .int(device.index)), ("alias", .string(device.alias)),
      ("address", .string(device.address)), ("line", .int(device.line)), ("kind", .string(device.kind)),
    ])
  }
}
