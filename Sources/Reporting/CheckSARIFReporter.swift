public import Checking
import Engine

/// The check report as SARIF 2.1.0, for domain XML kept in git (code scanning, review bots):
/// one rule per check with its rationale as help and a `security-severity`; one result per
/// finding at its device element's line in the file (`--xml`), or at the definition libvirt
/// keeps (`/etc/libvirt/qemu/<name>.xml`) for libvirt sources; the stable finding ID is the
/// result's fingerprint, so a finding keeps its identity across runs.
public struct CheckSARIFReporter: CheckReporter {
  /// `sarif`.
  public static let identifier = "sarif"
  /// Where libvirt's QEMU driver keeps persistent definitions.
  static let definitions = "/etc/libvirt/qemu/"
  private let options: ReportOptions

  /// Creates the reporter.
  public init(options: ReportOptions) {
    self.options = options
  }

  /// The whole report as one SARIF log with one run.
  public func render(_ report: CheckReport) -> String {
    let checks = Check.allCases
    let rules = checks.map { check -> JSONValue in
      let documentation = check.documentation
      return .object([
        ("id", .string(check.rawValue)), ("name", .string(Self.ruleName(check))),
        ("shortDescription", .object([("text", .string(documentation.name))])),
        ("fullDescription", .object([("text", .string(documentation.rationale))])),
        ("help", .object([("text", .string("\(documentation.name). \(documentation.rationale)"))])),
        ("defaultConfiguration", .object([("level", .string("error"))])),
        ("properties", .object([("security-severity", .string(Self.securitySeverity(check))), ("tags", .array([.string("security")]))])),
      ])
    }
    var results: [JSONValue] = []
    for source in report.sources {
      for domain in source.domains {
        for (scope, evaluation) in domain.evaluations {
          for finding in evaluation.findings {
            results.append(result(finding, domain: domain.name, scope: scope, source: source, ruleIndex: checks.firstIndex(of: finding.check) ?? 0))
          }
        }
      }
    }
    let log = JSONValue.object([
      ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
      ("version", .string("2.1.0")),
      (
        "runs",
        .array([
          .object([
            (
              "tool",
              .object([
                (
                  "driver",
                  .object([
                    ("name", .string("kvmpolicy")), ("version", .string(options.toolVersion)), ("rules", .array(rules)),
                  ])
                )
              ])
            ),
            ("results", .array(results)),
            ("properties", .object([("policy", .string(report.policyFile))])),
          ])
        ])
      ),
    ])
    return log.rendered()
  }

  private func result(
    _ finding: Finding, domain: String, scope: CheckReport.Scope, source: CheckReport.SourceResult, ruleIndex: Int
  ) -> JSONValue {
    var physical: [(String, JSONValue)] = []
    switch source.source.kind {
    case .file:
      physical.append(("artifactLocation", .object([("uri", .string(Self.uri(path: source.source.name)))])))
      // Domain-level findings (sVirt, passthrough) point at the domain's first line.
      physical.append(("region", .object([("startLine", .int(max(1, finding.device?.line ?? 1)))])))
    case .libvirt:
      // Lines in libvirt's live XML are not lines of any file: the definition file, no region.
      physical.append(("artifactLocation", .object([("uri", .string(Self.uri(path: Self.definitions + domain + ".xml")))])))
    }
    var properties: [(String, JSONValue)] = [
      ("action", .string(finding.action.rawValue)), ("domain", .string(domain)), ("scope", .string(scope.rawValue)),
      ("rule", .string(finding.rule.path)),
    ]
    if let uri = source.source.uri { properties.append(("connection", .string(uri))) }
    if let applied = finding.waiver {
      properties.append(("waiver", .string(applied.waiver.reference.path)))
      properties.append(("waiverExpires", .string(applied.waiver.expires.description)))
      properties.append(("waiverExpired", .bool(applied.expired)))
    }
    var members: [(String, JSONValue)] = [
      ("ruleId", .string(finding.check.rawValue)), ("ruleIndex", .int(ruleIndex)),
      // The level the policy gives, waived or not: a waiver is a suppression, below.
      ("level", .string(finding.action == .warn ? "warning" : "error")),
      ("message", .object([("text", .string(finding.message))])),
      ("locations", .array([.object([("physicalLocation", .object(physical))])])),
      ("partialFingerprints", .object([("kvmpolicyFindingId/v1", .string(finding.id))])),
      ("properties", .object(properties)),
    ]
    // A waiver in force is an accepted, external suppression (the policy file, not the XML,
    // says so); an expired one suppresses nothing.
    if let applied = finding.waiver, !applied.expired {
      let waiver = applied.waiver
      members.append(
        (
          "suppressions",
          .array([
            .object([
              ("kind", .string("external")), ("status", .string("accepted")),
              ("justification", .string("\(waiver.reason) (owner \(waiver.owner), until \(waiver.expires), \(waiver.reference.path))")),
            ])
          ])
        ))
    }
    return .object(members)
  }

  /// `device-denied` -> `DeviceDenied`: SARIF's rule name is a Pascal-case identifier.
  static func ruleName(_ check: Check) -> String {
    check.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  /// GitHub's `security-severity` (0.0 to 10.0): what slipping past the check exposes.
  static func securitySeverity(_ check: Check) -> String {
    switch check {
    case .qemuPassthrough: "9.0"
    case .seclabelNone, .seclabelModel, .seclabelUnconfined, .seclabelShared: "8.0"
    case .pathTraversal, .bootFile: "7.5"
    case .seclabelType, .seclabelRelabel: "6.5"
    case .deviceDenied, .classDenied, .deviceNotAllowed: "6.0"
    }
  }

  /// A path as a URI reference: characters a URI may not hold are percent-encoded.
  static func uri(path: String) -> String {
    var result = ""
    for byte in path.utf8 {
      let allowed =
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "/-._~!$&'()*+,;=:@".utf8.contains(byte)
      if allowed {
        result.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return result
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
