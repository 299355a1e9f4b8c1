/// One child element of a domain's `<devices>`, typed and flattened for policy matching.
///
/// A device keeps its ``index`` among the element children of `<devices>`, which is its way back
/// to the XML node: ``DomainDocument`` edits (remove, set an attribute) take that index.
public struct Device: Hashable, Sendable {
  /// The position among the element children of `<devices>`, 0-based, in document order.
  public let index: Int
  /// The device class (the element name).
  public let deviceClass: DeviceClass
  /// The 1-based source line of the device's start tag.
  public let line: Int
  /// The `<alias name=...>` libvirt assigned (live XML) or the user chose (`ua-*`).
  public let alias: String?
  /// The device's guest address, if it has one.
  public let address: DeviceAddress?
  /// Every attribute and text leaf of the element and its descendants, as path/value pairs.
  ///
  /// Paths are relative to the device element, XPath-like: `@type` for an attribute of the
  /// device itself, `target/@bus` for an attribute of a child, `serial` for a child element's
  /// trimmed text (empty for an empty element such as `<readonly/>`, so presence is visible).
  /// Repeated elements contribute one pair each, in document order.
  public let properties: [Property]

  /// One flattened attribute or element text of a device.
  public struct Property: Hashable, Sendable {
    /// The XPath-like path, e.g. `source/address/@bus`.
    public let path: String
    /// The value as written (entities are never expanded).
    public let value: String
  }

  /// Creates a device; normally done by ``DomainDocument``.
  public init(
    index: Int, deviceClass: DeviceClass, line: Int, alias: String?, address: DeviceAddress?,
    properties: [Property]
  ) {
    self.index = index
    self.deviceClass = deviceClass
    self.line = line
    self.alias = alias
    self.address = address
    self.properties = properties
  }

  /// Every value at a raw path, in document order.
  public func values(at path: String) -> [String] {
    // Compared in place: the engine asks this for every condition of every rule.
    var values: [String] = []
    for index in properties.indices where properties[index].path == path { values.append(properties[index].value) }
    return values
  }

  /// The first value at a raw path.
  public func value(at path: String) -> String? {
    for index in properties.indices where properties[index].path == path { return properties[index].value }
    return nil
  }

  /// Whether an element or attribute exists at a raw path (e.g. `readonly`).
  public func has(_ path: String) -> Bool {
    properties.indices.contains { properties[$0].path == path }
  }

  /// The device's canonical policy-facing attributes (see ``DeviceAttributes``), in table order.
  public var attributes: [(name: String, values: [String])] {
    DeviceAttributes.attributes(of: self)
  }

  /// The values of one canonical attribute such as `bus`, `model` or `listen`.
  public func attribute(_ name: String) -> [String] {
    DeviceAttributes.values(of: name, in: self)
  }

  /// The canonical `type` or `model` that best names this device in a report
  /// (`bridge e1000` for an interface: both matter there).
  public var kind: String? { kind(reading: attribute) }

  /// ``kind``, reading canonical attributes through `attribute` (a caller's cache).
  public func kind(reading attribute: (String) -> [String]) -> String? {
    if deviceClass == .interface {
      let parts = attribute("type") + attribute("model")
      return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
    return attribute("type").first ?? attribute("model").first ?? attribute("device").first
  }
}
