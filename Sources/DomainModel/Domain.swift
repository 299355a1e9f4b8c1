/// A libvirt domain as kvmpolicy sees it: identity, sVirt labels, every device, and any QEMU
/// passthrough, read from one domain XML document.
public struct Domain: Hashable, Sendable {
  /// `<name>`.
  public let name: String
  /// `<uuid>`, as written (libvirt generates one when a definition has none).
  public let uuid: String?
  /// The hypervisor type, `<domain type=...>`: `kvm`, `qemu`, `test`, ...
  public let type: String?
  /// The running domain's id (`<domain id=...>`, live XML only).
  public let id: Int?
  /// Domain-level `<seclabel>` elements in document order.
  public let seclabels: [Seclabel]
  /// Every element child of `<devices>`, in document order.
  public let devices: [Device]
  /// Everything in libvirt's QEMU namespace.
  public let qemuPassthrough: QEMUPassthrough
  /// `<metadata><kvmpolicy:tag>` values, which policy overrides can select on.
  public let tags: [String]

  /// The namespace of kvmpolicy's own `<metadata>` elements, e.g.
  /// `<kvmpolicy:tag xmlns:kvmpolicy="urn:kvmpolicy:metadata:1">gpu</kvmpolicy:tag>`.
  public static let metadataNamespace = "urn:kvmpolicy:metadata:1"

  /// Creates a domain; normally done by ``DomainDocument``.
  public init(
    name: String, uuid: String?, type: String?, id: Int?, seclabels: [Seclabel], devices: [Device],
    qemuPassthrough: QEMUPassthrough, tags: [String] = []
  ) {
    self.name = name
    self.uuid = uuid
    self.type = type
    self.id = id
    self.seclabels = seclabels
    self.devices = devices
    self.qemuPassthrough = qemuPassthrough
    self.tags = tags
  }

  /// How many devices of each class the domain has, sorted by class name.
  public var deviceCounts: [(deviceClass: DeviceClass, count: Int)] {
    var counts: [DeviceClass: Int] = [:]
    for device in devices { counts[device.deviceClass, default: 0] += 1 }
    return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
}

extension Domain {
  /// This domain with the vendor and product of each PCI host device filled in from the host
  /// (a PCI `<hostdev>` names only an address; libvirt's node devices know the ids).
  ///
  /// The ids become the properties `host/@vendor` and `host/@product`, which the canonical
  /// `vendor`, `product` and `id` attributes read when the XML has none.
  public func resolvingHostDevices(_ lookup: (String) -> (vendor: String, product: String)?) -> Domain {
    let devices = self.devices.map { device -> Device in
      guard device.deviceClass == .hostdev, device.value(at: "@type") == "pci",
        let address = device.attribute("address").first, let ids = lookup(address)
      else { return device }
      return Device(
        index: device.index, deviceClass: device.deviceClass, line: device.line, alias: device.alias,
        address: device.address,
        properties: device.properties + [
          Device.Property(path: "host/@vendor", value: ids.vendor), Device.Property(path: "host/@product", value: ids.product),
        ])
    }
    return Domain(
      name: name, uuid: uuid, type: type, id: id, seclabels: seclabels, devices: devices,
      qemuPassthrough: qemuPassthrough, tags: tags)
  }

  /// Whether a child of `<domain>` says anything the model holds (the streaming parse skips
  /// every other subtree).
  static func reads(topLevel name: String, namespaceURI: String?) -> Bool {
    guard let namespaceURI else {
      switch name {
      case "name", "uuid", "seclabel", "metadata", "devices": return true
      default: return false
      }
    }
    return namespaceURI == QEMUPassthrough.namespace
  }

  /// Reads a domain from the root element of a parsed document.
  init<Element: ElementView>(root: Element, source: String) throws(DomainXMLError) {
    guard root.name == "domain", root.namespaceURI == nil else {
      throw DomainXMLError(
        source: source, line: root.line, column: 1,
        message: "root element is <\(root.qualifiedName)>, expected a libvirt <domain>")
    }
    var name: String?
    var uuid: String?
    var seclabels: [Seclabel] = []
    var devices: [Device] = []
    var passthrough = QEMUPassthrough()
    var tags: [String] = []
    for child in root.children where Self.reads(topLevel: child.name, namespaceURI: child.namespaceURI) {
      if child.namespaceURI == QEMUPassthrough.namespace {
        passthrough.add(child)
        continue
      }
      switch child.name {
      case "name": name = child.trimmedText
      case "uuid": uuid = child.trimmedText
      case "seclabel": seclabels.append(Seclabel(child))
      case "metadata":
        for element in child.children where element.namespaceURI == Self.metadataNamespace && element.name == "tag" {
          tags.append(element.trimmedText)
        }
      case "devices":
        for element in child.children { devices.append(Device(element, index: devices.count)) }
      default: break
      }
    }
    guard let name, !name.isEmpty else {
      throw DomainXMLError(source: source, line: root.line, column: 1, message: "<domain> has no <name>")
    }
    self.init(
      name: name, uuid: uuid, type: root.attribute("type"), id: root.attribute("id").flatMap { Int($0) },
      seclabels: seclabels, devices: devices, qemuPassthrough: passthrough, tags: tags)
  }
}

extension Device {
  /// Reads one `<devices>` child.
  init<Element: ElementView>(_ element: Element, index: Int) {
    var properties: [Property] = []
    let ownText = element.trimmedText
    if !ownText.isEmpty { properties.append(Property(path: "text()", value: ownText)) }
    Self.flatten(element, prefix: "", into: &properties)
    let address = element.child("address").map { node in
      DeviceAddress(
        type: node.attribute("type") ?? "",
        attributes: node.attributes.filter { $0.name != "type" }.map { ($0.name, $0.value) })
    }
    self.init(
      index: index, deviceClass: DeviceClass(elementName: element.qualifiedName), line: element.line,
      alias: element.child("alias")?.attribute("name"), address: address, properties: properties)
  }

  private static func flatten<Element: ElementView>(_ element: Element, prefix: String, into properties: inout [Property]) {
    element.forEachAttribute { name, value in
      properties.append(Property(path: prefix + "@" + name, value: value))
    }
    for child in element.children {
      let path = prefix + child.qualifiedName
      properties.append(Property(path: path, value: child.trimmedText))
      flatten(child, prefix: path + "/", into: &properties)
    }
  }
}

extension Domain {
  /// Reads domain XML bytes into the typed model, for when nothing will be edited.
  ///
  /// The same libxml2 parser, options and errors as ``DomainDocument``, but its SAX events fill a
  /// compact tree instead of libxml2's, which is several times faster (use ``DomainDocument`` to
  /// edit and serialise).
  public static func parse(bytes: UnsafeRawBufferPointer, source: String) throws(DomainXMLError) -> Domain {
    let tree = try XMLParser.parseElements(bytes, source: source)
    return try withExtendedLifetime(tree) { () throws(DomainXMLError) -> Domain in
      guard let root = tree.root else {
        throw DomainXMLError(source: source, line: 1, message: "document has no root element")
      }
      return try Domain(root: root, source: source)
    }
  }

  /// Reads domain XML text into the typed model, for when nothing will be edited.
  public static func parse(xml: String, source: String) throws(DomainXMLError) -> Domain {
    var xml = xml
    let parsed = xml.withUTF8 { buffer in
      Result { () throws(DomainXMLError) in try parse(bytes: UnsafeRawBufferPointer(buffer), source: source) }
    }
    return try parsed.get()
  }
}
