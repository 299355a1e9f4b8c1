internal import CLibvirt
public import DomainModel

#if canImport(Glibc)
  internal import Glibc
#endif

/// A reference to one libvirt domain, freed when the last reference goes away.
///
/// A handle stays valid while the domain exists; calls on a domain that was undefined meanwhile
/// throw ``LibvirtError`` with code ``LibvirtError/Code/noDomain``.
public final class DomainHandle: @unchecked Sendable {
  private let pointer: OpaquePointer
  /// The connection the handle came from (kept alive with it).
  public let connection: Connection

  init(owning pointer: OpaquePointer, connection: Connection) {
    self.pointer = pointer
    self.connection = connection
  }

  deinit { virDomainFree(pointer) }

  /// The domain's name.
  public var name: String {
    virDomainGetName(pointer).map { String(cString: $0) } ?? ""
  }

  /// The domain's UUID in its canonical 36-character form.
  public func uuid() throws(LibvirtError) -> String {
    var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
    try Call.status("virDomainGetUUIDString", virDomainGetUUIDString(pointer, &buffer))
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The current run state.
  public func state() throws(LibvirtError) -> RunState {
    var state: Int32 = 0
    var reason: Int32 = 0
    try Call.status("virDomainGetState", virDomainGetState(pointer, &state, &reason, 0))
    return RunState(raw: state)
  }

  /// Whether the domain has a persistent definition (false for transient domains).
  public func isPersistent() throws(LibvirtError) -> Bool {
    try Call.status("virDomainIsPersistent", virDomainIsPersistent(pointer)) == 1
  }

  /// Whether the domain is running (or paused).
  public func isActive() throws(LibvirtError) -> Bool {
    try Call.status("virDomainIsActive", virDomainIsActive(pointer)) == 1
  }

  /// The domain XML.
  ///
  /// - Parameters:
  ///   - inactive: the persistent definition that boots next (`VIR_DOMAIN_XML_INACTIVE`) instead
  ///     of the live configuration.
  ///   - secure: include secrets such as graphics passwords (needs a read-write connection).
  public func xml(inactive: Bool = false, secure: Bool = false) throws(LibvirtError) -> String {
    var flags: UInt32 = 0
    if inactive { flags |= VIR_DOMAIN_XML_INACTIVE.rawValue }
    if secure { flags |= VIR_DOMAIN_XML_SECURE.rawValue }
    return try takeString("virDomainGetXMLDesc", virDomainGetXMLDesc(pointer, flags))
  }

  /// The security labels of the domain's process, one per active security driver.
  ///
  /// Uses `virDomainGetSecurityLabelList`, falling back to `virDomainGetSecurityLabel` where a
  /// driver does not support the list call (the test driver).
  public func securityLabels() throws(LibvirtError) -> [ProcessLabel] {
    var list: UnsafeMutablePointer<virSecurityLabel>?
    let count = virDomainGetSecurityLabelList(pointer, &list)
    if count >= 0 {
      defer { free(list) }
      guard let list else { return [] }
      return (0..<Int(count)).map { ProcessLabel(list + $0) }
    }
    let error = LibvirtError.takeLast(orDescribe: "virDomainGetSecurityLabelList")
    guard error.code == .noSupport else { throw error }
    let single = UnsafeMutablePointer<virSecurityLabel>.allocate(capacity: 1)
    defer { single.deallocate() }
    try Call.status("virDomainGetSecurityLabel", virDomainGetSecurityLabel(pointer, single))
    return [ProcessLabel(single)]
  }

  /// Starts the defined domain.
  public func start() throws(LibvirtError) {
    try Call.status("virDomainCreate", virDomainCreate(pointer))
  }

  /// Stops the running domain at once, like pulling the plug.
  public func destroy() throws(LibvirtError) {
    try Call.status("virDomainDestroy", virDomainDestroy(pointer))
  }

  /// Removes the persistent definition (a running domain becomes transient).
  public func undefine() throws(LibvirtError) {
    try Call.status("virDomainUndefine", virDomainUndefine(pointer))
  }

  /// Asks libvirt to detach the device with this alias.
  ///
  /// - Parameters:
  ///   - live: from the running domain (the guest may have to cooperate).
  ///   - config: from the persistent definition.
  public func detachDevice(alias: String, live: Bool, config: Bool) throws(LibvirtError) {
    try Call.status("virDomainDetachDeviceAlias", virDomainDetachDeviceAlias(pointer, alias, Self.affect(live, config)))
  }
}

extension DomainHandle {
  /// `VIR_DOMAIN_AFFECT_LIVE` and/or `VIR_DOMAIN_AFFECT_CONFIG`.
  private static func affect(_ live: Bool, _ config: Bool) -> UInt32 {
    (live ? VIR_DOMAIN_AFFECT_LIVE.rawValue : 0) | (config ? VIR_DOMAIN_AFFECT_CONFIG.rawValue : 0)
  }

  /// Asks the guest to shut down (ACPI power button); returns at once.
  public func shutdown() throws(LibvirtError) {
    try Call.status("virDomainShutdown", virDomainShutdown(pointer))
  }

  /// Asks libvirt to detach the device this XML describes (for devices without an alias).
  public func detachDevice(xml: String, live: Bool, config: Bool) throws(LibvirtError) {
    try Call.status("virDomainDetachDeviceFlags", virDomainDetachDeviceFlags(pointer, xml, Self.affect(live, config)))
  }
}
