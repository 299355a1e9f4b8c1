public import Checking
import Engine
import Parallel
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
  /// From how many domains in one source they are rendered on every core.
  nonisolated(unsafe) static var concurrentThreshold = 64

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
    var writer = JSONWriter(indent: 4)
    source(result, to: &writer)
    let prefix = index == 0 ? "\n    " : ",\n    "
    return prefix + String(decoding: writer.bytes, as: UTF8.self)
  }

  /// The end of `sources`, the summary, `}`.
  public func tail(_ summary: CheckSummary, sourceCount: Int) -> String {
    var output: [UInt8] = []
    output += (sourceCount == 0 ? "],\n" : "\n  ],\n").utf8
    JSONValue.writeMember(
      "summary",
      .object([
        ("domains", .int(summary.domains)), ("compliant", .int(summary.compliant)), ("violating", .int(summary.violating)),
        ("errors", .int(summary.errors)), ("warnings", .int(summary.warnings)), ("waived", .int(summary.waived)),
        ("inputErrors", .int(summary.inputErrors)),
      ]), to: &output, indent: 2)
    output += "\n}\n".utf8
    return String(decoding: output, as: UTF8.self)
  }

  // Sources, domains and findings are written straight to bytes: they grow with the fleet.

  private func source(_ result: CheckReport.SourceResult, to writer: inout JSONWriter) {
    let source = result.source
    writer.beginObject()
    writer.member("kind", source.kind.rawValue)
    writer.member("name", source.name)
    writer.member("uri", source.uri)
    writer.member("error", object: source.error) { writer, error in
      writer.member("message", error.message)
      writer.member("line", error.line)
      writer.member("column", error.column)
    }
    writer.key("domains")
    writer.beginArray()
    // Each domain on its own writer at the depth it sits at; a host's worth on every core.
    let rendered = Parallel.map(result.domains, minimumCount: Self.concurrentThreshold) { domain -> [UInt8] in
      var own = JSONWriter(indent: 8)
      self.domain(domain, to: &own)
      return own.bytes
    }
    for bytes in rendered { writer.element(raw: bytes) }
    writer.endArray()
    writer.endObject()
  }

  private func domain(_ domain: CheckReport.DomainResult, to writer: inout JSONWriter) {
    writer.beginObject()
    writer.member("name", domain.name)
    writer.member("uuid", domain.uuid)
    writer.member("state", domain.state)
    writer.member("override", domain.override)
    writer.member("error", domain.error)
    writer.member("compliant", domain.error == nil ? !domain.hasViolations : nil)
    writer.key("findings")
    writer.beginArray()
    for (scope, evaluation) in domain.evaluations {
      for finding in evaluation.findings {
        writer.element()
        self.finding(finding, scope: scope, to: &writer)
      }
    }
    writer.endArray()
    writer.endObject()
  }

  private func finding(_ finding: Finding, scope: CheckReport.Scope, to writer: inout JSONWriter) {
    writer.beginObject()
    writer.member("id", finding.id)
    writer.member("scope", scope.rawValue)
    writer.member("check", finding.check.rawValue)
    writer.member("severity", finding.severity.rawValue)
    writer.member("action", finding.action.rawValue)
    writer.member("message", finding.message)
    writer.member("attribute", finding.attribute)
    writer.member("rule", object: finding.rule) { writer, rule in
      writer.member("path", rule.path)
      writer.member("file", rule.location?.file)
      writer.member("line", rule.location?.line)
      writer.member("column", rule.location?.column)
    }
    writer.member("device", object: finding.device) { writer, device in
      writer.member("class", device.deviceClass)
      writer.member("index", device.index)
      writer.member("alias", device.alias)
      writer.member("address", device.address)
      writer.member("line", device.line)
      writer.member("kind", device.kind)
    }
    writer.key("set")
    writer.beginObject()
    for assignment in finding.assignments { writer.member(assignment.attribute, assignment.value) }
    writer.endObject()
    writer.member("waiver", object: finding.waiver) { writer, applied in
      let waiver = applied.waiver
      writer.member("name", waiver.name)
      writer.member("path", waiver.reference.path)
      writer.member("reason", waiver.reason)
      writer.member("owner", waiver.owner)
      writer.member("expires", waiver.expires.description)
      writer.member("expired", applied.expired)
      writer.member("file", waiver.reference.location?.file)
      writer.member("line", waiver.reference.location?.line)
      writer.member("column", waiver.reference.location?.column)
    }
    writer.endObject()
  }
}
