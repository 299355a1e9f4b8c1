import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The hook installed into the real libvirtd (`scripts/test` enables it). Installs for real
/// into /etc/libvirt/hooks/qemu.d and restarts libvirtd by its pid; always uninstalls and
/// restarts again.
@Suite(
  .serialized,
  .enabled(if: ProcessInfo.processInfo.environment["KVMPOLICY_REAL_LIBVIRTD"] == "1", "needs the real libvirtd: run scripts/test"))
struct RealLibvirtdHookTests {
  static let root = KVMPolicyProcess.repositoryRoot

  /// Runs a command, returning its status and combined output.
  ///
  /// Uses posix_spawn and waitpid directly, output through a file: a command that starts a
  /// daemon (restart-libvirtd) must not leave the test waiting on a pipe or a lost SIGCHLD.
  @discardableResult
  static func shell(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-shell-\(UUID().uuidString).log").path
    defer { unlink(log) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    try #require(spawned == 0, "cannot run \(executable): \(String(cString: strerror(spawned)))")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    let exited = (status & 0x7f) == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
  }

  static func virsh(_ arguments: String...) throws -> (status: Int32, output: String) {
    try shell("/usr/bin/virsh", ["-c", "qemu:///system"] + arguments)
  }

  static func install(_ policy: String) throws {
    let result = try KVMPolicyProcess.run(["install-hook", "--policy", root.appendingPathComponent(policy).path])
    try #require(result.status == 0, "\(result.stderr)")
    // The hook reads the compiled form install-hook leaves beside the policy.
    try #require(FileManager.default.fileExists(atPath: "/etc/kvmpolicy/.policy.yaml.compiled"))
    try #require(try shell(root.appendingPathComponent("scripts/restart-libvirtd").path, []).status == 0)
  }

  static func uninstall() {
    _ = try? KVMPolicyProcess.run(["uninstall-hook"])
    _ = try? shell(root.appendingPathComponent("scripts/restart-libvirtd").path, [])
  }

  /// Defines a TCG guest from the fixture, optionally without its sound card.
  static func define(_ purpose: String, withSound: Bool) throws -> String {
    let name = "kvmpolicy-test-\(purpose)-\(UInt32.random(in: 0...UInt32.max))"
    var xml = try String(contentsOf: root.appendingPathComponent("Tests/Fixtures/guests/tcg-minimal.xml"), encoding: .utf8)
      .replacingOccurrences(of: "NAME", with: name)
    if !withSound { xml = xml.replacingOccurrences(of: "<sound model='ich6'/>", with: "") }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).xml")
    try xml.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    try #require(try virsh("define", file.path).status == 0)
    return name
  }

  static func remove(_ names: [String]) {
    for name in names {
      _ = try? virsh("destroy", name)
      _ = try? virsh("undefine", name)
    }
  }

  @Test func refusesAViolatingGuestStartsACompliantOneAndNeverKillsOnReconnect() throws {
    var guests: [String] = []
    defer {
      Self.remove(guests)
      Self.uninstall()
    }
    try Self.install("Tests/Fixtures/policies/hook-test.yaml")
    let violating = try Self.define("hook-sound", withSound: true)
    guests.append(violating)
    let compliant = try Self.define("hook-ok", withSound: false)
    guests.append(compliant)

    let refused = try Self.virsh("start", violating)
    #expect(refused.status == 1)
    #expect(refused.output.contains("kvmpolicy: refusing to start \(violating): 1 policy violation"))
    #expect(refused.output.contains("kvmpolicy: sound ich6 (pci 0000:00:"))
    #expect(refused.output.contains("is not allowed: 'sound' devices are denied [devices.sound (/etc/kvmpolicy/policy.yaml:"))
    #expect(try Self.virsh("domstate", violating).output.contains("shut off"))

    #expect(try Self.virsh("start", compliant).status == 0)
    #expect(try Self.virsh("domstate", compliant).output.contains("running"))

    // A policy the running guest now violates: the reconnect hook must not make libvirt kill it.
    try Self.install("Tests/Fixtures/policies/hook-deny-all.yaml")
    #expect(try Self.virsh("domstate", compliant).output.contains("running"))
  }

  @Test func requiresSVirtAtStartWhenThePolicySaysSo() throws {
    var guests: [String] = []
    defer {
      Self.remove(guests)
      Self.uninstall()
    }
    try Self.install("Tests/Fixtures/policies/hook-svirt.yaml")
    let guest = try Self.define("hook-svirt", withSound: false)
    guests.append(guest)
    let refused = try Self.virsh("start", guest)
    // This host has no SELinux or AppArmor: libvirt generates only a DAC label.
    #expect(refused.status == 1)
    #expect(refused.output.contains("the running VM is not confined by sVirt: it has only a DAC label"))
    #expect(try Self.virsh("domstate", guest).output.contains("shut off"))
  }

  @Test func aBrokenInstalledPolicyFailsClosed() throws {
    var guests: [String] = []
    defer {
      Self.remove(guests)
      Self.uninstall()
    }
    try Self.install("Tests/Fixtures/policies/hook-test.yaml")
    // Break the installed policy behind the installer's back.
    try "version: 1\ndevics: {}\n".write(toFile: "/etc/kvmpolicy/policy.yaml", atomically: true, encoding: .utf8)
    let guest = try Self.define("hook-broken", withSound: false)
    guests.append(guest)
    let refused = try Self.virsh("start", guest)
    #expect(refused.status == 1)
    #expect(refused.output.contains("the policy cannot be used (fail-closed): /etc/kvmpolicy/policy.yaml:2:1: error: unknown key 'devics'"))
  }
}
