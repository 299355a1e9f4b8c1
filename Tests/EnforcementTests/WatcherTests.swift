import Enforcement
import Foundation
import Policy
import Testing

/// A ``FakeControl`` with an event stream and a connection that can drop: the watcher runs on it
/// as it does on libvirt.
final class FakeWatchControl: WatchableControl {
  let inner: FakeControl
  /// Events still to deliver; each entry may first drop the connection.
  var script: [(dropFirst: Bool, event: ControlEvent)]
  var isConnected = true
  var reconnects = 0
  /// Called when the script is done: the test stops the watcher here.
  var onEnd: () -> Void = {}

  init(_ inner: FakeControl, script: [(dropFirst: Bool, event: ControlEvent)]) {
    self.inner = inner
    self.script = script
  }

  func domains() throws -> [ControlledDomain] { try inner.domains() }
  func liveXML(of domain: String) throws -> String { try inner.liveXML(of: domain) }
  func definitionXML(of domain: String) throws -> String { try inner.definitionXML(of: domain) }
  func detach(from domain: String, alias: String?, deviceXML: String, timeout: Double) throws -> DetachOutcome {
    try inner.detach(from: domain, alias: alias, deviceXML: deviceXML, timeout: timeout)
  }
  func define(_ xml: String) throws { try inner.define(xml) }
  func shutdown(_ domain: String) throws { try inner.shutdown(domain) }
  func startTransient(_ xml: String) throws -> TransientStart { try inner.startTransient(xml) }

  func reconnectOnce() throws {
    reconnects += 1
    isConnected = true
  }

  func nextEvent(timeout: Double) -> ControlEvent? {
    guard !script.isEmpty else {
      onEnd()
      return nil
    }
    let next = script.removeFirst()
    if next.dropFirst {
      isConnected = false
      script.insert((false, next.event), at: 0)
      return nil
    }
    return next.event
  }
}

/// `kvmpolicy watch`'s decisions on a fake libvirt: sweep, hot-plug, settle, reconnect.
@Suite struct WatcherTests {
  static let live = """
    <domain type='qemu' id='3'><name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid><devices>
    <input type='tablet' bus='usb'><alias name='input0'/></input>
    </devices></domain>
    """
  static let definition = "<domain type='qemu'><name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid><devices/></domain>"

  static func run(_ script: [(dropFirst: Bool, event: ControlEvent)]) throws -> (FakeWatchControl, [String]) {
    let inner = FakeControl(
      domains: [ControlledDomain(name: "vm", uuid: "11111111-2222-3333-4444-555555555555", isActive: true, isPersistent: true)],
      live: ["vm": live], definitions: ["vm": definition])
    inner.detachOutcome = .pending
    let fake = FakeWatchControl(inner, script: script)
    let policy = try PolicyLoader.load(text: EnforcerTests.policyText, file: "p.yaml").get().policy
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-watch-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let control = Watcher.Control()
    fake.onEnd = { control.requestStop() }
    var log: [String] = []
    let watcher = Watcher(
      uri: "fake", policyPath: "p.yaml", policy: policy, backups: BackupStore(directory: directory), options: .init(detachTimeout: 30),
      control: control, log: { record in log.append(record.fields.map { "\($0)=\($1)" }.joined(separator: " ")) }, open: { fake })
    watcher.run()
    return (fake, log)
  }

  @Test func sweepsAtStartAndSettlesADetachWhenTheGuestReleasesTheDevice() throws {
    let (fake, log) = try Self.run([(false, .deviceRemoved(domain: "vm", alias: "input0"))])
    #expect(fake.inner.calls == ["detach vm input0"])
    #expect(log.contains { $0.contains("event=sweep") && $0.contains("reason=connect") })
    #expect(log.contains { $0.contains("event=enforced") && $0.contains("trigger=device-removed alias=input0") && $0.contains("result=detached input tablet (alias input0)") }, "\(log)")
  }

  @Test func aHotPlugIsDetachedOnceAndARemovalFailureIsAnError() throws {
    let (fake, log) = try Self.run([
      (false, .deviceAdded(domain: "vm", alias: "input0")),
      (false, .deviceRemovalFailed(domain: "vm", alias: "input0")),
    ])
    // The sweep asked for it; the hot-plug event finds it pending and does not ask again.
    #expect(fake.inner.calls == ["detach vm input0"])
    #expect(log.contains { $0.contains("event=error") && $0.contains("the guest refused to release input tablet") })
  }

  @Test func aLostConnectionIsReopenedAndTheHostSweptAgain() throws {
    let (fake, log) = try Self.run([(true, .other)])
    #expect(fake.reconnects == 1)
    #expect(log.filter { $0.contains("event=connected") }.count == 2)
    #expect(log.filter { $0.contains("event=sweep") && $0.contains("reason=connect") }.count == 2)
  }
}
