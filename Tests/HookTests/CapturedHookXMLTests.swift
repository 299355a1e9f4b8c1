import Foundation
import Hook
import Policy
import Testing

/// The hook over what libvirt 9.0 really passed to a QEMU hook (Tests/Fixtures/hook/captured,
/// recorded by scripts/capture-hook-xml): implicit devices, ids, generated DAC labels included.
@Suite struct CapturedHookXMLTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func policy(_ name: String) -> (String) -> Result<Policy, PolicyErrors> {
    { _ in PolicyLoader.load(path: root.appendingPathComponent(name).path).map(\.policy) }
  }

  static func run(_ file: String, policy: String) throws -> HookOutcome {
    let url = root.appendingPathComponent("Tests/Fixtures/hook/captured/\(file)")
    let xml = try Data(contentsOf: url)
    let name = url.lastPathComponent.split(separator: "-")
    let operation = String(name[1])
    let subOperation = String(name[2].dropLast(4))
    return HookRunner.run(
      HookRequest(domain: "captured", operation: operation, subOperation: subOperation), xml: { Array(xml) },
      loadPolicy: Self.policy(policy), today: { .epoch })
  }

  @Test func prepareRefusesTheCapturedGuestsSoundCardAndNothingElse() throws {
    let outcome = try Self.run("start-destroy/01-prepare-begin.xml", policy: "Tests/Fixtures/policies/hook-test.yaml")
    #expect(outcome.status == 1)
    #expect(outcome.messages.count == 2)
    #expect(outcome.messages[1].hasPrefix("kvmpolicy: sound ich6 (pci 0000:00:02.0) is not allowed: 'sound' devices are denied"))
  }

  @Test func startJudgesTheGeneratedDACLabelAsNotSVirt() throws {
    let outcome = try Self.run("start-destroy/02-start-begin.xml", policy: "Tests/Fixtures/policies/hook-svirt.yaml")
    #expect(outcome.status == 1)
    #expect(outcome.messages[1].contains("it has only a DAC label"))
    // The same call at prepare has no generated label yet: nothing to judge there.
    #expect(try Self.run("start-destroy/01-prepare-begin.xml", policy: "Tests/Fixtures/policies/hook-svirt.yaml") == .proceed)
  }

  @Test func anExplicitDACSeclabelIsNotSVirtEither() throws {
    #expect(try Self.run("dac-seclabel/01-prepare-begin.xml", policy: "Tests/Fixtures/policies/hook-svirt.yaml") == .proceed)
    #expect(try Self.run("dac-seclabel/02-start-begin.xml", policy: "Tests/Fixtures/policies/hook-svirt.yaml").status == 1)
  }

  @Test func restoreIsJudgedOnTheSavedImagesXMLAndPrintsNothing() throws {
    let outcome = try Self.run("save-restore/03-restore-begin.xml", policy: "Tests/Fixtures/policies/hook-test.yaml")
    #expect(outcome.status == 1)
    #expect(outcome.output == "")
    #expect(outcome.messages[0].hasPrefix("kvmpolicy: refusing to restore kvmpolicy-test-capture-a-ff777c8a: 1 policy violation (policy "))
  }

  @Test func reconnectAndTheEndCallsNeverFail() throws {
    #expect(try Self.run("reconnect/01-reconnect-begin.xml", policy: "Tests/Fixtures/policies/hook-deny-all.yaml").status == 0)
    for file in ["start-destroy/03-started-begin.xml", "start-destroy/04-stopped-end.xml", "start-destroy/05-release-end.xml",
      "exp-fail-prepare/01-stopped-end.xml", "exp-fail-prepare/02-release-end.xml"]
    {
      #expect(try Self.run(file, policy: "Tests/Fixtures/policies/hook-deny-all.yaml") == .proceed, "\(file)")
    }
  }

  @Test func aMissingPolicyFailsClosed() {
    let outcome = HookRunner.run(
      HookRequest(domain: "vm", operation: "prepare", subOperation: "begin", policyPath: "/nonexistent/kvmpolicy/policy.yaml"),
      xml: { [] }, loadPolicy: HookPolicyLoader.load, today: { .epoch })
    #expect(outcome.status == 1)
    #expect(
      outcome.messages == [
        "kvmpolicy: refusing to start vm: the policy cannot be used (fail-closed): /nonexistent/kvmpolicy/policy.yaml: error: cannot read the policy: No such file or directory"
      ])
  }
}
