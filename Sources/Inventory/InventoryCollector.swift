import DomainModel
import Foundation
import SystemIO
import Libvirt
import Parallel

/// Reads domains from libvirt connections or XML files into ``InventorySource`` values.
///
/// Never throws: a connection that cannot be opened or a file that cannot be parsed becomes a
/// source with an ``InventorySource/error``, so one bad input never hides the others.
public enum InventoryCollector {
  /// What to read besides each domain's live XML.
  public struct Options: Sendable {
    /// Also read the persistent definition of running domains (what boots next).
    public var definitions: Bool
    /// Fill in PCI host devices' vendor and product from libvirt's node devices.
    public var resolveHostDevices: Bool
    /// Read the host's security models from its capabilities.
    public var securityModels: Bool
    /// Ask libvirt for each domain's QEMU command line (needs a read-write connection: root).
    public var commandLines: Bool
    /// Only domains whose name this accepts are read.
    public var selectsName: @Sendable (String) -> Bool

    /// Creates options; by default every domain, live XML only.
    public init(
      definitions: Bool = false, resolveHostDevices: Bool = false, securityModels: Bool = true, commandLines: Bool = false,
      selectsName: @escaping @Sendable (String) -> Bool = { _ in true }
    ) {
      self.definitions = definitions
      self.resolveHostDevices = resolveHostDevices
      self.securityModels = securityModels
      self.commandLines = commandLines
      self.selectsName = selectsName
    }
  }

  /// Several connections at once, one thread each; results in the order of `uris`.
  public static func collect(uris: [String?], options: Options = Options()) -> [InventorySource] {
    Parallel.map(uris, threads: uris.count) { collect(uri: $0, options: options) }
  }

  /// Every domain of one connection, with live XML, state and security labels.
  ///
  /// - Parameter uri: a libvirt URI, or `nil` for libvirt's default (`LIBVIRT_DEFAULT_URI`, ...).
  public static func collect(uri: String?, options: Options = Options()) -> InventorySource {
    let name = uri ?? "default"
    let connection: Connection
    let resolved: String
    let domains: [ListedDomain]
    do {
      connection = try Connection(uri: uri, readOnly: true)
      resolved = try connection.uri()
      domains = try listing(connection).filter { options.selectsName($0.handle.name) }
    } catch {
      return InventorySource(kind: .libvirt, name: name, error: .connection(uri: name, message: error.message))
    }
    // Eight calls in flight on the one connection (eight threads, whatever the cores):
    // libvirtd answers them on its worker threads, so a sweep is not one round trip after another.
    // libvirt builds command lines only for read-write clients (root).
    let writable = options.commandLines ? try? Connection(uri: uri, readOnly: false) : nil
    var entries = Parallel.map(domains, threads: 8) { entry in
      describe(
        entry.handle, state: entry.state, persistent: entry.persistent, uri: resolved, definitions: options.definitions,
        commandLines: options.commandLines, writable: writable)
    }
    if options.resolveHostDevices { entries = resolvingHostDevices(entries, connection: connection) }
    guard options.securityModels else { return InventorySource(kind: .libvirt, name: name, uri: resolved, domains: entries) }
    do {
      let capabilities = try connection.capabilities()
      do throws(DomainXMLError) {
        let models = try HostCapabilities(xml: capabilities, source: resolved + " capabilities").securityModels
        return InventorySource(kind: .libvirt, name: name, uri: resolved, securityModels: models, domains: entries)
      } catch {
        return InventorySource(kind: .libvirt, name: name, uri: resolved, domains: entries, error: .xml(error))
      }
    } catch {
      // A driver without capabilities still has domains worth listing.
      return InventorySource(kind: .libvirt, name: name, uri: resolved, domains: entries, error: .connection(uri: name, message: error.message))
    }
  }

  /// A domain as the listing found it.
  private struct ListedDomain: @unchecked Sendable {
    let handle: DomainHandle
    let state: RunState
    let persistent: Bool
  }

  /// Every domain with its state and persistence, from a few list calls for the whole host
  /// instead of two calls per domain (a sweep over hundreds of domains pays per call). The
  /// three lists every sweep needs are asked for at once: one round trip instead of three.
  private static func listing(_ connection: Connection) throws(LibvirtError) -> [ListedDomain] {
    let filters: [DomainListFilter] = [.all, .active, .persistent]
    let lists = try Parallel.map(filters, threads: filters.count) { filter in
      Result { () throws(LibvirtError) in try connection.domains(filter) }
    }.map { result throws(LibvirtError) in try result.get() }
    let active = Set(lists[1].map(\.name))
    let persistent = Set(lists[2].map(\.name))
    // An inactive domain is shut off; only active ones need telling apart.
    let running = active.isEmpty ? [] : Set(try connection.domains(.running).map(\.name))
    let paused = active.isEmpty ? [] : Set(try connection.domains(.paused).map(\.name))
    return try lists[0].map { handle throws(LibvirtError) in
      let name = handle.name
      let state: RunState =
        if !active.contains(name) { .shutOff }
        else if running.contains(name) { .running }
        else if paused.contains(name) { .paused }
        else { try handle.state() }
      return ListedDomain(handle: handle, state: state, persistent: persistent.contains(name))
    }
  }

  /// `paths` with every directory replaced by the `*.xml` files in it, sorted by name (as in
  /// `/etc/libvirt/qemu`); a directory without any stays, and reading it reports that.
  public static func expandingDirectories(_ paths: [String]) -> [String] {
    paths.flatMap { path -> [String] in
      var isDirectory: ObjCBool = false
      guard path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
        let names = try? FileManager.default.contentsOfDirectory(atPath: path)
      else { return [path] }
      let files = names.filter { $0.hasSuffix(".xml") && !$0.hasPrefix(".") }.sorted()
      let base = path.hasSuffix("/") ? path : path + "/"
      return files.isEmpty ? [path] : files.map { base + $0 }
    }
  }

  /// The domain in one XML file, or standard input for `-`.
  public static func collect(file path: String) -> InventorySource {
    let source = path == "-" ? "<stdin>" : path
    // The one reader: a FIFO or a device is an error at once, and the reason is the real one.
    let read = path == "-" ? FileDescriptorIO.readAll(0, name: source) : FileContents.read(path, limit: 16 << 20)
    let data: [UInt8]
    switch read {
    case .success(let bytes): data = bytes
    case .failure(let error):
      let reason = error.errno == EISDIR || error.reason == "not a regular file (a directory)" ? "a directory without *.xml files" : error.reason
      return InventorySource(kind: .file, name: path, error: .file(path: source, reason: reason))
    }
    let parsed = data.withUnsafeBytes { bytes in
      Result { () throws(DomainXMLError) in try Domain.parse(bytes: bytes, source: source) }
    }
    switch parsed {
    case .success(let domain):
      return InventorySource(kind: .file, name: path, domains: [InventoryDomain(name: domain.name, model: domain)])
    case .failure(let error):
      return InventorySource(kind: .file, name: path, error: .xml(error))
    }
  }

  /// Entries whose PCI host devices carry vendor and product ids from the node devices.
  private static func resolvingHostDevices(_ entries: [InventoryDomain], connection: Connection) -> [InventoryDomain] {
    var cache: [String: (vendor: String, product: String)?] = [:]
    let lookup = { (address: String) -> (vendor: String, product: String)? in
      if let known = cache[address] { return known }
      let name = NodeDevice.name(forPCIAddress: address)
      var ids: (vendor: String, product: String)?
      if let xml = try? connection.nodeDeviceXML(named: name), let device = try? NodeDevice(xml: xml, source: name),
        let vendor = device.vendor, let product = device.product
      {
        ids = (vendor, product)
      }
      cache[address] = ids
      return ids
    }
    return entries.map { entry in
      InventoryDomain(
        name: entry.name, model: entry.model?.resolvingHostDevices(lookup),
        definition: entry.definition?.resolvingHostDevices(lookup), state: entry.state, persistent: entry.persistent,
        securityLabels: entry.securityLabels, commandLine: entry.commandLine, commandLineError: entry.commandLineError,
        error: entry.error)
    }
  }

  private static func describe(
    _ handle: DomainHandle, state: RunState, persistent: Bool, uri: String, definitions: Bool, commandLines: Bool,
    writable: Connection?
  ) -> InventoryDomain {
    let name = handle.name
    do throws(LibvirtError) {
      let xml = try handle.xml()
      // A domain that is not running has no QEMU process and so no process label.
      let labels = state == .shutOff ? [] : try handle.securityLabels()
      let inactive = definitions && persistent && state != .shutOff ? try handle.xml(inactive: true) : nil
      // The command line for what boots next names every QEMU device model the domain uses.
      var commandLine: String?
      var commandLineError: String?
      if commandLines {
        if let writable {
          do throws(LibvirtError) {
            commandLine = try writable.nativeConfig(domainXML: (try? handle.xml(inactive: true)) ?? xml)
          } catch {
            commandLineError = "virConnectDomainXMLToNative: " + error.message
          }
        } else {
          commandLineError = "libvirt builds QEMU command lines only for read-write connections (root)"
        }
      }
      do throws(DomainXMLError) {
        let model = try Domain.parse(xml: xml, source: "\(uri) domain \(name)")
        let definition = try inactive.map { xml throws(DomainXMLError) in
          try Domain.parse(xml: xml, source: "\(uri) domain \(name) (definition)")
        }
        return InventoryDomain(
          name: name, model: model, definition: definition, state: state, persistent: persistent, securityLabels: labels,
          commandLine: commandLine, commandLineError: commandLineError)
      } catch {
        return InventoryDomain(name: name, model: nil, state: state, persistent: persistent, error: error.description)
      }
    } catch {
      return InventoryDomain(name: name, model: nil, error: error.message)
    }
  }
}
