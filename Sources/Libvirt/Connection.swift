internal import CLibvirt
import Parallel

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

  /// Every domain with its state and persistence, read with a few list calls for the whole
  /// host instead of two calls per domain (a sweep over hundreds of domains pays per call).
  public func domainsWithState() throws(LibvirtError) -> [(domain: DomainHandle, state: DomainState, persistent: Bool)] {
    // The three lists every sweep needs, asked for at once (one round trip instead of three).
    let lists = try concurrentLists([0, VIR_CONNECT_LIST_DOMAINS_ACTIVE.rawValue, VIR_CONNECT_LIST_DOMAINS_PERSISTENT.rawValue])
    let all = lists[0]
    let names = { (flags: UInt32) throws(LibvirtError) -> Set<String> in Set(try self.domains(flags: flags).map(\.name)) }
    let active = Set(lists[1].map(\.name))
    let persistent = Set(lists[2].map(\.name))
    // An inactive domain is shut off; only active ones need telling apart.
    let running = active.isEmpty ? [] : try names(VIR_CONNECT_LIST_DOMAINS_RUNNING.rawValue)
    let paused = active.isEmpty ? [] : try names(VIR_CONNECT_LIST_DOMAINS_PAUSED.rawValue)
    var result: [(domain: DomainHandle, state: DomainState, persistent: Bool)] = []
    for domain in all {
      let name = domain.name
      let state: DomainState
      if !active.contains(name) {
        state = .shutOff
      } else if running.contains(name) {
        state = .running
      } else if paused.contains(name) {
        state = .paused
      } else {
        state = try domain.state()
      }
      result.append((domain, state, persistent.contains(name)))
    }
    return result
  }

  /// `virConnectListAllDomains` with each of `flags`, the calls in flight together; the first
  /// failure is thrown.
  private func concurrentLists(_ flags: [UInt32]) throws(LibvirtError) -> [[DomainHandle]] {
    let results = Parallel.map(flags, threads: flags.count) { flag in
      Result { () throws(LibvirtError) in try self.domains(flags: flag) }
    }
    return try results.map { result throws(LibvirtError) in try result.get() }
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
