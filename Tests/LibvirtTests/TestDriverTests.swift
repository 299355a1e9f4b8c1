import DomainModel
import Libvirt
import Foundation
import Testing

/// The wrapper against libvirt's in-process test driver (`test:///default`).
///
/// The default test driver's state is shared by every connection in the process, so tests
/// that define domains use names of their own and never count all domains.
@Suite struct TestDriverTests {
  @Test func opensAndResolvesTheURI() throws {
    let connection = try Connection(uri: "test:///default")
    #expect(try connection.uri() == "test:///default")
  }

  @Test func listsTheDefaultDomainWithItsState() throws {
    let connection = try Connection(uri: "test:///default")
    let domain = try #require(try connection.domains().first { $0.name == "test" })
    #expect(try domain.uuid() == "6695eb01-f6a4-8304-79aa-97f2502e193f")
    #expect(try domain.state() == .running)
    #expect(try domain.isPersistent())
    #expect(try domain.isActive())
  }

  @Test func readsLiveAndInactiveXML() throws {
    let domain = try Connection(uri: "test:///default").domain(named: "test")
    let live = try DomainDocument(xml: domain.xml(), source: "live").domain
    let inactive = try DomainDocument(xml: domain.xml(inactive: true), source: "inactive").domain
    #expect(live.name == "test")
    #expect(live.id != nil)
    #expect(inactive.id == nil)
    #expect(live.devices.map(\.deviceClass) == [.disk, .interface, .memballoon])
  }

  @Test func fallsBackToTheSingleSecurityLabelCall() throws {
    // The test driver has no virDomainGetSecurityLabelList; the wrapper must fall back.
    let labels = try Connection(uri: "test:///default").domain(named: "test").securityLabels()
    #expect(labels == [ProcessLabel(label: "libvirt-test", enforcing: true)])
  }

  @Test func capabilitiesNameTheHostSecurityModel() throws {
    let xml = try Connection(uri: "test:///default").capabilities()
    #expect(try HostCapabilities(xml: xml, source: "caps").securityModels.map(\.model) == ["testSecurity"])
  }

  @Test func aMissingDomainIsATypedError() throws {
    let connection = try Connection(uri: "test:///default")
    #expect {
      try connection.domain(named: "kvmpolicy-test-missing")
    } throws: { error in
      guard let error = error as? LibvirtError else { return false }
      return error.code == .noDomain && error.message.contains("not found")
    }
  }

  @Test func anUnreachableURIIsATypedError() {
    #expect {
      try Connection(uri: "test:///nonexistent/kvmpolicy-fleet.xml")
    } throws: { error in
      guard let error = error as? LibvirtError else { return false }
      return error.message.contains("/nonexistent/kvmpolicy-fleet.xml")
    }
  }

  @Test func readOnlyConnectionsCannotDefine() throws {
    let connection = try Connection(uri: "test:///default", readOnly: true)
    #expect {
      try connection.define(xml: Self.minimalDomain(name: "kvmpolicy-test-ro"))
    } throws: { error in
      (error as? LibvirtError)?.code == .operationDenied
    }
  }

  @Test func definesStartsDestroysAndUndefines() throws {
    let connection = try Connection(uri: "test:///default", readOnly: false)
    let name = "kvmpolicy-test-lifecycle"
    let domain = try connection.define(xml: Self.minimalDomain(name: name))
    defer { try? domain.undefine() }
    #expect(domain.name == name)
    #expect(try domain.state() == .shutOff)
    try domain.start()
    #expect(try domain.state() == .running)
    try domain.destroy()
    #expect(try domain.state() == .shutOff)
    try domain.undefine()
    #expect(throws: LibvirtError.self) { try connection.domain(named: name) }
  }

  @Test func validatingDefineRejectsASchemaViolation() throws {
    let connection = try Connection(uri: "test:///default", readOnly: false)
    let xml = Self.minimalDomain(name: "kvmpolicy-test-invalid").replacingFirst("<devices>", with: "<devices><bogus/>")
    #expect {
      try connection.define(xml: xml, validate: true)
    } throws: { error in
      (error as? LibvirtError)?.code == .invalidSchema
    }
    #expect(throws: LibvirtError.self) { try connection.domain(named: "kvmpolicy-test-invalid") }
  }

  @Test func detachIsRefusedByTheTestDriverWithATypedError() throws {
    let domain = try Connection(uri: "test:///default", readOnly: false).domain(named: "test")
    #expect {
      try domain.detachDevice(alias: "net0", live: true, config: false)
    } throws: { error in
      (error as? LibvirtError)?.code == .noSupport
    }
  }

  static func minimalDomain(name: String) -> String {
    """
    <domain type='test'>
      <name>\(name)</name>
      <memory unit='KiB'>65536</memory>
      <os><type arch='i686'>hvm</type></os>
      <devices></devices>
    </domain>
    """
  }
}

extension String {
  func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let range = range(of: target) else { return self }
    return replacingCharacters(in: range, with: replacement)
  }
}
