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
  /// The files `<os>` names (kernel, initrd, dtb, loader, nvram), in document order.
  public let bootFiles: [BootFile]

  /// The namespace of kvmpolicy's own `<metadata>` elements, e.g.
  /// `<kvmpolicy:tag xmlns:kvmpolicy="urn:kvmpolicy:metadata:1">gpu</kvmpolicy:tag>`.
  public static let metadataNamespace = "urn:kvmpolicy:metadata:1"

  /// Creates a domain; normally done by ``DomainDocument``.
  public init(
    name: String, uuid: String?, type: String?, id: Int?, seclabels: [Seclabel], devices: [Device],
    qemuPassthrough: QEMUPassthrough, tags: [String] = [], bootFiles: [BootFile] = []
  ) {
    self.name = name
    self.uuid = uuid
    self.type = type
    self.id = id
    self.seclabels = seclabels
    self.devices = devices
    self.qemuPassthrough = qemuPassthrough
    self.tags = tags
    self.bootFiles = bootFiles
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
      qemuPassthrough: qemuPassthrough, tags: tags, bootFiles: bootFiles)
  }
}

extension Domain {
  /// Reads domain XML bytes into the typed model, for when nothing will be edited.
  ///
  /// The same libxml2 parser, options and errors as ``DomainDocument``, but its SAX events go
  /// straight to the model instead of into libxml2's tree, which is several times faster (use
  /// ``DomainDocument`` to edit and serialise).
  public static func parse(bytes: UnsafeRawBufferPointer, source: String) throws(DomainXMLError) -> Domain {
    try XMLParser.parseDomain(bytes, source: source).finish()
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
