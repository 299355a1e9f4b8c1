import Enforcement
import Foundation
import Policy
import Testing

/// Enforcement leaves alone what a waiver in force covers, and acts on it again once it expires.
@Suite struct WaiverEnforcementTests {
  static let policyText = EnforcerTests.policyText + """

    waivers:
      - name: usb-input
        match: {uuid: 11111111-2222-3333-4444-555555555555}
        findings: {class: input}
        reason: the kiosk's touch screen is a USB tablet
        owner: kiosk-team
        expires: 2025-06-30
      - findings: {check: class-denied, class: sound}
        match: {name: vm}
        reason: the audio lab
        owner: lab-team
        expires: 2025-06-30
    """
  static let june30 = PolicyDate(year: 2025, month: 6, day: 30) ?? .epoch

  func enforcer(_ control: FakeControl, today: PolicyDate) throws -> Enforcer {
    let policy = try PolicyLoader.load(text: Self.policyText, file: "p.yaml").get().policy
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-waiver-backups-\(UUID().uuidString)").path
    return Enforcer(
      control: control, policy: policy, backups: BackupStore(directory: directory, clock: { Date(timeIntervalSince1970: 1_800_000_000) }),
      options: .init(detachTimeout: 1), today: { today })
  }

  func runningVM() -> FakeControl {
    FakeControl(
      domains: [ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: true, isPersistent: true)],
      live: ["vm": EnforcerTests.live], definitions: ["vm": EnforcerTests.definition])
  }

  @Test func waivedFindingsAreListedAndNeitherDetachedNorRewritten() throws {
    let control = runningVM()
    let enforcer = try enforcer(control, today: Self.june30)
    let plan = try #require(try enforcer.plan().first)
    #expect(plan.detaches.isEmpty)
    #expect(plan.waived.map { "\($0.check.rawValue) \($0.device?.deviceClass ?? "")" } == [
      "class-denied sound", "device-denied input", "device-denied input",
    ])
    #expect(plan.waived.allSatisfy { $0.isWaived })
    // Only the unwaived e1000 is rewritten; the definition keeps its sound card.
    let rewrite = try #require(plan.rewrite)
    #expect(rewrite.findings.map(\.check.rawValue) == ["device-denied"])
    #expect(rewrite.rewritten.contains("<sound model=\"ich6\"/>"))
    _ = enforcer.apply([plan])
    #expect(!control.calls.contains { $0.hasPrefix("detach") })
    #expect(control.calls == ["define"])
  }

  @Test func theDayAfterTheWaiversExpireEverythingIsEnforcedAgain() throws {
    let control = runningVM()
    let plan = try #require(try enforcer(control, today: Self.june30.adding(days: 1)).plan().first)
    #expect(plan.waived.isEmpty)
    #expect(plan.detaches.map(\.alias) == ["input0", nil])
    #expect(plan.detaches.allSatisfy { $0.finding.waiver?.expired == true })
    let rewrite = try #require(plan.rewrite)
    #expect(!rewrite.rewritten.contains("<sound"))
  }
}
