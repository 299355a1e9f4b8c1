import DomainModel
import Engine
import Policy
import Testing

/// Waivers in the engine: which findings they cover, on which day.
@Suite struct WaiverTests {
  static let june30 = PolicyDate(year: 2025, month: 6, day: 30) ?? .epoch

  /// A policy denying sound and hubs, with `waivers` (YAML list items) appended.
  static func waiverPolicy(_ waivers: String) throws -> Policy {
    try policy("""
      version: 1
      defaults:
        devices: allow
      devices:
        sound: deny
        hub: deny
        disk:
          allow:
            - bus: virtio
      seclabel:
        models: [selinux]
      waivers:
      \(waivers)
      """)
  }

  /// A waiver item with the given criteria (`findings: ...`, further lines indented by four spaces).
  static func waiver(_ criteria: String, expires: String = "2025-06-30") -> String {
    """
      - \(criteria)
        reason: accepted
        owner: alice
        expires: \(expires)
    """
  }

  static let devices = "<sound model='ich9'/><hub type='usb'/><disk type='file' device='disk'><target dev='hda' bus='ide'/></disk>"

  /// `check class: waiver-path|-` for each finding.
  static func waived(_ evaluation: Evaluation) -> [String] {
    evaluation.findings.map { finding in
      let subject = finding.device?.deviceClass ?? "-"
      let waiver = finding.waiver.map { ($0.expired ? "expired " : "") + $0.waiver.reference.path } ?? "-"
      return "\(finding.check.rawValue) \(subject): \(waiver)"
    }
  }

  @Test func theDomainIsMatchedByNameGlobUUIDOrTag() throws {
    let policy = try Self.waiverPolicy([
      Self.waiver("findings: {class: sound}\n    match: {name: \"lab-*\"}"),
      Self.waiver("findings: {class: hub}\n    match: {uuid: 6F50BC6F-293B-4FAC-9D57-23A266112312}"),
      Self.waiver("findings: {class: disk}\n    match: {tag: legacy}"),
    ].joined(separator: "\n"))
    let tag = "<metadata><kvmpolicy:tag xmlns:kvmpolicy='urn:kvmpolicy:metadata:1'>legacy</kvmpolicy:tag></metadata>"
    let lab = try domain(named: "lab-01", devices: Self.devices)
    #expect(Self.waived(Engine.evaluate(lab, against: policy, today: Self.june30)) == [
      "class-denied sound: waivers[0]", "class-denied hub: -", "device-not-allowed disk: -",
    ])
    let byUUID = try domain(named: "web-01", uuid: "6f50bc6f-293b-4fac-9d57-23a266112312", devices: Self.devices)
    #expect(Self.waived(Engine.evaluate(byUUID, against: policy, today: Self.june30)) == [
      "class-denied sound: -", "class-denied hub: waivers[1]", "device-not-allowed disk: -",
    ])
    let tagged = try domain(named: "web-02", devices: Self.devices, extra: tag)
    #expect(Self.waived(Engine.evaluate(tagged, against: policy, today: Self.june30)) == [
      "class-denied sound: -", "class-denied hub: -", "device-not-allowed disk: waivers[2]",
    ])
    let other = try domain(named: "web-03", devices: Self.devices)
    #expect(Engine.evaluate(other, against: policy, today: Self.june30).findings.allSatisfy { $0.waiver == nil })
  }

  @Test func findingsAreMatchedByCheckClassRulePathOrID() throws {
    let vm = try domain(named: "vm", devices: Self.devices)
    let plain = try Self.waiverPolicy(Self.waiver("findings: {check: boot-file}"))
    let ids = Engine.evaluate(vm, against: plain, today: Self.june30).findings.map(\.id)
    try #require(ids.count == 3)
    let cases: [(String, [String])] = [
      ("{check: device-not-allowed}", ["-", "-", "waivers[0]"]),
      ("{check: [class-denied, boot-file]}", ["waivers[0]", "waivers[0]", "-"]),
      ("{class: hub}", ["-", "waivers[0]", "-"]),
      ("{check: class-denied, class: [disk, sound]}", ["waivers[0]", "-", "-"]),
      ("{rule: 'devices.disk.allow[0]'}", ["-", "-", "waivers[0]"]),
      ("{rule: devices.disk}", ["-", "-", "waivers[0]"]),
      ("{rule: devices}", ["waivers[0]", "waivers[0]", "waivers[0]"]),
      ("{rule: devices.hub}", ["-", "waivers[0]", "-"]),
      ("{id: \(ids[1])}", ["-", "waivers[0]", "-"]),
      ("{id: \(ids[1].uppercased())}", ["-", "waivers[0]", "-"]),
      ("{id: [\(ids[0]), \(ids[2])], class: sound}", ["waivers[0]", "-", "-"]),
    ]
    for (criteria, expected) in cases {
      let policy = try Self.waiverPolicy(Self.waiver("findings: \(criteria)"))
      let found = Engine.evaluate(vm, against: policy, today: Self.june30).findings.map { $0.waiver?.waiver.reference.path ?? "-" }
      #expect(found == expected, "\(criteria)")
    }
  }

  @Test func builtInRulesAndFindingsAboutNoDeviceAreCoveredByTheirPaths() throws {
    let rules = try Self.waiverPolicy([
      Self.waiver("findings: {rule: seclabel}"),
      Self.waiver("findings: {rule: qemu.passthrough}"),
      Self.waiver("findings: {check: path-traversal, rule: devices.disk}"),
      Self.waiver("findings: {rule: defaults.devices}"),
    ].joined(separator: "\n"))
    let xml = """
      <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>vm</name>
      <devices><disk type='file' device='disk'><source file='/var/lib/libvirt/images/../../../etc/shadow'/>
      <target dev='vda' bus='virtio'/></disk></devices><seclabel type='none'/>
      <qemu:commandline><qemu:arg value='-s'/></qemu:commandline></domain>
      """
    #expect(Self.waived(Engine.evaluate(try domain(xml), against: rules, today: Self.june30)) == [
      "seclabel-none -: waivers[0]", "qemu-passthrough -: waivers[1]", "path-traversal disk: waivers[2]",
    ])
    // With no devices section entry, the built-in default `defaults.devices (built-in: deny)`.
    let builtIn = try policy("""
      version: 1
      waivers:
        - findings: {rule: defaults.devices}
          reason: r
          owner: o
          expires: 2030-01-01
      """)
    #expect(Self.waived(Engine.evaluate(try domain(devices: "<hub type='usb'/>"), against: builtIn, today: Self.june30)) == [
      "class-denied hub: waivers[0]"
    ])
  }

  @Test func aWaiverAppliesThroughItsLastDayAndIsExpiredTheDayAfter() throws {
    let policy = try Self.waiverPolicy(Self.waiver("findings: {class: sound}", expires: "2025-06-30"))
    let vm = try domain(named: "vm", devices: "<sound model='ich9'/>")
    let lastDay = Engine.evaluate(vm, against: policy, today: Self.june30)
    let finding = try #require(lastDay.findings.first)
    #expect(finding.waiver == AppliedWaiver(waiver: policy.waivers[0], expired: false))
    #expect(finding.isWaived && finding.severity == .waived)
    #expect(!lastDay.hasViolations)
    let dayAfter = Engine.evaluate(vm, against: policy, today: Self.june30.adding(days: 1))
    let expired = try #require(dayAfter.findings.first)
    #expect(expired.waiver == AppliedWaiver(waiver: policy.waivers[0], expired: true))
    #expect(!expired.isWaived && expired.severity == .error)
    #expect(dayAfter.hasViolations)
    #expect(expired.waiver?.summary == "waiver waivers[0] (test.yaml:13:5) expired on 2025-06-30 and no longer applies; owner alice: accepted")
    #expect(finding.waiver?.summary == "waived by waivers[0] (test.yaml:13:5) until 2025-06-30, owner alice: accepted")
    // The finding is the same one, with the same ID, either way.
    #expect(finding.id == expired.id)
  }

  @Test func theFirstWaiverInForceWinsAndAnExpiredOneShowsOnlyWhenNoneIs() throws {
    let policy = try Self.waiverPolicy([
      Self.waiver("name: old\n    findings: {class: sound}", expires: "2025-01-31"),
      Self.waiver("name: new\n    findings: {check: class-denied}", expires: "2025-12-31"),
      Self.waiver("name: later\n    findings: {class: sound}", expires: "2026-12-31"),
    ].joined(separator: "\n"))
    let vm = try domain(named: "vm", devices: "<sound model='ich9'/>")
    #expect(Self.waived(Engine.evaluate(vm, against: policy, today: Self.june30)) == ["class-denied sound: waivers[new]"])
    let next = PolicyDate(year: 2026, month: 6, day: 1) ?? .epoch
    #expect(Self.waived(Engine.evaluate(vm, against: policy, today: next)) == ["class-denied sound: waivers[later]"])
    let after = PolicyDate(year: 2027, month: 1, day: 1) ?? .epoch
    #expect(Self.waived(Engine.evaluate(vm, against: policy, today: after)) == ["class-denied sound: expired waivers[old]"])
  }

  @Test func aWarnFindingCanBeWaivedToo() throws {
    let policy = try policy("""
      version: 1
      defaults: {action: warn, devices: deny}
      waivers:
        - findings: {class: hub}
          reason: r
          owner: o
          expires: 2030-01-01
      """)
    let finding = try #require(Engine.evaluate(try domain(devices: "<hub type='usb'/>"), against: policy, today: Self.june30).findings.first)
    #expect(finding.action == .warn)
    #expect(finding.severity == .waived)
    #expect(Finding.Severity.waived < .warning && Finding.Severity.warning < .error)
  }

  @Test func sharedLabelFindingsAreWaivedPerDomain() throws {
    let policy = try policy("""
      version: 1
      defaults: {devices: allow}
      seclabel: {models: [selinux], type: any}
      waivers:
        - findings: {check: seclabel-shared}
          match: {name: a}
          reason: r
          owner: o
          expires: 2030-01-01
      """)
    func running(_ name: String) throws -> Domain {
      try domain("""
        <domain type='kvm' id='1'><name>\(name)</name><devices/>
        <seclabel type='static' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel></domain>
        """)
    }
    let evaluations = Engine.evaluate([try running("a"), try running("b")], against: policy, today: Self.june30)
    #expect(evaluations.map { $0.findings.map { "\($0.check.rawValue) \($0.isWaived)" } } == [["seclabel-shared true"], ["seclabel-shared false"]])
  }

  @Test func thePolicyLayerKnowsEveryCheckTheEngineHas() {
    #expect(FindingSelector.knownChecks == Check.allCases.map(\.rawValue))
  }
}
