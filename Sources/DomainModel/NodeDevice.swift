internal import CLibXML2

/// What kvmpolicy reads from a libvirt node device document: a PCI device's ids.
public struct NodeDevice: Hashable, Sendable {
  /// The PCI vendor id as written (`0x10de`), if the device is a PCI device.
  public let vendor: String?
  /// The PCI product id as written (`0x2204`).
  public let product: String?

  /// libvirt's node device name for a PCI address: `0000:41:00.0` -> `pci_0000_41_00_0`.
  public static func name(forPCIAddress address: String) -> String {
    "pci_" + address.map { $0 == ":" || $0 == "." ? "_" : String($0) }.joined()
  }

  /// Parses `virsh nodedev-dumpxml` output.
  public init(xml: String, source: String) throws(DomainXMLError) {
    let document = try XMLParser.parse(xml, source: source)
    defer { xmlFreeDoc(document) }
    guard let root = xmlDocGetRootElement(document), XMLElement(node: root).name == "device" else {
      throw DomainXMLError(source: source, line: 1, message: "not a libvirt node <device> document")
    }
    let capability = XMLElement(node: root).children.first { $0.name == "capability" && $0.attribute("type") == "pci" }
    vendor = capability?.child("vendor")?.attribute("id")
    product = capability?.child("product")?.attribute("id")
  }
}
