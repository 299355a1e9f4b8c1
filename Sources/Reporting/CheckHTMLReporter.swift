public import Checking
import Engine
import Inventory
import Plot
import Policy

/// The check report as one self-contained HTML5 page for operators: inline CSS, no script, no
/// external resource, no timestamp (the same report gives the same bytes). A summary, a table of
/// domains, a table of device classes, then every finding grouped by source and domain.
///
/// All user-controlled text (domain names, messages, paths, policy text) goes through
/// `Node.literal`, never `.raw`, and never into an attribute: Plot does not escape attribute
/// values, so attributes carry only constants and counters.
public struct CheckHTMLReporter: CheckReporter {
  /// `html`.
  public static let identifier = "html"
  private let options: ReportOptions

  /// Creates the reporter.
  public init(options: ReportOptions) {
    self.options = options
  }

  /// The whole report as one HTML document.
  public func render(_ report: CheckReport) -> String {
    let summary = CheckSummary(report)
    let numbered = Self.number(report)
    let html = HTML(
      .lang(.english),
      .head(
        .meta(.charset(.utf8)),
        .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
        // Defence in depth: even if text slipped through unescaped, no script or remote load runs.
        .meta(
          .attribute(named: "http-equiv", value: "Content-Security-Policy"),
          .content("default-src 'none'; style-src 'unsafe-inline'")),
        .meta(.name("generator"), .content("kvmpolicy")),
        .element(named: "title", text: "kvmpolicy check"),
        .style(Self.stylesheet)
      ),
      .body(
        header(report, summary),
        .main(
          summarySection(summary),
          inputErrorsSection(report, numbered),
          domainTable(report, numbered),
          classTable(report),
          findingsSection(report, numbered)
        ),
        .footer(
          .class("page-footer"),
          .text("kvmpolicy "), .literal(options.toolVersion), .text(" · policy "), .literal(report.policyFile))
      )
    )
    return html.render(indentedBy: .spaces(2)) + "\n"
  }

  // MARK: - Header and summary

  private func header(_ report: CheckReport, _ summary: CheckSummary) -> Node<HTML.BodyContext> {
    .header(
      .class("page-header"),
      .h1("kvmpolicy check"),
      .dl(
        .class("meta"),
        .dt("Policy"), .dd(.code(.literal(report.policyFile))),
        .unwrap(report.policyDescription) { .group(.dt("Description"), .dd(.literal($0))) },
        .dt("Sources"), .dd(.literal(sourceList(report))),
        .dt("Tool"), .dd(.text("kvmpolicy "), .literal(options.toolVersion))
      ),
      .forEach(banners(summary)) { banner in .p(.class("banner \(banner.style)"), .text(banner.text)) }
    )
  }

  private func sourceList(_ report: CheckReport) -> String {
    report.sources.isEmpty ? "none" : report.sources.map { Self.title($0.source) }.joined(separator: ", ")
  }

  /// The overall verdict, in the order the exit code weighs it.
  /// `Resources/report.css`, embedded in the binary at build time (no bundle to install).
  static let stylesheet = "\n" + String(decoding: PackageResources.report_css, as: UTF8.self)

  private func banners(_ summary: CheckSummary) -> [(style: String, text: String)] {
    var banners: [(String, String)] = []
    if summary.inputErrors > 0 {
      let unread = Self.count(summary.inputErrors, "source or domain", "sources or domains")
      banners.append(("banner-input", "\(unread) could not be read; nothing was judged there."))
    }
    let domains = Self.count(summary.domains, "domain")
    if summary.violating > 0 {
      let findings = Self.count(summary.errors, "error finding")
      banners.append(("banner-error", "Violations: \(summary.violating) of \(domains) break the policy (\(findings))."))
    } else if summary.warnings > 0 {
      let warnings = Self.count(summary.warnings, "warning")
      banners.append(("banner-warning", "Compliant with \(warnings): every domain judged follows the policy."))
    } else if summary.domains > 0 {
      banners.append(("banner-ok", "Compliant: all \(domains) follow the policy."))
    } else if summary.inputErrors == 0 {
      banners.append(("banner-neutral", "No domains were checked."))
    }
    return banners
  }

  private func summarySection(_ summary: CheckSummary) -> Node<HTML.BodyContext> {
    let tiles: [(label: String, value: Int, style: String)] = [
      ("Domains checked", summary.domains, "tile-neutral"),
      ("Compliant", summary.compliant, summary.compliant > 0 ? "tile-ok" : "tile-neutral"),
      ("Violating", summary.violating, summary.violating > 0 ? "tile-error" : "tile-neutral"),
      ("Error findings", summary.errors, summary.errors > 0 ? "tile-error" : "tile-neutral"),
      ("Warnings", summary.warnings, summary.warnings > 0 ? "tile-warning" : "tile-neutral"),
      ("Input errors", summary.inputErrors, summary.inputErrors > 0 ? "tile-input" : "tile-neutral"),
    ] + (summary.waived > 0 ? [("Waived", summary.waived, "tile-waived")] : [])
    return .section(
      .id("summary"),
      .h2("Summary"),
      .div(
        .class("tiles"),
        .forEach(tiles) { tile in
          .div(
            .class("tile \(tile.style)"), .span(.class("tile-value"), .text(String(tile.value))),
            .span(.class("tile-label"), .text(tile.label)))
        }
      )
    )
  }

  private func inputErrorsSection(_ report: CheckReport, _ numbered: [[NumberedDomain]]) -> Node<HTML.BodyContext> {
    var items: [Node<HTML.ListContext>] = []
    for (index, result) in report.sources.enumerated() {
      if let error = result.source.error {
        items.append(
          .li(
            .a(.href("#source-\(index + 1)"), .literal(Self.title(result.source))), .text(": "),
            .code(.literal(error.description))))
      }
      for domain in numbered[index] {
        guard let error = domain.result.error else { continue }
        items.append(
          .li(
            .a(.href("#domain-\(domain.number)"), .literal(domain.result.name)), .text(" on "),
            .literal(Self.title(result.source)), .text(": "),
            .literal(error)))
      }
    }
    guard !items.isEmpty else { return .empty }
    return .section(
      .id("input-errors"), .class("input-errors"),
      .h2("Input errors"),
      .p("These could not be read, so the policy was not applied to them. The check exits with status 2."),
      .ul(.group(items))
    )
  }

  // MARK: - Summary tables

  /// Actions from the strongest, the order the table columns use.
  private static let actions: [Action] = Action.allCases.sorted(by: >)

  private func domainTable(_ report: CheckReport, _ numbered: [[NumberedDomain]]) -> Node<HTML.BodyContext> {
    let columns = 5 + Self.actions.count
    var bodies: [Node<HTML.TableContext>] = []
    for (index, result) in report.sources.enumerated() {
      var rows: [Node<HTML.TableContext>] = [
        .tr(
          .class("group"),
          .th(
            .attribute(named: "colspan", value: String(columns)), .attribute(named: "scope", value: "colgroup"),
            .span(.class("kind"), .text(result.source.kind.rawValue)), .literal(Self.title(result.source))))
      ]
      if let error = result.source.error {
        rows.append(
          .tr(
            .class("row-input"),
            .td(
              .attribute(named: "colspan", value: String(columns)), .span(.class("badge verdict-input"), .text("input error")),
              .literal(" " + error.message))))
      } else if result.domains.isEmpty {
        rows.append(.tr(.td(.attribute(named: "colspan", value: String(columns)), .class("muted"), .text("No domains."))))
      }
      for domain in numbered[index] { rows.append(domainRow(domain)) }
      bodies.append(.tbody(.group(rows)))
    }
    return .section(
      .id("domains"),
      .h2("Domains"),
      .table(
        .class("grid domains"),
        .thead(
          .tr(
            .th("Domain"), .th("State"), .th("Override"), .th("Verdict"),
            .th(.class("num"), .text("Findings")),
            .forEach(Self.actions) { .th(.class("num"), .span(.class("action action-\($0.rawValue)"), .text($0.rawValue))) })),
        .group(bodies)
      )
    )
  }

  private func domainRow(_ domain: NumberedDomain) -> Node<HTML.TableContext> {
    let result = domain.result
    let findings = result.findings
    let verdict = Verdict(result)
    return .tr(
      .class("row-\(verdict.style)"),
      .td(.a(.href("#domain-\(domain.number)"), .literal(result.name))),
      .td(.literal(result.state ?? "—")),
      .td(.unwrap(result.override, { .code(.literal($0)) }, else: .text("—"))),
      .td(.span(.class("badge verdict-\(verdict.style)"), .text(verdict.text))),
      .td(.class(findings.isEmpty ? "num zero" : "num"), .text(String(findings.count))),
      .forEach(Self.actions) { action in
        let count = findings.filter { $0.action == action && !$0.isWaived }.count
        return .td(.class(count == 0 ? "num zero" : "num"), .text(String(count)))
      }
    )
  }

  private func classTable(_ report: CheckReport) -> Node<HTML.BodyContext> {
    var findings: [String: [Finding]] = [:]
    var domains: [String: Set<String>] = [:]
    var otherSubjects = 0
    for (index, result) in report.sources.enumerated() {
      for domain in result.domains {
        for finding in domain.findings {
          guard let device = finding.device else {
            otherSubjects += 1
            continue
          }
          findings[device.deviceClass, default: []].append(finding)
          // Domain names are unique within a source only.
          domains[device.deviceClass, default: []].insert("\(index)\u{1F}\(domain.name)")
        }
      }
    }
    let rows = findings.keys.sorted().map { deviceClass -> Node<HTML.TableContext> in
      let list = findings[deviceClass] ?? []
      let errors = list.filter { $0.severity == .error }.count
      let warnings = list.filter { $0.severity == .warning }.count
      let checks = Set(list.map(\.check.rawValue)).sorted()
      return .tr(
        .td(.class("class-name"), .code(.literal(deviceClass))),
        .td(.class("num"), .text(String(list.count))),
        .td(.class(errors == 0 ? "num zero" : "num sev-text-error"), .text(String(errors))),
        .td(.class(warnings == 0 ? "num zero" : "num sev-text-warning"), .text(String(warnings))),
        .td(.class("num"), .text(String(domains[deviceClass]?.count ?? 0))),
        .td(.forEach(checks.enumerated()) { offset, check in .group(.if(offset > 0, .text(", ")), .code(.literal(check))) })
      )
    }
    let body: Node<HTML.BodyContext> =
      rows.isEmpty
      ? .p(.class("muted"), .text("No device has a finding."))
      : .table(
        .class("grid classes"),
        .thead(
          .tr(
            .th("Device class"), .th(.class("num"), .text("Findings")), .th(.class("num"), .text("Errors")),
            .th(.class("num"), .text("Warnings")), .th(.class("num"), .text("Domains affected")), .th("Checks"))),
        .tbody(.group(rows)))
    return .section(
      .id("classes"),
      .h2("Device classes"),
      body,
      .if(
        otherSubjects > 0,
        .p(
          .class("muted note"),
          .text(
            "Not counted here: \(Self.count(otherSubjects, "finding")) about sVirt labels or QEMU passthrough rather than a device."
          )))
    )
  }

  // MARK: - Findings

  private func findingsSection(_ report: CheckReport, _ numbered: [[NumberedDomain]]) -> Node<HTML.BodyContext> {
    .section(
      .id("findings"),
      .h2("Findings"),
      .forEach(report.sources.enumerated()) { index, result in
        .section(
          .id("source-\(index + 1)"), .class("source"),
          .h3(.span(.class("kind"), .text(result.source.kind.rawValue)), .literal(Self.title(result.source))),
          .if(
            result.source.uri != nil && result.source.uri != result.source.name,
            .p(.class("muted"), .text("Named on the command line as "), .code(.literal(result.source.name)), .text("."))),
          .unwrap(result.source.error) { error in
            .div(.class("input-box"), .strong("This source could not be read: "), .code(.literal(error.description)))
          },
          .if(result.source.error == nil && result.domains.isEmpty, .p(.class("muted"), .text("No domains."))),
          .forEach(numbered[index], domainSection)
        )
      }
    )
  }

  private func domainSection(_ domain: NumberedDomain) -> Node<HTML.BodyContext> {
    let result = domain.result
    let verdict = Verdict(result)
    var facts: [Node<HTML.BodyContext>] = []
    if let state = result.state { facts.append(.span(.literal(state))) }
    if let override = result.override { facts.append(.span(.text("override "), .code(.literal(override)))) }
    if let uuid = result.uuid { facts.append(.span(.text("uuid "), .code(.literal(uuid)))) }
    return .article(
      .id("domain-\(domain.number)"), .class("domain domain-\(verdict.style)"),
      .h4(
        .span(.class("domain-name"), .literal(result.name)), .span(.class("badge verdict-\(verdict.style)"), .text(verdict.text))),
      .if(!facts.isEmpty, .p(.class("domain-facts"), .group(facts))),
      .unwrap(result.error) { .div(.class("input-box"), .strong("This domain could not be read: "), .literal($0)) },
      .if(
        result.error == nil && result.findings.isEmpty,
        .p(.class("muted"), .text("No findings: every device and label follows the policy."))),
      .forEach(result.evaluations) { entry in
        .group(
          .if(
            entry.scope == .definition && !entry.evaluation.findings.isEmpty,
            .p(.class("scope-note"), .text("In the persistent definition (what boots next), beyond the live XML:"))),
          .forEach(entry.evaluation.findings) { finding($0, scope: entry.scope) },
          .if(options.explain, decisions(entry.evaluation, scope: entry.scope))
        )
      }
    )
  }

  private func finding(_ finding: Finding, scope: CheckReport.Scope) -> Node<HTML.BodyContext> {
    let severity = finding.severity.rawValue
    var facts: [Node<HTML.DescriptionListContext>] = []
    switch finding.subject {
    case .device(let device):
      facts += [
        .dt("Device"),
        .dd(.literal(device.description), .span(.class("muted"), .literal(" · index \(device.index), line \(device.line)"))),
      ]
    case .seclabel: facts += [.dt("Subject"), .dd("sVirt security labels")]
    case .passthrough: facts += [.dt("Subject"), .dd("QEMU passthrough")]
    case .boot(let element): facts += [.dt("Subject"), .dd(.text("boot file <\(element)>"))]
    }
    if let attribute = finding.attribute { facts += [.dt("Attribute"), .dd(.code(.literal(attribute)))] }
    facts += [.dt("Rule"), .dd(rule(finding.rule))]
    if !finding.assignments.isEmpty {
      facts += [
        .dt("Rewrite sets"),
        .dd(
          .forEach(finding.assignments.enumerated()) { offset, item in
            .group(.if(offset > 0, .text(", ")), .code(.literal("\(item.attribute)=\(item.value)")))
          }),
      ]
    }
    if let applied = finding.waiver {
      let waiver = applied.waiver
      facts += [
        .dt("Waiver"),
        .dd(
          rule(waiver.reference),
          .if(
            applied.expired,
            .span(.class("waiver-expired"), .text(" expired on \(waiver.expires): no longer applies")),
            else: .text(" until \(waiver.expires) (end of day UTC)")),
          .text("; owner "), .literal(waiver.owner), .text(": "), .literal(waiver.reason)),
      ]
    }
    return .div(
      .class("finding sev-\(severity)"),
      .div(
        .class("finding-head"),
        .span(.class("badge sev-badge-\(severity)"), .text(severity)),
        .span(.class("action action-\(finding.action.rawValue)"), .text(finding.action.rawValue)),
        .code(.class("check"), .literal(finding.check.rawValue)),
        .span(.class("scope scope-\(scope.rawValue)"), .text(Self.describe(scope))),
        .code(.class("finding-id"), .literal(finding.id))
      ),
      .p(.class("message"), .literal(finding.message)),
      .dl(.class("facts"), .group(facts))
    )
  }

  /// `--explain`: the rule that decided every device, allowed or not.
  private func decisions(_ evaluation: Evaluation, scope: CheckReport.Scope) -> Node<HTML.BodyContext> {
    guard !evaluation.decisions.isEmpty else { return .empty }
    let rows = evaluation.decisions.map { decision -> Node<HTML.TableContext> in
      .tr(
        .td(
          .span(
            .class(decision.allowed ? "badge verdict-ok" : "badge verdict-error"), .text(decision.allowed ? "allowed" : "denied"))
        ),
        .td(.literal(decision.device.description)),
        .td(rule(decision.rule))
      )
    }
    return .table(
      .class("grid decisions"),
      .caption(
        .text(scope == .definition ? "Devices in the definition" : "Devices"),
        .span(.class("muted"), .text(" · the rule that decided each"))),
      .thead(.tr(.th("Verdict"), .th("Device"), .th("Rule"))),
      .tbody(.group(rows))
    )
  }

  private func rule(_ rule: RuleReference) -> Node<HTML.BodyContext> {
    .group(
      .code(.literal(rule.path)),
      // Built-in defaults have no location; their path already says `(built-in: ...)`.
      .unwrap(rule.location) { .group(.text(" at "), .code(.literal($0.description))) }
    )
  }

  // MARK: - Helpers

  /// A domain with its anchor number, unique over the whole report.
  private struct NumberedDomain {
    let number: Int
    let result: CheckReport.DomainResult
  }

  private static func number(_ report: CheckReport) -> [[NumberedDomain]] {
    var next = 0
    return report.sources.map { source in
      source.domains.map { domain in
        next += 1
        return NumberedDomain(number: next, result: domain)
      }
    }
  }

  /// A domain's one-word verdict and the CSS class suffix that colours it.
  private struct Verdict {
    let style: String
    let text: String

    init(_ domain: CheckReport.DomainResult) {
      let errors = domain.findings.filter { $0.severity == .error }.count
      let warnings = domain.findings.filter { $0.severity == .warning }.count
      let waived = domain.findings.count - errors - warnings
      if domain.error != nil {
        (style, text) = ("input", "input error")
      } else if errors > 0 {
        (style, text) = ("error", CheckHTMLReporter.count(errors, "violation"))
      } else if warnings > 0 {
        (style, text) = ("warning", CheckHTMLReporter.count(warnings, "warning"))
      } else if waived > 0 {
        (style, text) = ("waived", "compliant, \(waived) waived")
      } else {
        (style, text) = ("ok", "compliant")
      }
    }
  }

  /// `libvirt qemu:///system`-style title without the kind: the URI libvirt resolved, or the name given.
  private static func title(_ source: InventorySource) -> String {
    source.uri ?? source.name
  }

  /// The scope chip on each finding: which XML it was found in.
  private static func describe(_ scope: CheckReport.Scope) -> String {
    switch scope {
    case .live: "live XML"
    case .definition: "definition: next boot"
    case .file: "XML file"
    }
  }

  fileprivate static func count(_ number: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
  }

  // MARK: - Style
}

extension Node {
  /// User-controlled text, shown exactly as written.
  ///
  /// Plot's `.text` escapes `<` and `>` but passes `&name;` and `&#...;` through as character
  /// references, so a domain named `&lt;b&gt;` would be displayed as `<b>`. Escaping `&` first
  /// leaves Plot nothing to pass through. Control characters HTML forbids become U+FFFD.
  static func literal(_ value: String) -> Node {
    var result = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value): result += "\u{FFFD}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return .text(result)
  }
}

