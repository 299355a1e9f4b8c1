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
        .style(Self.css)
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
    ]
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
        let count = findings.filter { $0.action == action }.count
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
      let checks = Set(list.map(\.check.rawValue)).sorted()
      return .tr(
        .td(.class("class-name"), .code(.literal(deviceClass))),
        .td(.class("num"), .text(String(list.count))),
        .td(.class(errors == 0 ? "num zero" : "num sev-text-error"), .text(String(errors))),
        .td(.class(errors == list.count ? "num zero" : "num sev-text-warning"), .text(String(list.count - errors))),
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
      let warnings = domain.findings.count - errors
      if domain.error != nil {
        (style, text) = ("input", "input error")
      } else if errors > 0 {
        (style, text) = ("error", CheckHTMLReporter.count(errors, "violation"))
      } else if warnings > 0 {
        (style, text) = ("warning", CheckHTMLReporter.count(warnings, "warning"))
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

  private static let css = """

    :root {
      --ink: #1d2433; --muted: #5d6678; --line: #d9dee7; --panel: #f6f7f9;
      --error: #b42318; --error-bg: #fef3f2; --error-line: #f3b8b2;
      --warning: #93500b; --warning-bg: #fffaeb; --warning-line: #f5d38b;
      --ok: #067647; --ok-bg: #ecfdf3; --ok-line: #a6e3c2;
      --input: #6b2fa3; --input-bg: #f6f0fc; --input-line: #d7bdf0;
      --accent: #1f4e8c;
    }
    * { box-sizing: border-box; }
    html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body {
      margin: 0 auto; padding: 24px 32px 40px; max-width: 1280px; color: var(--ink); background: #fff;
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
    }
    code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; overflow-wrap: anywhere; }
    a { color: var(--accent); text-decoration: none; }
    a:hover { text-decoration: underline; }
    h1 { font-size: 26px; margin: 0 0 12px; letter-spacing: -0.01em; }
    h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
    h3 { font-size: 16px; margin: 24px 0 10px; overflow-wrap: anywhere; }
    h4 { font-size: 15px; margin: 0; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
    .muted { color: var(--muted); }
    .note { margin-top: 8px; font-size: 13px; }
    .page-header { border-bottom: 1px solid var(--line); padding-bottom: 16px; }
    .meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 14px; }
    .meta dt { color: var(--muted); font-weight: 600; }
    .meta dd { margin: 0; overflow-wrap: anywhere; }
    .banner { margin: 8px 0 0; padding: 10px 14px; border-radius: 6px; border: 1px solid; font-weight: 600; }
    .banner-error { color: var(--error); background: var(--error-bg); border-color: var(--error-line); }
    .banner-warning { color: var(--warning); background: var(--warning-bg); border-color: var(--warning-line); }
    .banner-ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok-line); }
    .banner-input { color: var(--input); background: var(--input-bg); border-color: var(--input-line); }
    .banner-neutral { color: var(--muted); background: var(--panel); border-color: var(--line); }
    .tiles { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 12px; }
    .tile { border: 1px solid var(--line); border-top-width: 4px; border-radius: 6px; padding: 10px 14px; background: var(--panel); }
    .tile-value { display: block; font-size: 28px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
    .tile-label { display: block; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; margin-top: 2px; }
    .tile-ok { border-top-color: var(--ok); } .tile-ok .tile-value { color: var(--ok); }
    .tile-error { border-top-color: var(--error); } .tile-error .tile-value { color: var(--error); }
    .tile-warning { border-top-color: #dc8a0e; } .tile-warning .tile-value { color: var(--warning); }
    .tile-input { border-top-color: var(--input); } .tile-input .tile-value { color: var(--input); }
    .tile-neutral { border-top-color: #aab2c0; }
    table.grid { width: 100%; border-collapse: collapse; font-size: 13.5px; }
    .grid th, .grid td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
    .grid thead th { background: var(--panel); color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 2px solid var(--line); }
    .grid tr.group th { background: #eef1f6; color: var(--ink); font-size: 13px; text-transform: none; letter-spacing: 0; overflow-wrap: anywhere; }
    .grid .num { text-align: right; font-variant-numeric: tabular-nums; width: 1%; white-space: nowrap; }
    .grid td.zero { color: #b3bac6; }
    .grid tbody tr:not(.group):hover { background: #fafbfc; }
    .domains td:first-child { font-weight: 600; min-width: 11em; overflow-wrap: anywhere; }
    .domains td:nth-child(2), .domains td:nth-child(4) { white-space: nowrap; }
    .domains thead th .action { font-size: 11px; }
    .sev-text-error { color: var(--error); font-weight: 600; }
    .sev-text-warning { color: var(--warning); font-weight: 600; }
    .kind { display: inline-block; margin-right: 8px; padding: 0 6px; border-radius: 4px; background: #dfe4ec; color: var(--muted); font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; vertical-align: 1px; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid; white-space: nowrap; }
    .verdict-ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok-line); }
    .verdict-error, .sev-badge-error { color: var(--error); background: var(--error-bg); border-color: var(--error-line); }
    .verdict-warning, .sev-badge-warning { color: var(--warning); background: var(--warning-bg); border-color: var(--warning-line); }
    .verdict-input { color: var(--input); background: var(--input-bg); border-color: var(--input-line); }
    .sev-badge-error, .sev-badge-warning { text-transform: uppercase; letter-spacing: 0.04em; font-size: 11px; }
    .action { display: inline-block; padding: 1px 7px; border-radius: 4px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
    .action-refuse { background: #9f1d14; }
    .action-detach { background: #c2410c; }
    .action-rewrite { background: #1f5fa8; }
    .action-warn { background: #a16207; }
    .input-errors ul { margin: 0; padding-left: 20px; }
    .input-errors li { margin: 4px 0; overflow-wrap: anywhere; }
    .input-box { margin: 8px 0; padding: 10px 14px; border: 1px solid var(--input-line); border-left: 4px solid var(--input); border-radius: 6px; background: var(--input-bg); color: var(--input); overflow-wrap: anywhere; }
    .input-box code { color: var(--ink); }
    .source { margin-top: 8px; }
    .domain { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; background: #fff; }
    .domain-ok { background: var(--panel); }
    .domain-name { font-size: 16px; overflow-wrap: anywhere; }
    .domain-facts { margin: 4px 0 0; color: var(--muted); font-size: 13px; display: flex; flex-wrap: wrap; gap: 4px 18px; }
    .domain > .muted { margin: 6px 0 0; }
    .scope-note { margin: 14px 0 4px; font-weight: 600; color: var(--accent); }
    .finding { margin: 10px 0 0; padding: 10px 14px; border: 1px solid var(--line); border-left: 4px solid; border-radius: 6px; break-inside: avoid; page-break-inside: avoid; }
    .finding.sev-error { border-left-color: var(--error); background: linear-gradient(90deg, var(--error-bg), #fff 40%); }
    .finding.sev-warning { border-left-color: #dc8a0e; background: linear-gradient(90deg, var(--warning-bg), #fff 40%); }
    .finding-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    .finding-head .check { font-weight: 600; }
    .finding-head .scope { margin-left: auto; padding: 0 7px; border: 1px solid var(--line); border-radius: 4px; color: var(--muted); font-size: 12px; white-space: nowrap; }
    .finding-head .scope-definition { color: var(--accent); border-color: #9db7dc; background: #eef4fb; font-weight: 600; }
    .finding-head .finding-id { color: var(--muted); }
    .message { margin: 6px 0 8px; font-size: 14px; overflow-wrap: anywhere; }
    .facts { display: grid; grid-template-columns: 7.5em 1fr; gap: 2px 14px; margin: 0; font-size: 13px; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; overflow-wrap: anywhere; }
    table.decisions { margin-top: 12px; font-size: 13px; }
    .decisions caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
    .decisions td:first-child { width: 1%; }
    .page-footer { margin-top: 32px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
    @media (max-width: 900px) {
      body { padding: 16px; }
      .tiles { grid-template-columns: repeat(3, minmax(0, 1fr)); }
    }
    @media print {
      @page { margin: 14mm; }
      body { padding: 0; max-width: none; font-size: 10pt; }
      a { color: inherit; }
      h2 { break-after: avoid; page-break-after: avoid; }
      h3, h4 { break-after: avoid; page-break-after: avoid; }
      .tiles { grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 6px; }
      .tile { padding: 6px 8px; }
      .tile-value { font-size: 18pt; }
      .grid tbody tr:not(.group):hover { background: none; }
      .grid tr { break-inside: avoid; page-break-inside: avoid; }
      .domain { break-inside: auto; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
      .finding { background: #fff; }
    }

    """
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
