import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The hook installed into the real libvirtd (`scripts/test` enables it). Installs for real
/// into /etc/libvirt/hooks/qemu.d and restarts libvirtd by its pid; always uninstalls and
/// restarts again.
@Suite(.serialized, .requiresRealLibvirtd, .requiresSelfContainedHook)
struct RealLibvirtdHookTests {
  static let root = KVMPolicyProcess.repositoryRoot

  static func install(_ policy: String) throws {
    let result = try KVMPolicyProcess.run([
      "install-hook", "--policy", root.appendingPathComponent(policy).path, "--hook-binary", Requirements.selfContainedHook ?? "",
    ])
    try #require(result.status == 0, "\(result.stderr)")
    // The hook reads the compiled form install-hook leaves beside the policy.
    try #require(FileManager.default.fileExists(atPath: "/etc/kvmpolicy/.policy.yaml.compiled"))
    try TestGuests.restartLibvirtd()
  }

  static func uninstall() {
    _ = try? KVMPolicyProcess.run(["uninstall-hook"])
    try? TestGuests.restartLibvirtd()
  }

  /// Defines a TCG guest from the fixture, optionally without its sound card.
  static func define(_ purpose: String, withSound: Bool) throws -> String {
    try TestGuests.define(purpose) { withSound ? $0 : $0.replacingOccurrences(of: "<sound model='ich6'/>", with: "") }
  }

  @Test func refusesAViolatingGuestStartsACompliantOneAndNeverKillsOnReconnect() throws {
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      Self.uninstall()
    }
    try Self.install("Tests/Fixtures/policies/hook-test.yaml")
    let violating = try Self.define("hook-sound", withSound: true)
    guests.append(violating)
    let compliant = try Self.define("hook-ok", withSound: false)
    guests.append(compliant)

    let refused = try TestGuests.virsh("start", violating)
    #expect(refused.status == 1)
    #expect(refused.output.contains("kvmpolicy: refusing to start \(violating): 1 policy violation"))
    #expect(refused.output.contains("kvmpolicy: sound ich6 (pci 0000:00:"))
    #expect(refused.output.contains("is not allowed: 'sound' devices are denied [devices.sound (/etc/kvmpolicy/policy.yaml:"))
    #expect(try TestGuests.virsh("domstate", violating).output.contains("shut off"))

    #expect(try TestGuests.virsh("start", compliant).status == 0)
    #expect(try TestGuests.virsh("domstate", compliant).output.contains("running"))

    // A policy the running guest now violates: the reconnect hook must not make libvirt kill it.
    try Self.install("Tests/Fixtures/policies/hook-deny-all.yaml")
    #expect(try TestGuests.virsh("domstate", compliant).output.contains("running"))
  }

  @Test func requiresSVirtAtStartWhenThePolicySaysSo() throws {
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      Self.uninstall()
    }
    try Self.install("Tests/Fixtures/policies/hook-svirt.yaml")
    let guest = try Self.define("hook-svirt", withSound: false)
    guests.append(guest)
    let refused = try TestGuests.virsh("start", guest)
    // This host has no SELinux or AppArmor: libvirt generates only a DAC label.
    #expect(refused.status == 1)
    #expect(refused.output.contains("the running VM is not confined by sVirt: it has only a DAC label"))
    #expect(try TestGuests.virsh("domstate", guest).output.contains("shut off"))
  }

  @Test func aBrokenInstalledPolicyFailsClosed() throws {
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      Self.uninstall()
    }
    try Self.install("Tests/Fixtures/policies/hook-test.yaml")
    // Break the installed policy behind the installer's back.
    try "version: 1\ndevics: {}\n".write(toFile: "/etc/kvmpolicy/policy.yaml", atomically: true, encoding: .utf8)
    let guest = try Self.define("hook-broken", withSound: false)
    guests.append(guest)
    let refused = try TestGuests.virsh("start", guest)
    #expect(refused.status == 1)
    #expect(refused.output.contains("the policy cannot be used (fail-closed): /etc/kvmpolicy/policy.yaml:2:1: error: unknown key 'devics'"))
  }

  /// libvirt calls the installed wrapper with the domain name first; a name like an option
  /// (libvirt accepts `--on-policy-error` as a name) is still a name, so the reconnect hook
  /// never fails for it (#16, item 12). Called the way libvirt calls it: test guests keep
  /// kvmpolicy-test-* names, so no domain named like an option is defined.
  @Test func theInstalledWrapperTakesAnOptionLikeNameAsAName() throws {
    defer { Self.uninstall() }
    try Self.install("Tests/Fixtures/policies/hook-test.yaml")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-optname-\(UUID().uuidString).xml")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try "<domain type='qemu'><name>--on-policy-error</name><devices><sound model='ich6'/></devices></domain>"
      .write(to: scratch, atomically: true, encoding: .utf8)
    for (operation, expected) in [("reconnect", Int32(0)), ("prepare", Int32(1))] {
      let result = try Command.run("/bin/sh", ["-c", "/etc/libvirt/hooks/qemu.d/kvmpolicy --on-policy-error \(operation) begin - < '\(scratch.path)'"])
      #expect(result.status == expected, "\(operation): \(result.output)")
    }
    let refused = try Command.run("/bin/sh", ["-c", "/etc/libvirt/hooks/qemu.d/kvmpolicy --on-policy-error prepare begin - < '\(scratch.path)'"])
    #expect(refused.output.hasPrefix("kvmpolicy: refusing to start --on-policy-error: 1 policy violation"))
  }
}
