import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `kvmpolicy watch` against the real libvirtd (`scripts/test` enables it).
@Suite(.serialized, .requiresRealLibvirtd)
struct RealLibvirtdWatchTests {
  typealias Guests = RealLibvirtdEnforceTests

  /// A running `kvmpolicy watch` whose log is a file.
  final class Watch {
    let process = Process()
    let log: URL

    init(policy: String, scratch: URL, extra: [String] = []) throws {
      log = scratch.appendingPathComponent("watch.log")
      FileManager.default.createFile(atPath: log.path, contents: nil)
      process.executableURL = KVMPolicyProcess.binary
      process.arguments = [
        "watch", "-c", "qemu:///system", "--policy", policy, "--domain", "kvmpolicy-test-watch*",
        "--backup-dir", scratch.appendingPathComponent("backups").path,
      ] + extra
      process.standardOutput = try FileHandle(forWritingTo: log)
      process.standardError = process.standardOutput
      try process.run()
    }

    var text: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits until the log has a line containing `needle` (at most `seconds`).
    func waitFor(_ needle: String, seconds: Double = 20) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      while Date() < deadline {
        if text.contains(needle) { return true }
        Thread.sleep(forTimeInterval: 0.05)
      }
      return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func stop() {
      if process.isRunning { signal(SIGTERM) }
      process.waitUntilExit()
    }
  }

  /// A scratch directory, and the guests and the watch a test makes: all gone when it ends.
  final class Scene {
    let scratch: URL
    var guests: [String] = []
    var watch: Watch?

    init() throws { scratch = try Guests.scratch() }

    /// Starts watch on `policy` (extra arguments after the usual ones).
    func startWatch(policy: URL, _ extra: [String] = []) throws -> Watch {
      let started = try Watch(policy: policy.path, scratch: scratch, extra: extra)
      watch = started
      return started
    }

    func tearDown() {
      watch?.stop()
      TestGuests.remove(guests)
      try? FileManager.default.removeItem(at: scratch)
    }
  }

  static func tabletPresent(_ name: String) throws -> Bool {
    try TestGuests.virsh("dumpxml", name).output.contains("type='tablet'")
  }

  @Test func undoesHotPlugsRewritesDefinitionsSurvivesRestartsAndKeepsAGoodPolicy() throws {
    let scene = try Scene()
    defer { scene.tearDown() }
    let scratch = scene.scratch
    // A policy file of its own, so the test can break it for SIGHUP.
    let policy = scratch.appendingPathComponent("policy.yaml")
    try FileManager.default.copyItem(atPath: Guests.policy, toPath: policy.path)
    let running = try Guests.define("watch-run", start: true)
    scene.guests.append(running)
    let started = try scene.startWatch(policy: policy)
    // The start-up sweep takes the fixture's tablet out (the guest was defined with one).
    #expect(started.waitFor("event=sweep reason=connect"))
    #expect(started.waitFor("domain=\(running) trigger=sweep"))
    #expect(!(try Self.tabletPresent(running)))

    let tablet = scratch.appendingPathComponent("tablet.xml")
    try "<input type='tablet' bus='usb'/>".write(to: tablet, atomically: true, encoding: .utf8)
    // Undone means: watch logged one more detach of a tablet, and the tablet is gone. How fast is
    // measured by scripts/bench, not asserted here; the wait is only a bound for a hung watch.
    func hotPlugIsUndone() throws -> Bool {
      let detached = "result=\"detached input tablet"
      let before = started.text.components(separatedBy: detached).count
      let start = Date()
      try #require(try TestGuests.virsh("attach-device", running, tablet.path, "--live").status == 0)
      while try started.text.components(separatedBy: detached).count == before || Self.tabletPresent(running) {
        if Date().timeIntervalSince(start) > 30 { return false }
        Thread.sleep(forTimeInterval: 0.02)
      }
      print("kvmpolicy-watch hot-plug undone after \(Int(Date().timeIntervalSince(start) * 1000)) ms")
      return true
    }
    #expect(try hotPlugIsUndone(), "the hot-plugged tablet stayed")

    // A hot-plugged USB disk (a refuse rule): never approved by the hook, so it leaves the
    // running guest too, and the log says so.
    let image = scratch.appendingPathComponent("usb.img")
    try #require(FileManager.default.createFile(atPath: image.path, contents: Data(count: 1 << 20)))
    let disk = scratch.appendingPathComponent("disk.xml")
    try "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='\(image.path)'/><target dev='sdz' bus='usb'/></disk>"
      .write(to: disk, atomically: true, encoding: .utf8)
    let attached = try TestGuests.virsh("attach-device", running, disk.path, "--live")
    try #require(attached.status == 0, "\(attached.output)")
    var diskGone = false
    for _ in 0..<100 where !diskGone {
      diskGone = !(try TestGuests.virsh("domblklist", running).output.contains("sdz"))
      if !diskGone { Thread.sleep(forTimeInterval: 0.05) }
    }
    #expect(diskGone, "the hot-plugged USB disk stayed")
    #expect(started.waitFor("result=\"detached disk"), "\(started.text)")

    // A non-compliant definition is rewritten (and backed up); our own DEFINED event is a no-op.
    let defined = try Guests.define("watch-def")
    scene.guests.append(defined)
    #expect(started.waitFor("domain=\(defined) trigger=defined"))
    #expect(!(try TestGuests.virsh("dumpxml", "--inactive", defined).output.contains("<sound")))
    #expect(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("backups").path))

    // libvirtd restarts; watch reconnects, and the next hot-plug is still undone.
    try TestGuests.restartLibvirtd()
    #expect(started.waitFor("event=sweep reason=connect domains=2", seconds: 40))
    #expect(try hotPlugIsUndone())
    // Events are handled in order: by now our own DEFINED event would have looped many times.
    #expect(started.text.components(separatedBy: "domain=\(defined) trigger=defined").count - 1 == 1, "no enforcement loop")

    // SIGHUP with a broken policy: rejected, the old one stays in force.
    try "version: 1\ndevics: {}\n".write(to: policy, atomically: true, encoding: .utf8)
    started.signal(SIGHUP)
    #expect(started.waitFor("event=policy-rejected"))
    #expect(try hotPlugIsUndone())

    // SIGTERM: a clean exit.
    started.signal(SIGTERM)
    started.process.waitUntilExit()
    #expect(started.process.terminationStatus == 0)
    #expect(started.text.hasSuffix("event=stop\n"))
  }

  /// A guest that never releases a device (a PCI NIC on a guest with no OS to acknowledge the
  /// unplug) holds up no other domain; the policy's detach-timeout decides what follows; and
  /// SIGTERM is honoured while the detach is still pending.
  @Test func aStuckDetachHoldsUpNoOtherDomain() throws {
    let scene = try Scene()
    defer { scene.tearDown() }
    let scratch = scene.scratch
    let policy = scratch.appendingPathComponent("policy.yaml")
    try String(contentsOfFile: Guests.policy, encoding: .utf8)
      .replacingOccurrences(of: "defaults:\n", with: "defaults:\n  detach-timeout: shutdown\n")
      .write(to: policy, atomically: true, encoding: .utf8)
    // ACPI, so QEMU accepts a PCI hot-plug; with no OS, nothing ever acknowledges the unplug.
    let stuck = try TestGuests.define("watch-stuck", start: true) {
      $0.replacingOccurrences(of: "</os>", with: "</os><features><acpi/></features>")
    }
    scene.guests.append(stuck)
    let other = try TestGuests.define("watch-other", start: true)
    scene.guests.append(other)
    let started = try scene.startWatch(policy: policy, ["--detach-timeout", "4"])
    #expect(started.waitFor("event=sweep reason=connect"))
    #expect(started.waitFor("domain=\(other) trigger=sweep"))

    let nic = scratch.appendingPathComponent("nic.xml")
    try "<interface type='user'><model type='e1000'/></interface>".write(to: nic, atomically: true, encoding: .utf8)
    let attached = try TestGuests.virsh("attach-device", stuck, nic.path, "--live")
    try #require(attached.status == 0, "\(attached.output)")
    #expect(started.waitFor("domain=\(stuck) trigger=\"device-added alias=net"))
    #expect(started.waitFor("result=\"asked to detach interface user e1000"), "\(started.text)")

    // Meanwhile a tablet hot-plugged into the other guest leaves at once, long before the stuck
    // detach's deadline.
    let tablet = scratch.appendingPathComponent("tablet.xml")
    try "<input type='tablet' bus='usb'/>".write(to: tablet, atomically: true, encoding: .utf8)
    try #require(try TestGuests.virsh("attach-device", other, tablet.path, "--live").status == 0)
    let otherDetached = "domain=\(other) trigger=\"device-added alias=input"
    #expect(started.waitFor(otherDetached))
    let stillAttached = "domain=\(stuck) trigger=deadline error=\"interface user e1000"
    #expect(started.waitFor(stillAttached), "\(started.text)")
    let log = started.text
    let detachedAt = try #require(log.range(of: otherDetached)?.lowerBound)
    let deadlineAt = try #require(log.range(of: stillAttached)?.lowerBound)
    #expect(detachedAt < deadlineAt, "the other guest waited for the stuck one:\n\(log)")
    // defaults.detach-timeout: shutdown.
    #expect(started.waitFor("domain=\(stuck) trigger=detach-timeout result=\"asked the guest to shut down"), "\(started.text)")

    // A second stuck detach is pending when SIGTERM comes: watch stops without waiting for it.
    let second = scratch.appendingPathComponent("nic2.xml")
    try "<interface type='user'><model type='e1000'/><mac address='52:54:00:00:00:42'/></interface>".write(to: second, atomically: true, encoding: .utf8)
    try #require(try TestGuests.virsh("attach-device", stuck, second.path, "--live").status == 0)
    let asked = "result=\"asked to detach interface user e1000"
    var pendingAgain = false
    for _ in 0..<200 where !pendingAgain {
      pendingAgain = started.text.components(separatedBy: asked).count - 1 == 2
      if !pendingAgain { Thread.sleep(forTimeInterval: 0.05) }
    }
    try #require(pendingAgain, "the second NIC's detach was not asked for:\n\(started.text)")
    let deadlinesBefore = started.text.components(separatedBy: "trigger=deadline").count
    started.signal(SIGTERM)
    started.process.waitUntilExit()
    #expect(started.process.terminationStatus == 0)
    #expect(started.text.hasSuffix("event=stop\n"))
    #expect(started.text.components(separatedBy: "trigger=deadline").count == deadlinesBefore, "SIGTERM waited for a deadline")
  }

  /// A rewrite whose set: does not cure the violation is never defined: watch logs it once per
  /// event and takes no backup, instead of redefining the domain in a loop (#16, item 4).
  @Test func anUncuredRewriteIsNotDefinedInALoop() throws {
    let scene = try Scene()
    defer { scene.tearDown() }
    let scratch = scene.scratch
    let policy = scratch.appendingPathComponent("policy.yaml")
    try String(contentsOfFile: Guests.policy, encoding: .utf8)
      .replacingOccurrences(of: "set: {model: virtio}", with: "set: {model: rtl8139}")
      .write(to: policy, atomically: true, encoding: .utf8)
    let started = try scene.startWatch(policy: policy)
    #expect(started.waitFor("event=sweep reason=connect"))
    let defined = try Guests.define("watch-uncured", nic: true)
    scene.guests.append(defined)
    #expect(started.waitFor("event=error domain=\(defined) trigger=defined"), "\(started.text)")
    #expect(started.text.contains("error=\"the rewrite does not cure the definition, so nothing was defined: after it, interface user rtl8139"))
    // A later event, handled after anything our own define would have caused.
    let marker = try Guests.define("watch-marker")
    scene.guests.append(marker)
    #expect(started.waitFor("domain=\(marker) trigger=defined"))
    #expect(started.text.components(separatedBy: "domain=\(defined) trigger=defined").count - 1 == 1, "\(started.text)")
    #expect(try TestGuests.virsh("dumpxml", "--inactive", defined).output.contains("<model type='e1000'/>"))
    let backups = scratch.appendingPathComponent("backups").path
    let saved = (try? FileManager.default.subpathsOfDirectory(atPath: backups))?.filter { $0.hasSuffix(".xml") } ?? []
    #expect(saved.count == 1, "only the marker's sound card rewrite is backed up: \(saved)")
  }
}
