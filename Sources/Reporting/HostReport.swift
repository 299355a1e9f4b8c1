public import HostAudit
import Plot

/// Renders host checks (a ``Reporter`` of `[HostCheck]`).
public protocol HostReporter: Reporter where Input == [HostCheck] {}

/// The reporters `host` offers, by identifier: text for a terminal, JSON (schema
/// `kvmpolicy.host` v2), JUnit for CI pipelines, one self-contained HTML page, and Prometheus
/// metrics for node_exporter's textfile collector.
public enum HostReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [
    HostTextReporter.identifier, HostJSONReporter.identifier, HostJUnitReporter.identifier, HostHTMLReporter.identifier,
    HostPrometheusReporter.identifier,
  ]

  /// The reporter for a format name.
  public static func reporter(for identifier: String, options: ReportOptions) -> (any HostReporter)? {
    switch identifier {
    case HostTextReporter.identifier: HostTextReporter(colors: options.colors)
    case HostJSONReporter.identifier: HostJSONReporter()
    case HostJUnitReporter.identifier: HostJUnitReporter()
    case HostHTMLReporter.identifier: HostHTMLReporter()
    case HostPrometheusReporter.identifier: HostPrometheusReporter(options: options)
    default: nil
    }
  }
}

/// Host checks grouped by section for a terminal, coloured when asked.
public struct HostTextReporter: HostReporter {
  /// `text`.
  public static let identifier = "text"
  let colors: Bool
  public func render(_ checks: [HostCheck]) -> String { HostReport.text(checks, colors: colors) }
}

/// Host checks as JSON, schema `kvmpolicy.host` v2.
public struct HostJSONReporter: HostReporter {
  /// `json`.
  public static let identifier = "json"
  public func render(_ checks: [HostCheck]) -> String { HostReport.json(checks) }
}

/// Host checks as JUnit XML: a test suite per section.
public struct HostJUnitReporter: HostReporter {
  /// `junit`.
  public static let identifier = "junit"
  public func render(_ checks: [HostCheck]) -> String { HostReport.junit(checks) }
}

/// Host checks as one self-contained HTML page.
public struct HostHTMLReporter: HostReporter {
  /// `html`.
  public static let identifier = "html"
  public func render(_ checks: [HostCheck]) -> String { HostReport.html(checks) }
}

/// The renderings the host reporters use.
enum HostReport {
  /// One `<testsuite>` per guide section, one `<testcase>` per check: FAIL is a `<failure>`,
  /// UNKNOWN is `<skipped>`, WARN keeps its evidence in `<system-out>`.
  static func junit(_ checks: [HostCheck]) -> String {
    let suites = sections(checks).map { section in
      JUnitDocument.Suite(
        name: section,
        cases: checks.filter { $0.section == section }.map { check in
          let evidence = check.evidence.joined(separator: "\n")
          let outcome: JUnitDocument.Outcome =
            switch check.status {
            case .fail: .failure(message: check.title, body: evidence)
            case .unknown: .skipped(message: check.evidence.first ?? "unknown")
            case .warn, .pass: .systemOut("\(check.status.rawValue): \(evidence)")
            }
          return JUnitDocument.TestCase(classname: section, name: check.id, outcomes: [outcome])
        })
    }
    return JUnitDocument(name: "kvmpolicy host", suites: suites).rendered()
  }

  /// One self-contained page: a count per verdict, then a table per guide section.
  static func html(_ checks: [HostCheck]) -> String {
    let counts = [HostCheck.Status.pass, .fail, .warn, .unknown].map { status in (status, checks.filter { $0.status == status }.count) }
    let page = HTML(
      .lang(.english),
      .head(
        .meta(.charset(.utf8)),
        .meta(.attribute(named: "http-equiv", value: "Content-Security-Policy"), .content("default-src 'none'; style-src 'unsafe-inline'")),
        .element(named: "title", text: "kvmpolicy host"),
        .style(css)
      ),
      .body(
        .h1("kvmpolicy host"),
        .p(.class("counts"), .forEach(counts) { status, count in .span(.class("status \(status.rawValue)"), .text("\(count) \(status.rawValue)")) }),
        .forEach(sections(checks)) { section in
          .section(
            .h2(.literal(section)),
            .table(
              .tr(.th("Verdict"), .th("Check"), .th("Evidence")),
              .forEach(checks.filter { $0.section == section }) { check in
                .tr(
                  .td(.span(.class("status \(check.status.rawValue)"), .text(check.status.rawValue))),
                  .td(.literal(check.title), .br(), .code(.literal(check.id))),
                  .td(.ul(.forEach(check.evidence) { .li(.literal($0)) }))
                )
              }
            )
          )
        }
      )
    )
    return page.render(indentedBy: .spaces(2)) + "\n"
  }

  private static func sections(_ checks: [HostCheck]) -> [String] {
    var seen: [String] = []
    for check in checks where !seen.contains(check.section) { seen.append(check.section) }
    return seen
  }

  private static let css = """
    body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 75rem; color: #1d2330; }
    table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
    th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid #dde1e8; }
    td ul { margin: 0; padding-left: 1rem; font-family: ui-monospace, monospace; font-size: 0.85rem; }
    code { color: #5a6272; font-size: 0.8rem; }
    .status { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 0.6rem; font-weight: 600; font-size: 0.8rem; margin-right: 0.4rem; }
    .PASS { background: #e3f4e8; color: #1b6b35; } .FAIL { background: #fde6e6; color: #a31b1b; }
    .WARN { background: #fff1d6; color: #8a5a00; } .UNKNOWN { background: #eceaf6; color: #4b3f8a; }
    """

  /// One block per guide section, one line per check with its evidence indented below.
  static func text(_ checks: [HostCheck], colors: Bool = false) -> String {
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
  static func json(_ checks: [HostCheck]) -> String {
    JSONValue.object([
      ("schema", .string("kvmpolicy.host")),
      ("version", .int(2)),
      (
        "checks",
        .array(
          checks.map { check in
            .object([
              ("id", .string(check.id)), ("section", .string(check.section)), ("title", .string(check.title)),
              ("status", .string(check.status.rawValue)), ("evidence", .array(check.evidence.map(JSONValue.string))),
              ("properties", .object(check.properties.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })),
            ])
          })
      ),
    ]).rendered()
  }

  private static func json(_ value: HostValue) -> JSONValue {
    switch value {
    case .bool(let flag): .bool(flag)
    case .int(let number): .int(number)
    case .string(let text): .string(text)
    case .strings(let texts): .array(texts.map(JSONValue.string))
    }
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
