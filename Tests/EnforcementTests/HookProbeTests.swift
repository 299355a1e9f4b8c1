import Enforcement
import Foundation
import HostAudit
import Policy
import TestSupport
import Testing

/// `hook-veto` on a fake control: which canary, and what each answer from libvirt means.
@Suite struct HookProbeTests {
  static let baseline = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path

  /// A root with `/etc/kvmpolicy/policy.yaml` holding the baseline policy.
  static func root() throws -> (URL, String) {
    let root = try TemporaryDirectory.make("kvmpolicy-probe")
    let policy = root.appendingPathComponent("etc/kvmpolicy/policy.yaml")
    try FileManager.default.createDirectory(at: policy.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: baseline, toPath: policy.path)
    return (root, try #require(PolicyLoader.fingerprint(ofFile: policy.path)))
  }

  static func probe(_ root: URL, _ control: FakeControl) -> HostCheck {
    HookProbe(connection: "fake", root: root.path) { control }.check()
  }

  @Test func theProbePicksACanaryThePolicyRefuses() throws {
    let baseline = try PolicyLoader.load(path: Self.baseline).get().policy
    let (index, finding) = try #require(HookProbe.canary(for: baseline, name: "kvmpolicy-probe-1", today: .epoch))
    #expect(HookProbe.candidates[index].what == "a sound card")
    #expect(finding.action == .refuse)
    // A policy that refuses only sVirt switched off gets that canary.
    let svirt = try PolicyLoader.load(
      text: "version: 1\nseclabel:\n  models: [selinux, apparmor]\ndefaults:\n  devices: allow\n", file: "svirt.yaml"
    ).get().policy
    #expect(HookProbe.canary(for: svirt, name: "kvmpolicy-probe-1", today: .epoch).map { HookProbe.candidates[$0.index].what } == "sVirt switched off")
    let permissive = try PolicyLoader.load(text: "version: 1\ndefaults:\n  devices: allow\n", file: "allow.yaml").get().policy
    #expect(HookProbe.canary(for: permissive, name: "kvmpolicy-probe-1", today: .epoch) == nil)
  }

  @Test func passesOnlyForARefusalByTheInstalledPolicyAsItIsNow() throws {
    let (root, fingerprint) = try Self.root()
    defer { try? FileManager.default.removeItem(at: root) }
    let control = FakeControl(domains: [], live: [:], definitions: [:])
    // The canary carries a sound card and a kvmpolicy-probe- name; the refusal names it.
    control.transientRefusal = { xml in
      let name = xml.firstMatch(of: /<name>([^<]+)<\/name>/).map { String($0.1) } ?? ""
      return "Hook script execution failed: internal error: kvmpolicy: refusing to start \(name): 1 violation (policy /etc/kvmpolicy/policy.yaml, \(fingerprint))"
    }
    var check = Self.probe(root, control)
    #expect(check.status == .pass, "\(check.evidence)")
    #expect(check.evidence.last == "answered by /etc/kvmpolicy/policy.yaml (\(fingerprint)): the installed policy, as it is now")
    #expect(control.calls == ["start transient"])

    // Refused by an older text of the policy: the hook runs, but not what is installed now.
    control.transientRefusal = { xml in
      let name = xml.firstMatch(of: /<name>([^<]+)<\/name>/).map { String($0.1) } ?? ""
      return "kvmpolicy: refusing to start \(name): 1 violation (policy /etc/kvmpolicy/policy.yaml, fnv1a64:0000000000000000)"
    }
    check = Self.probe(root, control)
    #expect(check.status == .fail)
    #expect(check.evidence.last?.hasPrefix("the refusal came from /etc/kvmpolicy/policy.yaml (fnv1a64:0000000000000000)") == true)

    // Refused for another reason (no emulator, say): not proof either way.
    control.transientRefusal = { _ in "unsupported configuration: no emulator" }
    check = Self.probe(root, control)
    #expect(check.status == .unknown)
    #expect(check.evidence.last == "libvirt refused the canary, but not with kvmpolicy's message: unsupported configuration: no emulator")

    // Started: the hook is not guarding.
    control.transientRefusal = nil
    check = Self.probe(root, control)
    #expect(check.status == .fail)
    #expect(check.evidence.contains("libvirt started the canary (destroyed at once): the hook did not refuse it"))
  }

  @Test func noConnectionIsUnknown() throws {
    let (root, _) = try Self.root()
    defer { try? FileManager.default.removeItem(at: root) }
    struct Denied: Error, CustomStringConvertible { var description: String { "authentication failed" } }
    let check = HookProbe(connection: "fake", root: root.path) { throw Denied() }.check()
    #expect(check.status == .unknown)
    #expect(check.evidence.last == "fake: authentication failed (the probe needs root)")
  }
}
