import DomainModel
import HostAudit
import Inventory
import Policy
import Testing

@testable import Checking
@testable import Reporting

/// The Prometheus textfile reporters of `check` and `host`: golden files, the format's escaping,
/// one family per name with HELP and TYPE, gauges only, deterministic order, and the clock,
/// version and policy fingerprint coming from the options.
@Suite struct PrometheusReporterTests {
  /// A fixed time (2023-11-14T22:13:20.25Z), version and fingerprint: the reporters read no clock.
  static let options = ReportOptions(toolVersion: "1.2.3", policyFingerprint: "fnv1a64:0123456789abcdef", timestamp: 1_700_000_000.25)

  static func check(_ report: CheckReport) -> String { CheckPrometheusReporter(options: options).render(report) }
  static func host(_ checks: [HostCheck]) -> String { HostPrometheusReporter(options: options).render(checks) }

  static func policy() throws -> Policy {
    try PolicyLoader.load(text: CheckHTMLReporterTests.policy, file: "policies/test.yaml").get().policy
  }

  /// A domain file named `name` with just an emulator, compliant under the HTML tests' policy.
  static func domain(_ name: String) throws -> Domain {
    let xml = "<domain type='kvm'><name>\(name)</name><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"
    return try DomainDocument(xml: xml, source: "test").domain
  }

  static let hostChecks = [
    HostCheck(id: "lsm-active", section: "sVirt", title: "an LSM confines QEMU", status: .pass, evidence: ["/sys/fs/selinux/enforce: 1"]),
    HostCheck(id: "kaslr-effective", section: "Kernel ASLR", title: "KASLR", status: .fail, evidence: ["_text at 0xffffffff81000000"]),
    HostCheck(id: "lockdown", section: "KVM host", title: "lockdown", status: .warn, evidence: ["[none]"]),
    HostCheck(id: "vm-confined:say \"hi\"\\\n", section: "sVirt", title: "confined", status: .unknown, evidence: ["no pid file"]),
    HookAudit.notProbed,
  ]

  /// `Golden/check.prom`: the HTML report's fixture (two violating domains, an unreadable
  /// domain and an unreadable file, a hostile domain name) as metrics.
  @Test func checkMatchesGolden() throws {
    try GoldenFile.check(Self.check(try CheckHTMLReporterTests.report()), "check.prom")
  }

  /// `Golden/host.prom`.
  @Test func hostMatchesGolden() throws {
    try GoldenFile.check(Self.host(Self.hostChecks), "host.prom")
  }

  @Test func labelValuesEscapeBackslashDoubleQuoteAndLineFeed() throws {
    let name = "lab/say \"hi\"\\\nbye.xml"
    let report = CheckRunner.run(
      [InventorySource(kind: .file, name: name, domains: [InventoryDomain(name: "x", model: try Self.domain("x"))])], policy: try Self.policy(), today: .epoch)
    let text = Self.check(report)
    #expect(text.contains("kvmpolicy_input_errors{source=\"lab/say \\\"hi\\\"\\\\\\nbye.xml\"} 0\n"))
    #expect(text.contains("kvmpolicy_domain_compliant{source=\"lab/say \\\"hi\\\"\\\\\\nbye.xml\",domain=\"x\"} 1\n"))
    #expect(!text.contains("\nbye"), "a raw line feed would end the sample")
    let host = Self.host(Self.hostChecks)
    #expect(host.contains("kvmpolicy_host_check_status{id=\"vm-confined:say \\\"hi\\\"\\\\\\n\",section=\"sVirt\"} 3\n"))
    #expect(PrometheusWriter.escapeLabelValue("a\\b\"c\nd\te") == "a\\\\b\\\"c\\nd\te")
    #expect(PrometheusWriter.escapeHelp("a\\b\"c\nd") == "a\\\\b\"c\\nd")
  }

  @Test func everyFamilyIsOneBlockOfHelpTypeAndGaugeSamples() throws {
    for text in [Self.check(try CheckHTMLReporterTests.report()), Self.host(Self.hostChecks)] {
      #expect(text.hasSuffix("\n"))
      var seen: [String] = []
      var current = ""
      var expectingType = false
      for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        if line.hasPrefix("# HELP ") {
          let name = String(line.dropFirst(7).prefix { $0 != " " })
          #expect(!seen.contains(name), "\(name) written twice")
          #expect(name.wholeMatch(of: /kvmpolicy_[a-z_]+/) != nil, "\(name)")
          #expect(!name.hasSuffix("_total"), "gauges have no _total")
          seen.append(name)
          current = name
          expectingType = true
        } else if line.hasPrefix("# TYPE ") {
          #expect(expectingType && line == "# TYPE \(current) gauge")
          expectingType = false
        } else {
          #expect(!expectingType, "TYPE follows HELP")
          #expect(line.hasPrefix(current + "{"), "\(line) outside its family \(current)")
          #expect(line.wholeMatch(of: /[a-z_]+\{([a-z_]+="([^"\\]|\\.)*",?)+\} -?[0-9.e+]+/) != nil, "\(line)")
        }
      }
    }
  }

  @Test func orderDoesNotDependOnTheInputOrder() throws {
    let policy = try Self.policy()
    let domains = try ["b-01", "a-01", "c-01"].map { InventoryDomain(name: $0, model: try Self.domain($0)) }
    let sources = [
      InventorySource(kind: .file, name: "z.xml", domains: domains), InventorySource(kind: .file, name: "a.xml", domains: domains.reversed()),
    ]
    let forward = Self.check(CheckRunner.run(sources, policy: policy, today: .epoch))
    #expect(forward == Self.check(CheckRunner.run(sources.reversed(), policy: policy, today: .epoch)))
    let compliant = forward.split(separator: "\n").filter { $0.hasPrefix("kvmpolicy_domain_compliant{") }
    #expect(compliant.map { String($0.prefix { $0 != "}" }.drop { $0 != "{" }) } == [
      "{source=\"a.xml\",domain=\"a-01\"", "{source=\"a.xml\",domain=\"b-01\"", "{source=\"a.xml\",domain=\"c-01\"",
      "{source=\"z.xml\",domain=\"a-01\"", "{source=\"z.xml\",domain=\"b-01\"", "{source=\"z.xml\",domain=\"c-01\"",
    ])
    #expect(Self.host(Self.hostChecks) == Self.host(Self.hostChecks.reversed()))
  }

  /// The same source twice would be a duplicate series: merged, the worst compliance and the
  /// findings summed. The same check twice keeps the verdict an alert must see.
  @Test func duplicateSeriesAreMerged() throws {
    let once = try CheckHTMLReporterTests.report()
    let twice = CheckReport(policyFile: once.policyFile, policyDescription: once.policyDescription, sources: once.sources + once.sources)
    let text = Self.check(twice)
    #expect(text.contains("kvmpolicy_domain_compliant{source=\"default\",domain=\"web-01\"} 0\n"))
    #expect(text.components(separatedBy: "domain=\"web-01\"} ").count == 2, "one compliance sample for web-01")
    #expect(text.contains("kvmpolicy_findings{source=\"default\",domain=\"web-01\",check=\"device-denied\",severity=\"error\",action=\"rewrite\"} 2\n"))
    #expect(text.contains("kvmpolicy_input_errors{source=\"default\"} 2\n"))
    for (statuses, value) in [([HostCheck.Status.pass, .fail], 1), ([.unknown, .warn], 3), ([.pass, .warn], 2), ([.fail, .unknown], 1)] {
      let checks = statuses.map { HostCheck(id: "ksm", section: "KVM host", title: "KSM", status: $0, evidence: []) }
      #expect(Self.host(checks).hasSuffix("kvmpolicy_host_check_status{id=\"ksm\",section=\"KVM host\"} \(value)\n"), "\(statuses)")
      #expect(Self.host(checks.reversed()) == Self.host(checks))
    }
  }

  /// Swift's `==` on strings is canonical equivalence; Prometheus compares bytes. Two domains
  /// named `ü` in NFC and NFD are two series.
  @Test func canonicallyEquivalentNamesStayTwoSeries() throws {
    let nfc = "r\u{FC}ck", nfd = "ru\u{308}ck"
    let domains = try [nfc, nfd].map { InventoryDomain(name: $0, model: try Self.domain($0)) }
    let text = Self.check(CheckRunner.run([InventorySource(kind: .file, name: "f.xml", domains: domains)], policy: try Self.policy(), today: .epoch))
    let samples = text.utf8.split(separator: UInt8(ascii: "\n")).filter { $0.starts(with: "kvmpolicy_domain_compliant{".utf8) }
    #expect(samples.count == 2)
    #expect(samples.contains { $0.elementsEqual("kvmpolicy_domain_compliant{source=\"f.xml\",domain=\"\(nfd)\"} 1".utf8) })
    #expect(samples.contains { $0.elementsEqual("kvmpolicy_domain_compliant{source=\"f.xml\",domain=\"\(nfc)\"} 1".utf8) })
  }

  @Test func theClockVersionAndFingerprintComeFromTheOptions() throws {
    let text = Self.check(try CheckHTMLReporterTests.report())
    #expect(text.contains("kvmpolicy_build_info{report=\"check\",version=\"1.2.3\",policy_hash=\"fnv1a64:0123456789abcdef\"} 1\n"))
    #expect(text.contains("kvmpolicy_last_run_timestamp_seconds{report=\"check\"} 1700000000.25\n"))
    let later = ReportOptions(toolVersion: "1.2.3", timestamp: 1_700_003_600)
    let host = HostPrometheusReporter(options: later).render(Self.hostChecks)
    #expect(host.contains("kvmpolicy_build_info{report=\"host\",version=\"1.2.3\",policy_hash=\"\"} 1\n"))
    #expect(host.contains("kvmpolicy_last_run_timestamp_seconds{report=\"host\"} 1700003600\n"))
  }

  /// An unprobed `hook-veto` was not asked for: no sample. A probe that could not decide is UNKNOWN.
  @Test func hostStatusValuesAndTheUnaskedProbe() throws {
    #expect([HostCheck.Status.pass, .fail, .warn, .unknown].map(HostPrometheusReporter.value) == [0, 1, 2, 3])
    #expect(!Self.host(Self.hostChecks).contains("hook-veto"))
    let undecided = HostCheck(
      id: "hook-veto", section: HookAudit.section, title: HookAudit.notProbed.title, status: .unknown, evidence: ["libvirt did not answer"])
    #expect(Self.host([undecided]).hasSuffix("kvmpolicy_host_check_status{id=\"hook-veto\",section=\"Pre-start hook\"} 3\n"))
  }

  @Test func bothRegistriesOfferIt() {
    #expect(CheckReporters.identifiers.last == "prometheus" && HostReporters.identifiers.last == "prometheus")
    #expect(CheckReporters.reporter(for: "prometheus", options: Self.options) is CheckPrometheusReporter)
    #expect(HostReporters.reporter(for: "prometheus", options: Self.options) is HostPrometheusReporter)
  }

  @Test func valuesAreWrittenAsTheFormatSpellsThem() {
    #expect(PrometheusWriter.format(0) == "0")
    #expect(PrometheusWriter.format(-3) == "-3")
    #expect(PrometheusWriter.format(1_700_000_000) == "1700000000")
    #expect(PrometheusWriter.format(1_700_000_000.125) == "1700000000.125")
    #expect(PrometheusWriter.format(.nan) == "NaN")
    #expect(PrometheusWriter.format(.infinity) == "+Inf")
    #expect(PrometheusWriter.format(-.infinity) == "-Inf")
  }

  @Test func anEmptyFamilyIsLeftOut() {
    let text = Self.check(CheckReport(policyFile: "p.yaml", policyDescription: nil, sources: []))
    #expect(text.contains("# TYPE kvmpolicy_build_info gauge\n"))
    #expect(!text.contains("kvmpolicy_domain_compliant"))
    #expect(!text.contains("kvmpolicy_input_errors"))
  }
}
