import Foundation

#if canImport(Glibc)
  import Glibc
#endif
import TestSupport
import Testing

/// `kvmpolicy enforce` and `restore` against the real libvirtd (`scripts/test` enables it).
@Suite(.serialized, .requiresRealLibvirtd)
struct RealLibvirtdEnforceTests {
  static let root = KVMPolicyProcess.repositoryRoot
  static let policy = root.appendingPathComponent("Tests/Fixtures/policies/enforce-test.yaml").path

  /// Defines a guest from the fixture; `nic` adds an e1000 NIC (which enforce rewrites to virtio).
  static func define(_ purpose: String, nic: Bool = false, start: Bool = false) throws -> String {
    try TestGuests.define(purpose, start: start) {
      nic ? $0.replacingOccurrences(of: "</devices>", with: "<interface type='user'><model type='e1000'/></interface></devices>") : $0
    }
  }

  /// A scratch directory for backups and the lock file.
  static func scratch() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-enforce-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  static func enforce(_ scratch: URL, _ extra: [String]) throws -> KVMPolicyProcess.Result {
    try KVMPolicyProcess.run(
      ["enforce", "--policy", policy, "-c", "qemu:///system", "--backup-dir", scratch.appendingPathComponent("backups").path,
       "--lock-file", scratch.appendingPathComponent("enforce.lock").path] + extra)
  }

  @Test func detachesRewritesBacksUpRestoresAndIsIdempotent() throws {
    let scratch = try Self.scratch()
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      try? FileManager.default.removeItem(at: scratch)
    }
    let running = try Self.define("enforce-run", start: true)
    guests.append(running)
    let stopped = try Self.define("enforce-off", nic: true)
    guests.append(stopped)
    let selection = ["--domain", running, "--domain", stopped]
    let liveBefore = try TestGuests.virsh("dumpxml", running).output
    let definitionBefore = try TestGuests.virsh("dumpxml", "--inactive", stopped).output

    // A dry run shows the plan and the diff, and changes nothing.
    let dry = try Self.enforce(scratch, selection + ["--dry-run"])
    #expect(dry.status == 1)
    #expect(dry.stdout.contains("would detach input tablet (alias input0, usb 0:1) from the running domain"))
    #expect(dry.stdout.contains("-      <model type=\"e1000\"/>\n"))
    #expect(dry.stdout.contains("+      <model type=\"virtio\"/>\n"))
    #expect(try TestGuests.virsh("dumpxml", running).output == liveBefore)
    #expect(try TestGuests.virsh("dumpxml", "--inactive", stopped).output == definitionBefore)

    let applied = try Self.enforce(scratch, selection)
    #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
    #expect(applied.stdout.contains("  detached input tablet (alias input0, usb 0:1)\n"))
    #expect(!(try TestGuests.virsh("dumpxml", running).output.contains("tablet")))
    #expect(try TestGuests.virsh("dumpxml", "--inactive", running).output.contains("tablet"), "only the live domain loses the tablet")
    #expect(!(try TestGuests.virsh("dumpxml", "--inactive", running).output.contains("<sound")))
    let rewritten = try TestGuests.virsh("dumpxml", "--inactive", stopped).output
    #expect(rewritten.contains("<model type='virtio'/>"))
    #expect(!rewritten.contains("<sound"))

    // Our own redefinition must not give enforce anything more to do.
    let again = try Self.enforce(scratch, selection)
    #expect(again.status == 0)
    #expect(again.stdout.hasSuffix("enforced: 0 domains changed, 0 with errors\n"), "\(again.stdout)")

    // The backup brings the original definition back, byte for byte as libvirt prints it.
    let restored = try KVMPolicyProcess.run(
      ["restore", stopped, "-c", "qemu:///system", "--backup-dir", scratch.appendingPathComponent("backups").path])
    #expect(restored.status == 0, "\(restored.stderr)")
    #expect(try TestGuests.virsh("dumpxml", "--inactive", stopped).output == definitionBefore)
  }

  @Test func aSecondEnforcerIsTurnedAway() throws {
    let scratch = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let lock = scratch.appendingPathComponent("enforce.lock").path
    // Hold the lock the way a running enforcer does: flock on the file, from another process.
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    // --no-fork: flock itself becomes the sleeper, one process to kill. SIGKILL, because a
    // child Foundation starts may inherit a blocked SIGTERM from the test's threads.
    holder.arguments = ["--no-fork", lock, "sleep", "600"]
    try holder.run()
    defer {
      kill(holder.processIdentifier, SIGKILL)
      holder.waitUntilExit()
    }
    // Wait (for a condition, not a time) until the holder has the lock: a non-blocking flock fails.
    while holder.isRunning, (try Command.run("/usr/bin/flock", ["-n", lock, "true"])).status == 0 { usleep(10_000) }
    let result = try Self.enforce(scratch, ["--domain", "kvmpolicy-test-none"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("another kvmpolicy enforce is running"))
    #expect(result.stderr.contains("pass --wait"))
  }

  /// libvirtd restarts while `enforce` is between domains. The overlap is made, not hoped for:
  /// once the first backup appears the test stops the enforcer (SIGSTOP to the pid it started),
  /// checks that work is left, restarts libvirtd, and lets the enforcer go on with a connection
  /// that is gone. It must reconnect, finish, and lose no definition.
  @Test func aLibvirtdRestartMidRunLosesNoDefinition() throws {
    let scratch = try Self.scratch()
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      try? FileManager.default.removeItem(at: scratch)
    }
    for index in 0..<12 { guests.append(try Self.define("fault-\(index)", nic: true)) }
    var originals: [String: String] = [:]
    for name in guests { originals[name] = try TestGuests.virsh("dumpxml", "--inactive", name).output }
    let backups = scratch.appendingPathComponent("backups")
    // Domains backed up so far: one folder per UUID.
    let backedUp = { ((try? FileManager.default.contentsOfDirectory(atPath: backups.path)) ?? []).count }

    let enforce = Process()
    enforce.executableURL = KVMPolicyProcess.binary
    enforce.arguments = [
      "enforce", "--policy", Self.policy, "-c", "qemu:///system", "--domain", "kvmpolicy-test-fault-*",
      "--backup-dir", backups.path, "--lock-file", scratch.appendingPathComponent("lock").path,
    ]
    enforce.standardOutput = FileHandle.nullDevice
    enforce.standardError = FileHandle.nullDevice
    try enforce.run()
    // Wait (for a condition, not a time) until the enforcer has started rewriting.
    while backedUp() == 0 && enforce.isRunning { usleep(200) }
    kill(enforce.processIdentifier, SIGSTOP)
    let before = backedUp()
    #expect(before < guests.count, "the enforcer finished before it could be stopped: no overlap to test")
    try TestGuests.restartLibvirtd()
    kill(enforce.processIdentifier, SIGCONT)
    enforce.waitUntilExit()
    #expect(enforce.terminationStatus == 0, "the enforcer did not reconnect and finish after libvirtd restarted")
    #expect(backedUp() == guests.count)

    // Every definition is there, enforced.
    for name in guests {
      let now = try TestGuests.virsh("dumpxml", "--inactive", name)
      #expect(now.status == 0, "\(name) lost its definition")
      let enforced = now.output.contains("<model type='virtio'/>") && !now.output.contains("<sound")
      #expect(enforced, "\(name) is not enforced:\n\(now.output)")
    }
    // A second run has nothing left to do.
    let again = try Self.enforce(scratch, ["--domain", "kvmpolicy-test-fault-*"])
    #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
    #expect(backedUp() == guests.count)
  }

  /// A shut-off domain whose only violation is a detach device: check reports it, enforce takes
  /// it out of the definition, and check then finds the domain compliant.
  @Test func aShutOffDomainWithOnlyADetachDeviceIsEnforcedInItsDefinition() throws {
    let scratch = try Self.scratch()
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      try? FileManager.default.removeItem(at: scratch)
    }
    let stopped = try TestGuests.define("enforce-detach-off") { $0.replacingOccurrences(of: "<sound model='ich6'/>", with: "") }
    guests.append(stopped)
    let check = ["check", "--policy", Self.policy, "-c", "qemu:///system", "--domain", stopped]
    let before = try KVMPolicyProcess.run(check)
    #expect(before.status == 1, "\(before.stdout)")
    #expect(before.stdout.contains("error [detach] input tablet"))
    let enforced = try Self.enforce(scratch, ["--domain", stopped])
    #expect(enforced.status == 0, "\(enforced.stdout)\(enforced.stderr)")
    #expect(enforced.stdout.contains("rewrote the definition"))
    #expect(!(try TestGuests.virsh("dumpxml", "--inactive", stopped).output.contains("tablet")))
    let after = try KVMPolicyProcess.run(check)
    #expect(after.status == 0, "\(after.stdout)")
  }

  /// Another local user cannot hold the enforce lock: it is the owner's alone (#16, item 5).
  @Test(.requiresExecutable("/usr/sbin/runuser"), .requiresExecutable("/usr/bin/flock"))
  func anotherUserCannotBlockEnforce() throws {
    let scratch = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let lock = scratch.appendingPathComponent("run/enforce.lock").path
    let first = try KVMPolicyProcess.run([
      "enforce", "--policy", Self.policy, "-c", "qemu:///system", "--domain", "kvmpolicy-test-none",
      "--backup-dir", scratch.appendingPathComponent("backups").path, "--lock-file", lock,
    ])
    #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
    // The scratch directory is world-readable, as /run is: only the lock's own mode protects it.
    chmod(scratch.path, 0o755)
    let held = try Command.run("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/flock", "-n", lock, "true"])
    #expect(held.status != 0, "nobody could open and lock the enforce lock: \(held.output)")
    let second = try KVMPolicyProcess.run([
      "enforce", "--policy", Self.policy, "-c", "qemu:///system", "--domain", "kvmpolicy-test-none",
      "--backup-dir", scratch.appendingPathComponent("backups").path, "--lock-file", lock,
    ])
    #expect(second.status == 0)
  }
}
