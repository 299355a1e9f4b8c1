import DomainModel
import Foundation
import Libvirt
import TestSupport
import Testing

/// A running TCG guest named `kvmpolicy-test-*`, destroyed and undefined by ``remove()``.
final class TestGuest {
  let connection: Connection
  let domain: DomainHandle
  let name: String

  /// Defines and starts a guest from `Tests/Fixtures/guests/tcg-minimal.xml`.
  init(purpose: String) throws {
    name = TestGuests.name(purpose)
    let xml = try TestGuests.xml(name: name)
    connection = try Connection(uri: "qemu:///system", readOnly: false)
    domain = try connection.define(xml: xml)
    do {
      try domain.start()
    } catch {
      try? domain.undefine()
      throw error
    }
  }

  /// Destroys (if running) and undefines the guest; safe to call after a failure.
  func remove() {
    if (try? domain.isActive()) == true { try? domain.destroy() }
    try? domain.undefine()
  }
}

@Suite(.serialized, .requiresRealLibvirtd)
struct LibvirtWrapperTests {
  @Test func aRunningTCGGuestHasAliasesAndADACLabel() throws {
    let guest = try TestGuest(purpose: "inventory")
    defer { guest.remove() }

    #expect(try guest.domain.state() == .running)
    #expect(try guest.domain.isPersistent())
    let live = try DomainDocument(xml: guest.domain.xml(), source: "live").domain
    #expect(live.name == guest.name)
    #expect(live.id != nil)
    let tablet = try #require(live.devices.first { $0.deviceClass == .input && $0.attribute("type") == ["tablet"] })
    #expect(tablet.alias == "input0")
    #expect(tablet.address?.type == "usb")
    #expect(live.devices.first { $0.deviceClass == .sound }?.alias == "sound0")
    #expect(live.devices.first { $0.deviceClass == .memballoon }?.alias == "balloon0")
    // libvirt adds implicit devices the definition never spelt out.
    #expect(live.devices.contains { $0.deviceClass == .controller && $0.attribute("type") == ["usb"] })
    #expect(live.devices.contains { $0.deviceClass == .emulator })

    let dac = try #require(live.seclabels.first { $0.model == "dac" })
    #expect(dac.type == "dynamic")
    #expect(dac.label?.hasPrefix("+") == true)

    let capabilities = try HostCapabilities(xml: guest.connection.capabilities(), source: "caps")
    #expect(capabilities.securityModels.map(\.model).contains("dac"))

    let labels = try guest.domain.securityLabels()
    #expect(!labels.isEmpty)
  }

  @Test func inactiveXMLOfARunningGuestHasNoLiveState() throws {
    let guest = try TestGuest(purpose: "inactive")
    defer { guest.remove() }
    let inactive = try DomainDocument(xml: guest.domain.xml(inactive: true), source: "inactive").domain
    #expect(inactive.id == nil)
    #expect(inactive.devices.allSatisfy { $0.alias == nil })
    #expect(inactive.seclabels.isEmpty)
  }

  @Test func detachesAUSBTabletByAliasFromTheRunningGuest() throws {
    let guest = try TestGuest(purpose: "detach")
    defer { guest.remove() }
    try guest.domain.detachDevice(alias: "input0", live: true, config: false)
    // USB devices leave at once; give QEMU's DEVICE_DELETED a moment all the same.
    var remaining: [Device] = []
    for _ in 0..<50 {
      remaining = try DomainDocument(xml: guest.domain.xml(), source: "live").domain.devices
      if !remaining.contains(where: { $0.alias == "input0" }) { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    #expect(!remaining.contains { $0.alias == "input0" })
    // The persistent definition still has it: only the live guest was changed.
    let inactive = try DomainDocument(xml: guest.domain.xml(inactive: true), source: "inactive").domain
    #expect(inactive.devices.contains { $0.deviceClass == .input && $0.attribute("type") == ["tablet"] })
  }

  @Test func detachingAnUnknownAliasIsATypedError() throws {
    let guest = try TestGuest(purpose: "detach-missing")
    defer { guest.remove() }
    #expect {
      try guest.domain.detachDevice(alias: "ua-no-such-device", live: true, config: false)
    } throws: { error in
      // The QEMU driver reports an unknown alias as an internal error naming it.
      (error as? LibvirtError)?.message.contains("no device found with alias ua-no-such-device") == true
    }
  }

  @Test func validatingDefineRefusesABrokenDefinitionAndKeepsTheOldOne() throws {
    let guest = try TestGuest(purpose: "define")
    defer { guest.remove() }
    let before = try guest.domain.xml(inactive: true)
    let broken = before.replacingOccurrences(of: "<devices>", with: "<devices><bogus/>")
    #expect(throws: LibvirtError.self) { try guest.connection.define(xml: broken, validate: true) }
    #expect(try guest.domain.xml(inactive: true) == before)
  }
}
