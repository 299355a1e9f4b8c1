import Checking
import DomainModel
import Enforcement
import Foundation
import Inventory
import Policy
import Reporting
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Every report shows a waived finding as waived, with its waiver's reason, owner and expiry,
/// counts it apart, and says when a waiver has expired.
@Suite struct WaiverReportingTests {
  static let policy = """
    version: 1
    defaults: {devices: allow}
    devices:
      sound: deny
      hub: deny
    waivers:
      - name: lab-audio
        match: {name: "lab-*"}
        findings: {class: sound}
        reason: the audio lab needs its sound card
        owner: lab-team@example.com
        expires: 2025-06-30
      - name: old-hubs
        findings: {class: hub}
        match: {name: lab-02}
        reason: replaced in Q1
        owner: bob
        expires: 2025-03-31
    """
  static let june30 = PolicyDate(year: 2025, month: 6, day: 30) ?? .epoch

  /// lab-01: a waived sound card (compliant); lab-02: a waived sound card and a hub whose
  /// waiver expired (violating); web-01: an unwaived sound card (violating).
  static func report(today: PolicyDate = june30) throws -> CheckReport {
    let policy = try PolicyLoader.load(text: Self.policy, file: "p.yaml").get().policy
    func domain(_ name: String, _ devices: String) throws -> InventoryDomain {
      let xml = "<domain type='kvm'><name>\(name)</name><devices>\(devices)</devices></domain>"
      return InventoryDomain(name: name, model: try DomainDocument(xml: xml, source: name).domain)
    }
    let source = InventorySource(
      kind: .file, name: "fleet.xml",
      domains: [
        try domain("lab-01", "<sound model='ich9'/>"), try domain("lab-02", "<sound model='ich9'/><hub type='usb'/>"),
        try domain("web-01", "<sound model='ich9'/>"),
      ])
    return CheckRunner.run([source], policy: policy, today: today)
  }

  static func render(_ format: String, _ report: CheckReport) throws -> String {
    try #require(CheckReporters.reporter(for: format, options: ReportOptions(toolVersion: "1.2.3"))).render(report)
  }

  @Test func theSummaryCountsWaivedFindingsApartAndOnlyViolationsFail() throws {
    let report = try Self.report()
    let summary = CheckSummary(report)
    #expect((summary.domains, summary.compliant, summary.violating) == (3, 1, 2))
    #expect((summary.errors, summary.warnings, summary.waived) == (2, 0, 2))
    #expect(report.hasViolations)
    #expect(report.domains.map(\.hasViolations) == [false, true, true])
    // Once the lab's waiver expires too, its sound cards count again.
    let later = CheckSummary(try Self.report(today: Self.june30.adding(days: 1)))
    #expect((later.errors, later.waived, later.violating) == (4, 0, 3))
  }

  @Test func jsonHasAWaiverObjectOnEachWaivedOrExpiredFindingAndCountsWaived() throws {
    let json = try Self.render("json", try Self.report())
    let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let summary = try #require(root["summary"] as? [String: Int])
    #expect(summary["waived"] == 2 && summary["errors"] == 2 && summary["violating"] == 2)
    let sources = try #require(root["sources"] as? [[String: Any]])
    let domains = try #require(sources.first?["domains"] as? [[String: Any]])
    #expect(domains.map { $0["compliant"] as? Bool } == [true, false, false])
    let findings = domains.map { ($0["findings"] as? [[String: Any]]) ?? [] }
    let labSound = try #require(findings[0].first)
    #expect(labSound["severity"] as? String == "waived")
    #expect(labSound["action"] as? String == "refuse", "the action the policy gives, which is not taken")
    let waiver = try #require(labSound["waiver"] as? [String: Any])
    #expect(waiver["name"] as? String == "lab-audio")
    #expect(waiver["path"] as? String == "waivers[lab-audio]")
    #expect(waiver["reason"] as? String == "the audio lab needs its sound card")
    #expect(waiver["owner"] as? String == "lab-team@example.com")
    #expect(waiver["expires"] as? String == "2025-06-30")
    #expect(waiver["expired"] as? Bool == false)
    #expect(waiver["file"] as? String == "p.yaml" && waiver["line"] as? Int == 7 && waiver["column"] as? Int == 5)
    let expiredHub = try #require(findings[1].last)
    #expect(expiredHub["severity"] as? String == "error")
    let expired = try #require(expiredHub["waiver"] as? [String: Any])
    #expect(expired["path"] as? String == "waivers[old-hubs]" && expired["expired"] as? Bool == true)
    #expect(findings[2].first?["waiver"] is NSNull)
  }

  @Test func textShowsTheWaiverUnderTheFindingAndInTheCounts() throws {
    let text = try Self.render("text", try Self.report())
    #expect(text.contains("  lab-01: compliant, 1 waived\n"))
    #expect(text.contains("  lab-02: 1 violation, 1 waived\n"))
    #expect(text.contains("    waived [refuse] sound ich9 is not allowed: 'sound' devices are denied\n"))
    #expect(text.contains("      waived by waivers[lab-audio] (p.yaml:7:5) until 2025-06-30, owner lab-team@example.com: the audio lab needs its sound card\n"))
    #expect(text.contains("    error [refuse] hub usb is not allowed: 'hub' devices are denied\n"))
    #expect(text.contains("      waiver waivers[old-hubs] (p.yaml:13:5) expired on 2025-03-31 and no longer applies; owner bob: replaced in Q1\n"))
    #expect(text.hasSuffix("3 domains checked: 1 compliant, 2 with violations; 2 errors, 0 warnings, 2 waived\n"))
  }

  @Test func junitFailsOnlyViolationsAndShowsWaivedFindings() throws {
    let xml = try Self.render("junit", try Self.report())
    let document = try XMLDocument(xmlString: xml)
    let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
    #expect(cases.map { $0.attribute(forName: "name")?.stringValue ?? "" } == ["lab-01", "lab-02", "web-01"])
    #expect(cases.map { $0.elements(forName: "failure").count } == [0, 1, 1])
    let labOut = cases[0].elements(forName: "system-out").first?.stringValue ?? ""
    #expect(labOut.hasPrefix("waived KP-"))
    #expect(labOut.contains("; waived by waivers[lab-audio] (p.yaml:7:5) until 2025-06-30, owner lab-team@example.com: the audio lab needs its sound card"))
    let labFailure = cases[1].elements(forName: "failure").first?.stringValue ?? ""
    #expect(labFailure.contains("hub usb") && labFailure.contains("waiver waivers[old-hubs] (p.yaml:13:5) expired on 2025-03-31"))
    #expect(!labFailure.contains("sound"))
    #expect(xml.contains("<testsuites name=\"kvmpolicy check\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\">"))
  }

  @Test func htmlMarksWaivedFindingsAndShowsTheWaiver() throws {
    // Plot indents the page: compared without the line breaks and indentation.
    let html = try Self.render("html", try Self.report()).replacing(/\n */, with: "")
    #expect(html.contains("<div class=\"finding sev-waived\">"))
    #expect(html.contains("<span class=\"badge sev-badge-waived\">waived</span>"))
    #expect(html.contains("<span class=\"badge verdict-waived\">compliant, 1 waived</span>"))
    #expect(html.contains("<dt>Waiver</dt><dd><code>waivers[lab-audio]</code> at <code>p.yaml:7:5</code> until 2025-06-30 (end of day UTC); owner lab-team@example.com: the audio lab needs its sound card</dd>"))
    #expect(html.contains("<span class=\"waiver-expired\"> expired on 2025-03-31: no longer applies</span>"))
    #expect(html.contains("<span class=\"tile-value\">2</span><span class=\"tile-label\">Waived</span>"))
  }

  @Test func prometheusCountsWaivedFindingsUnderTheirOwnSeverity() throws {
    let metrics = try Self.render("prometheus", try Self.report())
    #expect(metrics.contains("kvmpolicy_domain_compliant{source=\"fleet.xml\",domain=\"lab-01\"} 1\n"))
    #expect(metrics.contains("kvmpolicy_findings{source=\"fleet.xml\",domain=\"lab-01\",check=\"class-denied\",severity=\"waived\",action=\"refuse\"} 1\n"))
    #expect(metrics.contains("kvmpolicy_findings{source=\"fleet.xml\",domain=\"lab-02\",check=\"class-denied\",severity=\"error\",action=\"refuse\"} 1\n"))
  }

  @Test func enforcementReportsListWhatIsWaivedAndLeftAlone() throws {
    let policy = try PolicyLoader.load(text: Self.policy, file: "p.yaml").get().policy
    let plan = EnforcementPlanner.plan(
      domain: ControlledDomain(name: "lab-02", uuid: "11111111-2222-3333-4444-555555555555", isActive: false, isPersistent: true),
      liveXML: nil, definitionXML: "<domain type='kvm'><name>lab-02</name><devices><sound model='ich9'/><hub type='usb'/></devices></domain>",
      policy: policy, today: Self.june30)
    let text = EnforcementTextReporter().render(plans: [plan])
    #expect(text.contains("  refuse: hub usb is not allowed: 'hub' devices are denied [devices.hub] (waiver waivers[old-hubs] expired on 2025-03-31)\n"))
    #expect(text.contains("  waived, left alone [refuse]: sound ich9 is not allowed: 'sound' devices are denied [devices.sound]\n"))
    #expect(text.contains("    waived by waivers[lab-audio] (p.yaml:7:5) until 2025-06-30, owner lab-team@example.com: the audio lab needs its sound card\n"))
    let json = EnforcementJSONReporter(options: ReportOptions(toolVersion: "1.2.3")).render(plans: [plan])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let domain = try #require((root["domains"] as? [[String: Any]])?.first)
    let waived = try #require(domain["waived"] as? [[String: Any]])
    #expect(waived.count == 1)
    #expect((waived.first?["waiver"] as? [String: Any])?["owner"] as? String == "lab-team@example.com")
    #expect(((domain["refusals"] as? [[String: Any]])?.first?["waiver"] as? [String: Any])?["expired"] as? Bool == true)
  }
}
