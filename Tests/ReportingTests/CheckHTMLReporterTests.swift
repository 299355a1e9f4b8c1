import Checking
import DomainModel
import Foundation
import Inventory
import Policy
import Reporting
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The HTML check report: a golden page built from real objects (policy text, domain XML, the
/// check runner), escaping of hostile names and messages, and a self-contained document.
@Suite struct CheckHTMLReporterTests {
  static let policy = """
    version: 1
    description: Servers <prod> & "lab" VMs
    defaults:
      action: refuse
    seclabel:
      models: [selinux]
      type: dynamic
    qemu:
      passthrough: deny
      action: warn
    devices:
      emulator: allow
      disk:
        allow:
          - bus: virtio
      interface:
        allow:
          - model: virtio
        deny:
          - model: e1000
            action: rewrite
            set: {model: virtio}
            why: emulated NICs are a large attack surface
      graphics:
        action: warn
        allow:
          - listen: 127.0.0.1
      input:
        allow:
          - bus: ps2
        deny:
          - bus: usb
            action: detach
            why: no USB tablets & mice on servers
    overrides:
      - name: lab
        match:
          name: "lab-*"
        devices:
          sound: allow
    """

  /// Running and compliant live; its definition (what boots next) has an emulated NIC.
  static let webLive = """
    <domain type='kvm' id='1'>
      <name>web-01</name>
      <uuid>bc237b2d-c550-4ce3-afdc-9a5118478e0f</uuid>
      <devices>
        <emulator>/usr/bin/qemu-system-x86_64</emulator>
        <disk type='file' device='disk'>
          <source file='/var/lib/libvirt/images/web.qcow2'/>
          <target dev='vda' bus='virtio'/>
          <alias name='virtio-disk0'/>
          <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
        </disk>
        <interface type='network'>
          <source network='default'/>
          <model type='virtio'/>
          <alias name='net0'/>
        </interface>
      </devices>
      <seclabel type='dynamic' model='selinux' relabel='yes'>
        <label>system_u:system_r:svirt_t:s0:c1,c2</label>
      </seclabel>
    </domain>
    """

  static let webDefinition = """
    <domain type='kvm'>
      <name>web-01</name>
      <uuid>bc237b2d-c550-4ce3-afdc-9a5118478e0f</uuid>
      <devices>
        <emulator>/usr/bin/qemu-system-x86_64</emulator>
        <disk type='file' device='disk'>
          <source file='/var/lib/libvirt/images/web.qcow2'/>
          <target dev='vda' bus='virtio'/>
        </disk>
        <interface type='network'>
          <source network='default'/>
          <model type='e1000'/>
        </interface>
      </devices>
      <seclabel type='dynamic' model='selinux' relabel='yes'/>
    </domain>
    """

  /// A hostile name, a detach, warnings, a class the policy does not list, and QEMU passthrough.
  static let script = """
    <domain type='kvm' id='2' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
      <name>&lt;script&gt;alert(1)&lt;/script&gt;</name>
      <uuid>6f50bc6f-293b-4fac-9d57-23a266112312</uuid>
      <devices>
        <emulator>/usr/bin/qemu-system-x86_64</emulator>
        <input type='tablet' bus='usb'>
          <alias name='input0'/>
        </input>
        <input type='mouse' bus='ps2'/>
        <graphics type='vnc' port='5900' listen='0.0.0.0'>
          <listen type='address' address='0.0.0.0'/>
        </graphics>
        <watchdog model='i6300esb' action='reset'/>
      </devices>
      <seclabel type='dynamic' model='selinux' relabel='yes'>
        <label>system_u:system_r:svirt_t:s0:c3,c4</label>
      </seclabel>
      <qemu:commandline>
        <qemu:arg value='-s'/>
      </qemu:commandline>
    </domain>
    """

  /// A template file under the `lab` override: sound is allowed there, the open listener only warns.
  static let lab = """
    <domain type='kvm'>
      <name>lab-01</name>
      <devices>
        <sound model='ich9'/>
        <graphics type='spice' listen='0.0.0.0'/>
      </devices>
    </domain>
    """

  static func report() throws -> CheckReport {
    let policy = try PolicyLoader.load(text: Self.policy, file: "policies/test.yaml").get().policy
    let broken = DomainXMLError(source: "broken.xml", line: 2, column: 5, message: "Premature end of data")
    let sources = [
      InventorySource(
        kind: .libvirt, name: "default", uri: "qemu:///system",
        securityModels: [HostCapabilities.SecurityModel(model: "selinux", doi: "0", baselabels: [:])],
        domains: [
          InventoryDomain(
            name: "web-01", model: try DomainDocument(xml: webLive, source: "web-01").domain,
            definition: try DomainDocument(xml: webDefinition, source: "web-01").domain, state: .running, persistent: true),
          InventoryDomain(
            name: "<script>alert(1)</script>", model: try DomainDocument(xml: script, source: "script").domain, state: .running,
            persistent: true),
          InventoryDomain(name: "gone-01", model: nil, error: "Domain not found"),
        ]),
      InventorySource(
        kind: .file, name: "templates/lab-01.xml",
        domains: [InventoryDomain(name: "lab-01", model: try DomainDocument(xml: lab, source: "templates/lab-01.xml").domain)]),
      InventorySource(kind: .file, name: "broken.xml", error: .xml(broken)),
    ]
    return CheckRunner.run(sources, policy: policy, today: .epoch)
  }

  static func render(_ report: CheckReport) -> String {
    CheckHTMLReporter(options: ReportOptions(toolVersion: "1.2.3")).render(report)
  }

  @Test func fixtureCoversEveryKindOfRow() throws {
    let report = try Self.report()
    let summary = CheckSummary(report)
    #expect((summary.domains, summary.compliant, summary.violating) == (3, 1, 2))
    #expect((summary.errors, summary.warnings, summary.inputErrors) == (3, 3, 2))
    let web = try #require(report.domains.first { $0.name == "web-01" })
    #expect(web.evaluations.map(\.scope) == [.live, .definition])
    #expect(web.findings.map(\.check.rawValue) == ["device-denied"])
    #expect(report.domains.first { $0.name == "lab-01" }?.override == "lab")
  }

  /// `Golden/check.html`; recorded (and the test failed) with `KVMPOLICY_UPDATE_GOLDEN=1`.
  @Test func pageMatchesGolden() throws {
    let html = Self.render(try Self.report())
    try GoldenFile.check(html, "check.html")
    #expect(html == Self.render(try Self.report()))
  }

  @Test func userTextIsEscaped() throws {
    let html = Self.render(try Self.report())
    #expect(!html.contains("<script"))
    #expect(html.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</"))
    #expect(html.contains("no USB tablets &amp; mice on servers"))
    #expect(!html.contains("tablets & mice"))
    #expect(html.contains("Servers &lt;prod&gt; &amp; \"lab\" VMs"))
  }

  /// Plot's `.text` keeps `&name;` as a character reference; the reporter must not, or a name
  /// written `&lt;b&gt;` would be shown as `<b>`.
  @Test func characterReferencesInUserTextAreShownLiterally() throws {
    let report = CheckRunner.run(
      [
        InventorySource(
          kind: .file, name: "&lt;b&gt;.xml", error: .file(path: "&lt;b&gt;.xml", reason: "&copy; &#60;x&#x3e; \u{1}"))
      ],
      policy: try PolicyLoader.load(text: "version: 1\n", file: "p&amp;.yaml").get().policy, today: .epoch)
    let html = Self.render(report)
    #expect(html.contains("&amp;lt;b&amp;gt;.xml"))
    #expect(html.contains("&amp;copy; &amp;#60;x&amp;#x3e; \u{FFFD}"))
    #expect(html.contains("p&amp;amp;.yaml"))
    #expect(!html.contains("&lt;b&gt;.xml"))
    #expect(!html.contains("\u{1}"))
  }

  @Test func pageIsSelfContained() throws {
    let html = Self.render(try Self.report())
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
    #expect(html.contains("<title>kvmpolicy check</title>"))
    #expect(!html.lowercased().contains("<script"))
    #expect(!html.contains("src="))
    #expect(!html.contains("<link"))
    #expect(!html.contains("url("))
    #expect(!html.contains("@import"))
    // Links only point inside the page.
    let hrefs = html.split(separator: "href=\"").dropFirst()
    #expect(!hrefs.isEmpty)
    #expect(hrefs.allSatisfy { $0.hasPrefix("#") })
  }

  @Test func pageIsWellFormedXML() throws {
    #expect(Self.parsesAsXML(Self.render(try Self.report())))
    // The check can fail: on Linux `parse()` returns true for mismatched tags, only `parserError` tells.
    #expect(!Self.parsesAsXML("<p><b></p>"))
    #expect(!Self.parsesAsXML("<p>a & b</p>"))
  }

  static func parsesAsXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse() && parser.parserError == nil
  }

  @Test func sectionsShowSummaryTablesAndFindings() throws {
    let html = Self.render(try Self.report())
    #expect(html.contains("<dd>kvmpolicy 1.2.3</dd>"))
    // The device-class table, sorted by class name.
    let classes = html.components(separatedBy: "<section id=\"classes\">")[1].components(separatedBy: "</section>")[0]
    let names = classes.components(separatedBy: "<td class=\"class-name\">\n                <code>").dropFirst().map {
      $0.prefix { $0 != "<" }
    }
    #expect(names == ["graphics", "input", "interface", "watchdog"])
    #expect(html.contains("definition: next boot"))
    #expect(html.contains("<code>model=virtio</code>"))
    #expect(html.contains("defaults.devices (built-in: deny)"))
    #expect(html.contains("broken.xml:2:5: error: Premature end of data"))
    #expect(html.contains("Domain not found"))
  }

  @Test func explainListsEveryDecision() throws {
    let report = try Self.report()
    let plain = Self.render(report)
    let explained = CheckHTMLReporter(options: ReportOptions(explain: true, toolVersion: "1.2.3")).render(report)
    #expect(!plain.contains("class=\"grid decisions\""))
    #expect(explained.components(separatedBy: "class=\"grid decisions\"").count - 1 == 4)
    #expect(explained.contains("Devices in the definition"))
    #expect(explained.contains("<span class=\"badge verdict-ok\">allowed</span>"))
  }

  @Test func htmlIsAnOfferedFormat() {
    #expect(CheckReporters.identifiers == ["text", "json", "junit", "html", "sarif", "prometheus"])
    #expect(CheckReporters.reporter(for: "html", options: ReportOptions()) is CheckHTMLReporter)
  }
}
