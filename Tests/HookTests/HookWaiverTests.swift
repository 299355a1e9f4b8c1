import Hook
import Policy
import Testing

/// The hook honours waivers: a waived violation starts, an expired waiver refuses again, and a
/// policy without waivers never reads the clock.
@Suite struct HookWaiverTests {
  static let text = """
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
        owner: lab-team
        expires: 2025-06-30
    """
  static let june30 = PolicyDate(year: 2025, month: 6, day: 30) ?? .epoch

  static func run(_ operation: String = "prepare", name: String, devices: String, policy text: String = text, today: PolicyDate) -> HookOutcome {
    let xml = "<domain type='qemu'><name>\(name)</name><devices>\(devices)</devices></domain>"
    return HookRunner.run(
      HookRequest(domain: name, operation: operation, subOperation: "begin", policyPath: "/etc/kvmpolicy/policy.yaml"),
      xml: { Array(xml.utf8) }, loadPolicy: { PolicyLoader.load(text: text, file: $0).map(\.policy) }, today: { today })
  }

  @Test func aWaivedViolationStartsAndAnUnwaivedOneIsRefused() {
    #expect(Self.run(name: "lab-01", devices: "<sound model='ich6'/>", today: Self.june30) == .proceed)
    let refused = Self.run(name: "web-01", devices: "<sound model='ich6'/>", today: Self.june30)
    #expect(refused.status == 1)
    #expect(refused.messages.first?.hasPrefix("kvmpolicy: refusing to start web-01: 1 policy violation (policy /etc/kvmpolicy/policy.yaml, fnv1a64:") == true)
    // The waiver covers only what it names: the lab's hub is refused, its sound card is not.
    let hub = Self.run(name: "lab-01", devices: "<sound model='ich6'/><hub type='usb'/>", today: Self.june30)
    #expect(hub.status == 1)
    #expect(hub.messages.count == 2)
    #expect(hub.messages[1].hasPrefix("kvmpolicy: hub usb is not allowed: 'hub' devices are denied"))
  }

  @Test func theDayAfterItsLastDayTheWaiverNoLongerApplies() {
    let refused = Self.run(name: "lab-01", devices: "<sound model='ich6'/>", today: Self.june30.adding(days: 1))
    #expect(refused.status == 1)
    #expect(refused.messages.count == 2)
    #expect(refused.messages[1].hasPrefix("kvmpolicy: sound ich6 is not allowed: 'sound' devices are denied [devices.sound (/etc/kvmpolicy/policy.yaml:4:3)] KP-"))
    #expect(refused.messages[1].hasSuffix(" (waiver waivers[lab-audio] expired on 2025-06-30)"))
  }

  @Test func reconnectWarnsOnlyAboutWhatIsNotWaived() {
    let outcome = Self.run("reconnect", name: "lab-01", devices: "<sound model='ich6'/><hub type='usb'/>", today: Self.june30)
    #expect(outcome.status == 0)
    #expect(outcome.messages.count == 1)
    #expect(outcome.messages.first?.contains("hub usb") == true)
  }

  @Test func withoutWaiversTheClockIsNeverRead() {
    let text = "version: 1\ndevices:\n  sound: deny\n"
    let outcome = HookRunner.run(
      HookRequest(domain: "vm", operation: "prepare", subOperation: "begin", policyPath: "/etc/kvmpolicy/policy.yaml"),
      xml: { Array("<domain type='qemu'><name>vm</name><devices><sound model='ich6'/></devices></domain>".utf8) },
      loadPolicy: { PolicyLoader.load(text: text, file: $0).map(\.policy) },
      today: {
        Issue.record("the clock was read for a policy without waivers")
        return .epoch
      })
    #expect(outcome.status == 1)
  }
}
