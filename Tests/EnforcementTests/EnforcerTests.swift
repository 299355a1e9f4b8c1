import Enforcement
import Foundation
import Policy
import Testing

/// An in-memory host: definitions and live XML by name, recording every call.
final class FakeControl: DomainControl {
  var domainsList: [ControlledDomain]
  var live: [String: String]
  var definitions: [String: String]
  var calls: [String] = []
  var detachOutcome: DetachOutcome = .removed
  var defineError: Error?
  /// Runs before `definitionXML` answers, to simulate a change by someone else.
  var onDefinitionRead: ((String) -> Void)?

  init(domains: [ControlledDomain], live: [String: String], definitions: [String: String]) {
    domainsList = domains
    self.live = live
    self.definitions = definitions
  }

  func domains() throws -> [ControlledDomain] { domainsList }
  func liveXML(of domain: String) throws -> String { try require(live[domain], domain) }
  func definitionXML(of domain: String) throws -> String {
    onDefinitionRead?(domain)
    return try require(definitions[domain], domain)
  }
  func detach(from domain: String, alias: String?, deviceXML: String, timeout: Double) throws -> DetachOutcome {
    calls.append("detach \(domain) \(alias ?? "xml:" + deviceXML)")
    return detachOutcome
  }
  func define(_ xml: String) throws {
    calls.append("define")
    if let defineError { throw defineError }
    let name = xml.firstMatch(of: /<name>([^<]+)<\/name>/).map { String($0.1) } ?? ""
    definitions[name] = xml
  }
  func shutdown(_ domain: String) throws { calls.append("shutdown \(domain)") }
  /// What `startTransient` answers: a refusal message, or `nil` to start.
  var transientRefusal: ((String) -> String?)?
  func startTransient(_ xml: String) throws -> TransientStart {
    calls.append("start transient")
    return transientRefusal?(xml).map(TransientStart.refused) ?? .started
  }

  private func require(_ value: String?, _ domain: String) throws -> String {
    guard let value else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "domain \(domain) not found"]) }
    return value
  }
}

struct FakeError: Error, CustomStringConvertible {
  let description: String
}

@Suite struct EnforcerTests {
  static let policyText = """
    version: 1
    defaults: {devices: allow}
    devices:
      sound:
        action: rewrite
        allow: none
      input:
        allow: all
        deny:
          - bus: usb
            action: detach
      interface:
        allow: [{model: virtio}]
        deny:
          - model: e1000
            action: rewrite
            set: {model: virtio}
      hostdev: deny
    """

  static let definition = """
    <domain type='qemu'>
      <name>vm</name>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
      <!-- kept as it is -->
      <devices>
        <interface type='user'><model type='e1000'/></interface>
        <sound model='ich6'/>
        <input type='tablet' bus='usb'/>
      </devices>
    </domain>
    """
  static let live = """
    <domain type='qemu' id='3'>
      <name>vm</name>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
      <devices>
        <interface type='user'><model type='e1000'/><alias name='net0'/></interface>
        <sound model='ich6'><alias name='sound0'/></sound>
        <input type='tablet' bus='usb'><alias name='input0'/></input>
        <input type='mouse' bus='usb'/>
      </devices>
    </domain>
    """

  let backupDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-backups-\(UUID().uuidString)").path

  func makeEnforcer(_ control: FakeControl, shutdown: Bool = false, detachFromDefinition: Bool = false) throws -> Enforcer {
    let policy = try PolicyLoader.load(text: Self.policyText, file: "p.yaml").get().policy
    return Enforcer(
      control: control, policy: policy,
      backups: BackupStore(directory: backupDirectory, clock: { Date(timeIntervalSince1970: 1_800_000_000) }),
      options: .init(detachTimeout: 1, shutdown: shutdown, detachFromDefinition: detachFromDefinition))
  }

  func runningVM() -> FakeControl {
    FakeControl(
      domains: [ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: true, isPersistent: true)],
      live: ["vm": Self.live], definitions: ["vm": Self.definition])
  }

  @Test func plansDetachesByAliasOrXMLAndARewriteWithADiff() throws {
    let control = runningVM()
    let plans = try makeEnforcer(control).plan()
    #expect(plans.count == 1)
    let plan = plans[0]
    #expect(plan.detaches.map(\.alias) == ["input0", nil])
    #expect(plan.detaches[1].deviceXML == "<input type=\"mouse\" bus=\"usb\"/>")
    let rewrite = try #require(plan.rewrite)
    #expect(rewrite.findings.map(\.check.rawValue) == ["device-denied", "class-denied"])
    #expect(rewrite.rewritten.contains("<model type=\"virtio\"/>"))
    #expect(!rewrite.rewritten.contains("<sound"))
    #expect(rewrite.rewritten.contains("<!-- kept as it is -->"))
    #expect(
      rewrite.diff.hasSuffix("""
         <devices>
        -    <interface type="user"><model type="e1000"/></interface>
        -    <sound model="ich6"/>
        +    <interface type="user"><model type="virtio"/></interface>
             <input type="tablet" bus="usb"/>
           </devices>
         </domain>

        """))
    #expect(control.calls.isEmpty, "planning changes nothing")
  }

  @Test func appliesDetachesThenABackedUpRewrite() throws {
    let control = runningVM()
    let enforcer = try makeEnforcer(control)
    let outcomes = enforcer.apply(try enforcer.plan())
    #expect(control.calls == ["detach vm input0", "detach vm xml:<input type=\"mouse\" bus=\"usb\"/>", "define"])
    let outcome = try #require(outcomes.first)
    #expect(outcome.errors.isEmpty)
    let backup = try #require(outcome.backup)
    #expect(try String(contentsOfFile: backup.path, encoding: .utf8) == Self.definition)
    #expect(backup.id == "20270115T080000.000Z")
    #expect(BackupStore(directory: backupDirectory).backups(of: "vm").map(\.id) == [backup.id])
    #expect(!control.definitions["vm", default: ""].contains("<sound"))
  }

  @Test func aSecondRunChangesNothing() throws {
    let control = runningVM()
    let enforcer = try makeEnforcer(control)
    _ = enforcer.apply(try enforcer.plan())
    // The guest released the devices: the live XML no longer has them.
    control.live["vm"] = control.definitions["vm"]?.replacingOccurrences(of: "<input type=\"tablet\" bus=\"usb\"/>", with: "")
    control.calls = []
    let again = try enforcer.plan()
    #expect(again[0].rewrite == nil)
    #expect(again[0].detaches.isEmpty)
    _ = enforcer.apply(again)
    #expect(control.calls.isEmpty)
  }

  @Test func aRejectedDefineLeavesTheDefinitionAndKeepsTheBackup() throws {
    let control = runningVM()
    control.defineError = FakeError(description: "XML error: invalid")
    let enforcer = try makeEnforcer(control)
    let outcome = try #require(enforcer.apply(try enforcer.plan()).first)
    #expect(control.definitions["vm"] == Self.definition)
    #expect(outcome.errors == ["libvirt refused the rewritten definition, which stays as it was: XML error: invalid"])
    #expect(outcome.backup != nil)
  }

  @Test func aDefinitionChangedSincePlanningIsLeftAlone() throws {
    let control = runningVM()
    let enforcer = try makeEnforcer(control)
    let plans = try enforcer.plan()
    control.definitions["vm"] = Self.definition.replacingOccurrences(of: "ich6", with: "ich9")
    let outcome = try #require(enforcer.apply(plans).first)
    #expect(!control.calls.contains("define"))
    #expect(outcome.errors.contains("the definition changed since it was planned; left as it is (run enforce again)"))
  }

  @Test func oneBrokenDomainDoesNotStopTheOthers() throws {
    let control = FakeControl(
      domains: [
        ControlledDomain(name: "gone", uuid: "00000000-0000-0000-0000-000000000000", isActive: true, isPersistent: true),
        ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: false, isPersistent: true),
      ],
      live: [:], definitions: ["vm": Self.definition])
    let enforcer = try makeEnforcer(control)
    let outcomes = enforcer.apply(try enforcer.plan())
    #expect(outcomes.map(\.plan.name) == ["gone", "vm"])
    #expect(outcomes[0].errors.first?.contains("domain gone not found") == true)
    #expect(outcomes[1].errors.isEmpty)
    #expect(control.calls == ["define"])
  }

  @Test func refuseFindingsAreReportedAndShutDownOnlyWhenAsked() throws {
    let control = runningVM()
    control.live["vm"] = Self.live.replacingOccurrences(of: "</devices>", with: "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1'/><product id='0x2'/></source></hostdev></devices>")
    let plain = try makeEnforcer(control)
    #expect(try plain.plan()[0].refusals.map(\.check.rawValue) == ["class-denied"])
    _ = plain.apply(try plain.plan())
    #expect(!control.calls.contains("shutdown vm"))
    let stopping = try makeEnforcer(control, shutdown: true)
    _ = stopping.apply(try stopping.plan())
    #expect(control.calls.contains("shutdown vm"))
  }

  @Test func guestsThatRefuseOrTimeOutAreReported() throws {
    for (outcome, message) in [(DetachOutcome.refused, "the guest refused to release input tablet (alias input0)"), (.timedOut, "input tablet (alias input0) is still attached after 1 s")] {
      let control = runningVM()
      control.detachOutcome = outcome
      let enforcer = try makeEnforcer(control)
      let result = try #require(enforcer.apply(try enforcer.plan()).first)
      #expect(result.errors.first == message)
    }
  }

  @Test func detachFromDefinitionRemovesDetachedDevicesFromTheConfigToo() throws {
    let control = runningVM()
    let rewrite = try #require(try makeEnforcer(control, detachFromDefinition: true).plan()[0].rewrite)
    #expect(!rewrite.rewritten.contains("tablet"))
  }
}

@Suite struct UnifiedDiffTests {
  @Test func printsHunksWithContextLikeDiffU() {
    let old = (1...10).map { "line \($0)" }.joined(separator: "\n")
    let new = old.replacingOccurrences(of: "line 5", with: "line five")
    #expect(
      UnifiedDiff.make(old, new, oldName: "a", newName: "b") == """
        --- a
        +++ b
        @@ -2,7 +2,7 @@
         line 2
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7
         line 8

        """)
    #expect(UnifiedDiff.make(old, old, oldName: "a", newName: "b") == "")
  }
}

@Suite struct EnforcementLockTests {
  @Test func aSecondEnforcerIsTurnedAway() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-lock-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let first = try EnforcementLock(path: path, wait: false)
    // flock locks belong to open file descriptions: a second open in this process conflicts too.
    #expect {
      try EnforcementLock(path: path, wait: false)
    } throws: { error in
      "\(error)" == "another kvmpolicy enforce is running (pid \(getpid()), lock \(path)); wait for it or pass --wait"
    }
    withExtendedLifetime(first) {}
  }
}

/// A hot-plugged device was never approved by the hook: whatever its rule's action (warn aside),
/// one that breaks the policy leaves the running domain.
@Suite struct HotPlugPlanTests {
  static let policy = """
    version: 1
    defaults: {devices: allow, action: refuse}
    devices:
      disk:
        allow: [{bus: virtio}]
      interface:
        allow: [{model: virtio}]
        deny:
          - model: e1000
            action: rewrite
            set: {model: virtio}
      sound:
        action: warn
        allow: none
    """
  static let live = """
    <domain type='qemu' id='3'><name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid><devices>
      <disk type='file' device='disk'><source file='/tmp/usb.img'/><target dev='sda' bus='usb'/><alias name='ua-usbdisk'/></disk>
      <interface type='user'><model type='e1000'/><alias name='net1'/></interface>
      <sound model='ich6'><alias name='sound0'/></sound>
    </devices></domain>
    """

  static func plan(hotPlugged: Set<String>) throws -> DomainPlan {
    let policy = try PolicyLoader.load(text: Self.policy, file: "p.yaml").get().policy
    return EnforcementPlanner.plan(
      domain: ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: true, isPersistent: false),
      liveXML: Self.live, definitionXML: nil, policy: policy, options: .init(hotPlugged: hotPlugged), today: .epoch)
  }

  @Test func refuseAndRewriteDevicesThatWereJustHotPluggedAreDetached() throws {
    let plan = try Self.plan(hotPlugged: ["ua-usbdisk", "net1", "sound0"])
    #expect(plan.detaches.map(\.alias) == ["ua-usbdisk", "net1"])
    #expect(plan.refusals.isEmpty)
    #expect(plan.warnings.map { $0.device?.alias } == ["sound0"], "warn stays a warning")
  }

  @Test func devicesTheDomainStartedWithAreLeftToTheirRule() throws {
    let plan = try Self.plan(hotPlugged: [])
    #expect(plan.detaches.isEmpty)
    #expect(plan.refusals.map { $0.device?.alias } == ["ua-usbdisk"])
  }
}

/// What `enforce --dry-run` prints never shows a secret libvirt keeps behind VIR_DOMAIN_XML_SECURE.
@Suite struct SecretRedactionTests {
  @Test func theDiffHidesTheGraphicsPasswordButTheRewriteKeepsIt() throws {
    let policy = try PolicyLoader.load(text: EnforcerTests.policyText, file: "p.yaml").get().policy
    let definition = """
      <domain type='qemu'><name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid><devices>
      <graphics type='vnc' port='-1' passwd='hunter2-vnc'/>
      <interface type='user'><model type='e1000'/></interface>
      </devices></domain>
      """
    let plan = EnforcementPlanner.plan(
      domain: ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: false, isPersistent: true),
      liveXML: nil, definitionXML: definition, policy: policy, today: .epoch)
    let rewrite = try #require(plan.rewrite)
    #expect(!rewrite.diff.contains("hunter2-vnc"))
    #expect(rewrite.diff.contains("passwd=\"(redacted)\""))
    #expect(rewrite.rewritten.contains("hunter2-vnc"), "the definition libvirt gets back keeps its password")
  }
}

/// A rewrite whose `set:` does not cure the violation is never defined: no loop, no backup pile.
@Suite struct UncuredRewriteTests {
  static let policy = """
    version: 1
    defaults: {devices: allow}
    devices:
      interface:
        allow: [{model: virtio}]
        deny:
          - model: e1000
            action: rewrite
            set: {model: rtl8139}
    """

  @Test func aSetThatLeavesTheDeviceViolatingDefinesNothing() throws {
    let policy = try PolicyLoader.load(text: Self.policy, file: "p.yaml").get().policy
    let control = FakeControl(
      domains: [ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: false, isPersistent: true)],
      live: [:], definitions: ["vm": "<domain type='qemu'><name>vm</name><devices><interface type='user'><model type='e1000'/></interface></devices></domain>"])
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-uncured-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let enforcer = Enforcer(control: control, policy: policy, backups: BackupStore(directory: directory), options: .init())
    for _ in 0..<3 {
      let outcome = try #require(enforcer.apply(try enforcer.plan()).first)
      #expect(outcome.plan.rewrite == nil)
      #expect(outcome.errors.first?.hasPrefix("the rewrite does not cure the definition, so nothing was defined: after it, interface user rtl8139") == true, "\(outcome.errors)")
      #expect(outcome.backup == nil)
    }
    #expect(control.calls.isEmpty, "nothing defined, however often it runs")
    #expect(!FileManager.default.fileExists(atPath: directory), "no backups")
  }
}

/// `enforce --dry-run` lists a device once, as `check` does, though live and definition
/// messages differ (aliases, addresses).
@Suite struct LiveAndDefinitionDedupeTests {
  @Test func aRefusedDeviceInBothTheLiveXMLAndTheDefinitionIsListedOnce() throws {
    let policy = try PolicyLoader.load(text: "version: 1\ndefaults: {devices: allow}\ndevices:\n  sound: deny\n", file: "p.yaml").get().policy
    let live = """
      <domain type='qemu' id='1'><name>vm</name><devices>
      <sound model='ich6'><alias name='sound0'/><address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></sound>
      </devices></domain>
      """
    let definition = "<domain type='qemu'><name>vm</name><devices><sound model='ich6'/></devices></domain>"
    let plan = EnforcementPlanner.plan(
      domain: ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: true, isPersistent: true),
      liveXML: live, definitionXML: definition, policy: policy, today: .epoch)
    #expect(plan.refusals.count == 1)
    #expect(plan.refusals.first?.device?.alias == "sound0")
  }
}

/// watch asks for detaches without waiting: a pending one is reported, and never asked twice.
@Suite struct PendingDetachTests {
  @Test func aDetachAskedWithoutWaitingIsPendingAndNotAskedAgain() throws {
    let control = FakeControl(
      domains: [ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: true, isPersistent: false)],
      live: ["vm": EnforcerTests.live], definitions: [:])
    control.detachOutcome = .pending
    let policy = try PolicyLoader.load(text: EnforcerTests.policyText, file: "p.yaml").get().policy
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-pending-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let enforcer = Enforcer(control: control, policy: policy, backups: BackupStore(directory: directory), options: .init(detachTimeout: 0))
    let first = try #require(enforcer.apply(try enforcer.plan()).first)
    #expect(first.pendingDetaches.map(\.alias) == ["input0"])
    #expect(first.events.contains { $0.hasPrefix("asked to detach input tablet (alias input0") })
    #expect(first.errors.isEmpty)
    control.calls.removeAll()
    let second = try #require(enforcer.apply(try enforcer.plan(), skipping: { $0 == "vm" && $1 == "input0" }).first)
    #expect(!control.calls.contains("detach vm input0"), "a pending detach is not asked for again")
    #expect(second.pendingDetaches.isEmpty)
  }
}

/// A shut-off domain has only its definition: a detach finding there is enforced by removing the
/// device from the definition, so check, enforce and the next start tell the same story.
@Suite struct ShutOffDetachTests {
  @Test func aShutOffDomainsDetachDeviceLeavesItsDefinition() throws {
    let policy = try PolicyLoader.load(text: EnforcerTests.policyText, file: "p.yaml").get().policy
    let definition = "<domain type='qemu'><name>vm</name><devices><input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/></devices></domain>"
    let plan = EnforcementPlanner.plan(
      domain: ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: false, isPersistent: true),
      liveXML: nil, definitionXML: definition, policy: policy, today: .epoch)
    let rewrite = try #require(plan.rewrite, "a shut-off domain's detach finding changes nothing")
    #expect(!rewrite.rewritten.contains("tablet"))
    #expect(rewrite.rewritten.contains("mouse"))
    #expect(plan.error == nil)
  }
}
