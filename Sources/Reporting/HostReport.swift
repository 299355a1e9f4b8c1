public import HostAudit

/// Renders host checks: text for a terminal, JSON (schema `kvmpolicy.host` v1) for machines.
public enum HostReport {
  /// One block per guide section, one line per check with its evidence indented below.
  public static func text(_ checks: [HostCheck], colors: Bool = false) -> String {
    var lines: [String] = []
    var section = ""
    for check in checks {
      if check.section != section {
        if !lines.isEmpty { lines.append("") }
        section = check.section
        lines.append(section)
      }
      let status = check.status.rawValue.padding(7)
      lines.append("  " + paint(status, check.status, colors) + " " + check.title)
      for line in check.evidence { lines.append("          " + line) }
    }
    let counts = [HostCheck.Status.pass, .fail, .warn, .unknown].map { status in
      "\(checks.filter { $0.status == status }.count) \(status.rawValue)"
    }
    lines.append("")
    lines.append("\(checks.count) checks: " + counts.joined(separator: ", "))
    return lines.joined(separator: "\n") + "\n"
  }

  /// The checks as JSON.
  public static func json(_ checks: [HostCheck]) -> String {
    JSONValue.object([
      ("schema", .string("kvmpolicy.host")),
      ("version", .int(1)),
      (
        "checks",
        .array(
          checks.map { check in
            .object([
              ("id", .string(check.id)), ("section", .string(check.section)), ("title", .string(check.title)),
              ("status", .string(check.status.rawValue)), ("evidence", .array(check.evidence.map(JSONValue.string))),
            ])
          })
      ),
    ]).rendered()
  }

  private static func paint(_ text: String, _ status: HostCheck.Status, _ colors: Bool) -> String {
    guard colors else { return text }
    let code =
      switch status {
      case .pass: "32"
      case .fail: "1;31"
      case .warn: "33"
      case .unknown: "35"
      }
    return "\u{1B}[\(code)m\(text)\u{1B}[0m"
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
