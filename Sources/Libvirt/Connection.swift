internal import CLibvirt

#if canImport(Glibc)
  internal import Glibc
#endif

/// An open connection to a libvirt driver, closed when the last reference goes away.
///
/// Opening follows `virsh`: a `nil` URI lets libvirt choose (`LIBVIRT_DEFAULT_URI`, then its
/// configuration, then probing), and read-only connections need no write permission on the
/// daemon's socket.
public final class Connection: @unchecked Sendable {
  // libvirt connections are thread-safe; the pointer never leaves this module.
  let pointer: OpaquePointer

  /// Opens a connection.
  ///
  /// - Parameters:
  ///   - uri: e.g. `qemu:///system`, `test:///default`, or `nil` for libvirt's default.
  ///   - readOnly: open with `VIR_CONNECT_RO`, enough for inventories and checks.
  public init(uri: String?, readOnly: Bool = true) throws(LibvirtError) {
    try Call.initialize()
    let flags = readOnly ? VIR_CONNECT_RO.rawValue : 0
    pointer = try Call.value("virConnectOpenAuth", virConnectOpenAuth(uri, kvmpolicy_default_auth(), flags))
  }

  deinit { virConnectClose(pointer) }

  /// The canonical URI libvirt resolved the connection to.
  public func uri() throws(LibvirtError) -> String {
    try takeString("virConnectGetURI", virConnectGetURI(pointer))
  }

  /// The driver's capabilities XML (host CPU, security models, guest types).
  public func capabilities() throws(LibvirtError) -> String {
    try takeString("virConnectGetCapabilities", virConnectGetCapabilities(pointer))
  }

  /// Every domain, running or defined, in the order libvirt lists them.
  public func domains() throws(LibvirtError) -> [DomainHandle] {
    try domains(flags: 0)
  }

  /// The domains `filter` selects (`virConnectListAllDomains` with its flags), in the order
  /// libvirt lists them.
  public func domains(_ filter: DomainListFilter) throws(LibvirtError) -> [DomainHandle] {
    try domains(flags: filter.flags)
  }

  private func domains(flags: UInt32) throws(LibvirtError) -> [DomainHandle] {
    var list: UnsafeMutablePointer<OpaquePointer?>?
    let count = try Call.status("virConnectListAllDomains", virConnectListAllDomains(pointer, &list, flags))
    defer { free(list) }
    guard let list else { return [] }
    return (0..<Int(count)).compactMap { index in
      list[index].map { DomainHandle(owning: $0, connection: self) }
    }
  }

  /// The domain with this name.
  public func domain(named name: String) throws(LibvirtError) -> DomainHandle {
    let raw = try Call.value("virDomainLookupByName", virDomainLookupByName(pointer, name))
    return DomainHandle(owning: raw, connection: self)
  }

  /// Defines (or redefines) a persistent domain from XML.
  ///
  /// - Parameter validate: ask libvirt to validate the XML against its RNG schema first
  ///   (`VIR_DOMAIN_DEFINE_VALIDATE`), so a broken document is refused before it replaces a
  ///   working definition.
  public func define(xml: String, validate: Bool = true) throws(LibvirtError) -> DomainHandle {
    let flags = validate ? VIR_DOMAIN_DEFINE_VALIDATE.rawValue : 0
    let raw = try Call.value("virDomainDefineXMLFlags", virDomainDefineXMLFlags(pointer, xml, flags))
    return DomainHandle(owning: raw, connection: self)
  }

  /// Creates and starts a transient domain (gone once destroyed), paused before its first
  /// instruction when `paused` is set. libvirt runs the QEMU hook's `prepare` and `start` first.
  public func createTransient(xml: String, paused: Bool = true) throws(LibvirtError) -> DomainHandle {
    let flags = paused ? VIR_DOMAIN_START_PAUSED.rawValue : 0
    let raw = try Call.value("virDomainCreateXML", virDomainCreateXML(pointer, xml, flags))
    return DomainHandle(owning: raw, connection: self)
  }
}

/// Copies a libvirt-allocated C string and frees it.
func takeString(_ call: String, _ pointer: UnsafeMutablePointer<CChar>?) throws(LibvirtError) -> String {
  let pointer = try Call.value(call, pointer)
  defer { free(pointer) }
  return String(cString: pointer)
}

extension Connection {
  /// The XML of a host (node) device, e.g. `pci_0000_41_00_0`.
  public func nodeDeviceXML(named name: String) throws(LibvirtError) -> String {
    let device = try Call.value("virNodeDeviceLookupByName", virNodeDeviceLookupByName(pointer, name))
    defer { virNodeDeviceFree(device) }
    return try takeString("virNodeDeviceGetXMLDesc", virNodeDeviceGetXMLDesc(device, 0))
  }
}

extension Connection {
  /// Whether the connection still reaches the daemon (a local check, no round trip).
  public var isAlive: Bool { virConnectIsAlive(pointer) == 1 }

  /// Turns on libvirt's keepalive: a daemon that stops answering for `interval * count` seconds
  /// closes the connection. Needs ``EventLoop/start()``.
  public func enableKeepAlive(interval: Int32 = 5, count: UInt32 = 3) throws(LibvirtError) {
    try Call.status("virConnectSetKeepAlive", virConnectSetKeepAlive(pointer, interval, count))
  }
}

extension Connection {
  /// The hypervisor command line libvirt would run for a domain XML (`qemu-argv` for QEMU),
  /// without starting anything.
  public func nativeConfig(domainXML xml: String, format: String = "qemu-argv") throws(LibvirtError) -> String {
    try takeString("virConnectDomainXMLToNative", virConnectDomainXMLToNative(pointer, format, xml, 0))
  }
}
