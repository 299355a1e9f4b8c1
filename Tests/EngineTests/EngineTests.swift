import DomainModel
import Engine
import Policy
import Testing

@Suite struct EngineTests {
  @Test func withoutDecisionsTheFindingsAreTheSameAndNoDecisionIsKept() throws {
    let rules = try policy("""
      version: 1
      devices:
        input:
          allow:
            - bus: ps2
        disk: deny
      """)
    let vm = try domain(
      devices: """
        <input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input><input type='mouse' bus='ps2'/>
        <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='0x00' slot='0x04'/></disk>
        """)
    let full = Engine.evaluate(vm, against: rules, today: .epoch)
    let lean = Engine.evaluate(vm, against: rules, decisions: false, today: .epoch)
    #expect(lean.findings.map(\.message) == full.findings.map(\.message))
    #expect(lean.findings.map(\.id) == full.findings.map(\.id))
    #expect(full.decisions.count == 3)
    #expect(lean.decisions.isEmpty)
    #expect(full.findings.last?.device?.address == "pci 0000:00:04.0")
    #expect(full.findings.first?.message.contains("(usb 0:1)") == true)
  }

  @Test func denyRulesWinOverAllowRules() throws {
    let rules = try policy("""
      version: 1
      devices:
        input:
          allow: all
          deny:
            - bus: usb
              action: detach
      """)
    let evaluation = Engine.evaluate(
      try domain(devices: "<input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/>"), against: rules, today: .epoch)
    #expect(summary(evaluation) == ["device-denied input detach"])
    #expect(evaluation.decisions.map(\.allowed) == [false, true])
    #expect(evaluation.decisions[1].rule.path == "devices.input")
  }

  @Test func actionsComeFromRuleThenClassThenDefaultsThenRefuse() throws {
    let rules = try policy("""
      version: 1
      defaults:
        action: warn
      devices:
        sound:
          action: detach
          allow: none
        input:
          allow: none
          deny:
            - bus: usb
              action: rewrite
        video: deny
      """)
    let evaluation = Engine.evaluate(
      try domain(devices: "<sound model='ich9'/><input type='tablet' bus='usb'/><video><model type='qxl'/></video><hub type='usb'/>"),
      against: rules, today: .epoch)
    #expect(summary(evaluation) == ["class-denied sound detach", "device-denied input rewrite", "class-denied video warn", "class-denied hub warn"])
    let builtIn = try policy("version: 1\n")
    #expect(summary(Engine.evaluate(try domain(devices: "<hub type='usb'/>"), against: builtIn, today: .epoch)) == ["class-denied hub refuse"])
  }

  @Test func unlistedClassesFollowTheDefault() throws {
    let open = try policy("version: 1\ndefaults:\n  devices: allow\ndevices:\n  sound: deny\n")
    let evaluation = Engine.evaluate(try domain(devices: "<rng model='virtio'/><sound model='ac97'/><gizmo/>"), against: open, today: .epoch)
    #expect(summary(evaluation) == ["class-denied sound refuse"])
    let closed = try policy("version: 1\n")
    let denied = Engine.evaluate(try domain(devices: "<gizmo/>"), against: closed, today: .epoch)
    // A class kvmpolicy does not know is judged by the default, never skipped.
    #expect(summary(denied) == ["class-denied gizmo refuse"])
    #expect(denied.findings[0].rule.path == "defaults.devices (built-in: deny)")
    #expect(denied.findings[0].rule.location == nil)
  }

  @Test func globsAbsenceAndOneOfLists() throws {
    let rules = try policy("""
      version: 1
      devices:
        disk:
          allow:
            - bus: [virtio, scsi]
              source: ["/var/lib/libvirt/images/*.qcow2", ~]
      """)
    let devices = """
      <disk type='file' device='disk'><source file='/var/lib/libvirt/images/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
      <disk type='file' device='cdrom'><target dev='sda' bus='scsi'/></disk>
      <disk type='file' device='disk'><source file='/home/user/b.qcow2'/><target dev='vdb' bus='virtio'/></disk>
      <disk type='file' device='disk'><source file='/var/lib/libvirt/images/c.raw'/><target dev='hda' bus='ide'/></disk>
      """
    let evaluation = Engine.evaluate(try domain(devices: devices), against: rules, today: .epoch)
    #expect(evaluation.decisions.map(\.allowed) == [true, true, false, false])
    #expect(evaluation.findings.map(\.attribute) == ["source=/home/user/b.qcow2", "bus=ide"])
    #expect(evaluation.findings[1].message.contains("needs bus in [virtio, scsi] and source in [/var/lib/libvirt/images/*.qcow2, ~]"))
  }

  @Test func everyValueOfAMultiValuedAttributeMustBeAccepted() throws {
    let rules = try policy("version: 1\ndevices:\n  graphics:\n    allow:\n      - listen: [127.0.0.1, '::1']\n")
    let devices = """
      <graphics type='vnc' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>
      <graphics type='spice'><listen type='address' address='127.0.0.1'/><listen type='address' address='0.0.0.0'/></graphics>
      <graphics type='vnc'/>
      """
    let evaluation = Engine.evaluate(try domain(devices: devices), against: rules, today: .epoch)
    #expect(evaluation.decisions.map(\.allowed) == [true, false, false])
    #expect(evaluation.findings.map(\.attribute) == ["listen=127.0.0.1,0.0.0.0", "listen absent"])
  }

  @Test func rawPathsMatchLikeCanonicalNames() throws {
    let rules = try policy("version: 1\ndevices:\n  interface:\n    allow:\n      - model/@type: virtio\n        driver/@iommu: 'on'\n")
    let devices = """
      <interface type='network'><model type='virtio'/><driver iommu='on'/></interface>
      <interface type='network'><model type='virtio'/></interface>
      """
    #expect(Engine.evaluate(try domain(devices: devices), against: rules, today: .epoch).decisions.map(\.allowed) == [true, false])
  }

  @Test func theMostSpecificOverrideWins() throws {
    let rules = try policy("""
      version: 1
      devices:
        hostdev: deny
      overrides:
        - name: by-glob
          match: {name: "gpu-*"}
          devices:
            hostdev:
              allow:
                - vendor: 10de
        - name: by-tag
          match: {tag: gpu}
          devices:
            hostdev: allow
        - name: by-name
          match: {name: gpu-02}
          devices:
            hostdev: deny
        - name: by-uuid
          match: {uuid: 11111111-2222-3333-4444-555555555555}
          devices:
            hostdev: allow
      """)
    let gpu = "<hostdev mode='subsystem' type='usb'><source><vendor id='0x10de'/><product id='0x1234'/></source></hostdev>"
    let tagged = "<metadata><k:tag xmlns:k='urn:kvmpolicy:metadata:1'>gpu</k:tag></metadata>"
    let cases: [(Domain, String?, Bool)] = [
      (try domain(named: "web-01", devices: gpu), nil, false),
      (try domain(named: "gpu-01", devices: gpu), "by-glob", true),
      (try domain(named: "gpu-01", devices: gpu, extra: tagged), "by-tag", true),
      (try domain(named: "gpu-02", devices: gpu, extra: tagged), "by-name", false),
      (try domain(named: "gpu-02", uuid: "11111111-2222-3333-4444-555555555555", devices: gpu), "by-uuid", true),
    ]
    for (candidate, override, allowed) in cases {
      let evaluation = Engine.evaluate(candidate, against: rules, today: .epoch)
      #expect(evaluation.override == override, "\(candidate.name)")
      #expect(evaluation.decisions.map(\.allowed) == [allowed], "\(candidate.name)")
    }
    let denied = Engine.evaluate(try domain(named: "gpu-02", devices: gpu), against: rules, today: .epoch)
    #expect(denied.findings.first?.rule.path == "overrides[by-name].devices.hostdev")
  }

  @Test func overridesReplaceOnlyWhatTheyName() throws {
    let rules = try policy("""
      version: 1
      defaults: {action: refuse}
      devices:
        sound: deny
        memballoon: allow
      overrides:
        - name: lab
          match: {name: "lab-*"}
          defaults: {action: warn}
      """)
    let evaluation = Engine.evaluate(try domain(named: "lab-1", devices: "<sound model='ich9'/><memballoon model='virtio'/>"), against: rules, today: .epoch)
    #expect(summary(evaluation) == ["class-denied sound warn"])
    #expect(!evaluation.hasViolations)
  }

  @Test func hostdevVendorComesFromTheXMLOrTheHost() throws {
    let rules = try policy("version: 1\ndevices:\n  hostdev:\n    allow:\n      - type: pci\n        vendor: 0x10DE\n")
    let pci = "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x41' slot='0x00' function='0x0'/></source></hostdev>"
    let unresolved = try domain(devices: pci)
    #expect(Engine.evaluate(unresolved, against: rules, today: .epoch).findings.map(\.attribute) == ["vendor absent"])
    let resolved = unresolved.resolvingHostDevices { address in address == "0000:41:00.0" ? ("0x10de", "0x2204") : nil }
    #expect(Engine.evaluate(resolved, against: rules, today: .epoch).findings.isEmpty)
    #expect(resolved.devices[0].attribute("id") == ["10de:2204"])
  }

  @Test func sharedLabelsAreFoundAcrossRunningDomains() throws {
    let rules = try policy("version: 1\ndefaults: {devices: allow}\nseclabel: {models: [selinux]}\n")
    func vm(_ name: String, _ label: String, live: Bool = true) throws -> Domain {
      try domain(
        "<domain type='kvm'\(live ? " id='1'" : "")><name>\(name)</name><seclabel type='dynamic' model='selinux' relabel='yes'><label>\(label)</label></seclabel></domain>")
    }
    let evaluations = Engine.evaluate(
      [try vm("a", "s0:c1,c2"), try vm("b", "s0:c1,c2"), try vm("c", "s0:c3,c4"), try vm("d", "s0:c1,c2", live: false)],
      against: rules, today: .epoch)
    #expect(evaluations.map { $0.findings.map(\.check.rawValue) } == [["seclabel-shared"], ["seclabel-shared"], [], []])
    #expect(evaluations[0].findings[0].message == "label s0:c1,c2 is shared with b: sVirt cannot keep these VMs apart")
  }

  @Test func dacAloneIsReportedAsNotSVirt() throws {
    let rules = try policy("version: 1\ndefaults: {devices: allow}\nseclabel: {}\n")
    let live = try domain(
      "<domain type='kvm' id='2'><name>v</name><seclabel type='dynamic' model='dac' relabel='yes'><label>+64055:+64055</label></seclabel></domain>")
    let evaluation = Engine.evaluate(live, against: rules, today: .epoch)
    #expect(summary(evaluation) == ["seclabel-unconfined refuse"])
    #expect(evaluation.findings[0].message.contains("only a DAC label"))
    // A definition that spells out nothing is judged at start, when libvirt has generated labels.
    #expect(Engine.evaluate(try domain("<domain type='kvm'><name>v</name></domain>"), against: rules, today: .epoch).findings.isEmpty)
  }

  @Test func passthroughIsDeniedUnlessAllowed() throws {
    let extra = "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:arg value='-S'/><qemu:env name='X' value='1'/></qemu:commandline>"
    let lab = try domain(devices: "", extra: extra)
    let silent = try policy("version: 1\n")
    let denied = Engine.evaluate(lab, against: silent, today: .epoch)
    #expect(summary(denied) == ["qemu-passthrough refuse"])
    #expect(denied.findings[0].message == "QEMU passthrough bypasses the device policy: arguments '-S'; environment X")
    #expect(denied.findings[0].rule.path == "qemu.passthrough (built-in: deny)")
    let allowing = try policy("version: 1\nqemu:\n  passthrough: allow\n")
    #expect(Engine.evaluate(lab, against: allowing, today: .epoch).findings.isEmpty)
  }

  @Test func findingIDsAreStableAndDistinct() throws {
    let rules = try policy("version: 1\n")
    let devices = "<sound model='ich9'><alias name='sound0'/></sound><sound model='ich9'><alias name='sound1'/></sound>"
    let first = Engine.evaluate(try domain(devices: devices), against: rules, today: .epoch).findings.map(\.id)
    let second = Engine.evaluate(try domain(devices: devices), against: rules, today: .epoch).findings.map(\.id)
    #expect(first == second)
    #expect(Set(first).count == 2)
    #expect(first.allSatisfy { $0.hasPrefix("KP-") && $0.count == 15 })
  }

  @Test func rewriteFindingsCarryTheirAssignments() throws {
    let rules = try policy("""
      version: 1
      devices:
        interface:
          allow: [{model: virtio}]
          deny:
            - model: e1000
              action: rewrite
              set: {model: virtio}
      """)
    let finding = try #require(Engine.evaluate(try domain(devices: "<interface type='network'><model type='e1000'/></interface>"), against: rules, today: .epoch).findings.first)
    #expect(finding.action == .rewrite)
    #expect(finding.assignments == [Assignment(attribute: "model", value: "virtio")])
  }

  @Test func findingsComeInDocumentOrderAfterDomainLevelOnes() throws {
    let rules = try policy("version: 1\nseclabel: {}\n")
    let xml = "<domain type='kvm'><name>o</name><devices><sound model='a'/><hub type='usb'/></devices><seclabel type='none'/></domain>"
    #expect(summary(Engine.evaluate(try domain(xml), against: rules, today: .epoch)) == ["seclabel-none refuse", "class-denied sound refuse", "class-denied hub refuse"])
  }
}

/// Which allow rule a refusal names as the closest.
@Suite struct ClosestRuleTests {
  static let controllers = """
    version: 1
    devices:
      controller:
        allow:
          - type: [pci, virtio-serial, scsi, sata]
          - type: usb
            model: [none, qemu-xhci]
    """

  @Test func theRuleThatMeetsMostConditionsIsNamed() throws {
    let evaluation = Engine.evaluate(
      try domain(devices: "<controller type='usb' index='0' model='piix3-uhci'/>"), against: try policy(Self.controllers), today: .epoch)
    let finding = try #require(evaluation.findings.first)
    // allow[0] fails on type alone, allow[1] meets type and fails on model: allow[1] is closer.
    #expect(finding.rule.path == "devices.controller.allow[1]")
    #expect(finding.message.contains("closest is devices.controller.allow[1], which needs model in [none, qemu-xhci] (has model=piix3-uhci)"), "\(finding.message)")
  }

  @Test func onATieTheFirstRuleIsNamed() throws {
    let evaluation = Engine.evaluate(
      try domain(devices: "<controller type='ide' index='0'/>"), against: try policy(Self.controllers), today: .epoch)
    let finding = try #require(evaluation.findings.first)
    #expect(finding.rule.path == "devices.controller.allow[0]")
  }
}
