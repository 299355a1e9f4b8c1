/// Where a device sits on the guest's buses: the device's own `<address>` element.
///
/// Kept so a finding can name the device precisely and enforcement can detach it even when it
/// has no alias.
public struct DeviceAddress: Hashable, Sendable, CustomStringConvertible {
  /// The address type: `pci`, `drive`, `usb`, `virtio-serial`, `ccid`, `isa`, ...
  public let type: String
  /// Every attribute of `<address>` except `type`, in document order.
  public let attributes: [Attribute]

  /// One attribute of an address element.
  public struct Attribute: Hashable, Sendable {
    /// The attribute name, e.g. `slot`.
    public let name: String
    /// The attribute value as written, e.g. `0x03`.
    public let value: String
  }

  /// Creates an address from its type and attributes.
  public init(type: String, attributes: [(String, String)]) {
    self.type = type
    self.attributes = attributes.map { Attribute(name: $0.0, value: $0.1) }
  }

  /// The value of one attribute, if present.
  public subscript(name: String) -> String? {
    attributes.first { $0.name == name }?.value
  }

  /// A compact, conventional spelling: `pci 0000:00:03.0`, `drive 0:0:0:1`, `usb 0:1`, ...
  public var description: String {
    switch type {
    case "pci":
      guard let spelling = Self.pciSpelling({ self[$0] }) else { break }
      return "pci " + spelling
    case "drive":
      let parts = ["controller", "bus", "target", "unit"].map { self[$0] ?? "0" }
      return "drive " + parts.joined(separator: ":")
    case "usb":
      return "usb " + [self["bus"] ?? "0", self["port"] ?? "?"].joined(separator: ":")
    default:
      break
    }
    if attributes.isEmpty { return type }
    return type + " " + attributes.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
  }

  /// `DDDD:BB:SS.F` from a PCI address's attributes, or `nil` without bus and slot.
  static func pciSpelling(_ attribute: (String) -> String?) -> String? {
    guard let bus = attribute("bus"), let slot = attribute("slot") else { return nil }
    let domain = hex(attribute("domain") ?? "0", width: 4)
    let function = hex(attribute("function") ?? "0", width: 1)
    return "\(domain):\(hex(bus, width: 2)):\(hex(slot, width: 2)).\(function)"
  }

  /// `0x0003` -> `03` (width 2), `5` -> `05`; values that are not numbers are returned as written.
  static func hex(_ value: String, width: Int) -> String {
    let lower = value.lowercased()
    let number: Int?
    if lower.hasPrefix("0x") {
      number = Int(lower.dropFirst(2), radix: 16)
    } else {
      number = Int(lower, radix: 10)
    }
    guard let number else { return value }
    let digits = String(number, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
