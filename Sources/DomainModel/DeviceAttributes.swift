/// The catalogue of canonical, policy-facing attributes per device class.
///
/// libvirt spreads what matters over attributes and sub-elements (`<disk><target bus=.../>`,
/// `<interface><model type=.../>`, `<graphics listen=...><listen address=.../>`). This table
/// gives each such fact one short name a policy can match (`bus`, `model`, `listen`), while the
/// raw paths stay available through ``Device/properties``.
public enum DeviceAttributes {
  /// How a canonical attribute is read from the raw properties.
  enum Source: Sendable {
    /// All values at any of these raw paths, in path order, without duplicates.
    case paths([String])
    /// `yes` if the element at this path exists, `no` otherwise.
    case flag(String)
    /// A USB/PCI id such as `0x10DE` at the first of these paths that has one, normalised to
    /// four lower-case hex digits (`10de`).
    case hexID([String])
    /// `vendor:product`, both normalised, when both are known.
    case vendorProduct
    /// A host address below `source/address`, spelled `0000:01:00.0` (PCI) or `bus:device` (USB).
    case hostAddress
  }

  /// The canonical attributes of each known class, in the order reports show them. (Pairs, not
  /// a dictionary: the hook pays for every generic type it instantiates at start.)
  static let table: [(DeviceClass, [(name: String, source: Source)])] = {
    let chardev: [(String, Source)] = [
      ("type", .paths(["@type"])), ("target", .paths(["target/@type"])),
      ("name", .paths(["target/@name"])), ("source", .paths(["source/@path", "source/@host"])),
    ]
    return [
      (.emulator, [("path", .paths(["text()"]))]),
      (.disk, [
        ("type", .paths(["@type"])), ("device", .paths(["@device"])), ("bus", .paths(["target/@bus"])),
        ("target", .paths(["target/@dev"])),
        ("source", .paths(["source/@file", "source/@dev", "source/@dir", "source/@name", "source/@volume"])),
        ("protocol", .paths(["source/@protocol"])), ("driver", .paths(["driver/@name"])),
        ("format", .paths(["driver/@type"])), ("readonly", .flag("readonly")),
        ("shareable", .flag("shareable")),
      ]),
      (.controller, [("type", .paths(["@type"])), ("model", .paths(["@model"])), ("index", .paths(["@index"]))]),
      (.lease, [("lockspace", .paths(["lockspace"])), ("key", .paths(["key"])), ("target", .paths(["target/@path"]))]),
      (.filesystem, [
        ("type", .paths(["@type"])), ("accessmode", .paths(["@accessmode"])), ("driver", .paths(["driver/@type"])),
        ("source", .paths(["source/@dir", "source/@file", "source/@name", "source/@socket"])),
        ("target", .paths(["target/@dir"])), ("readonly", .flag("readonly")),
      ]),
      (.interface, [
        ("type", .paths(["@type"])), ("model", .paths(["model/@type"])),
        ("source", .paths(["source/@network", "source/@bridge", "source/@dev", "source/@name", "source/@path"])),
        ("mode", .paths(["source/@mode"])), ("mac", .paths(["mac/@address"])), ("driver", .paths(["driver/@name"])),
        ("target", .paths(["target/@dev"])),
      ]),
      (.input, [("type", .paths(["@type"])), ("bus", .paths(["@bus"])), ("model", .paths(["@model"]))]),
      (.sound, [("model", .paths(["@model"]))]),
      (.audio, [("type", .paths(["@type"])), ("id", .paths(["@id"]))]),
      (.hostdev, [
        ("mode", .paths(["@mode"])), ("type", .paths(["@type"])), ("managed", .paths(["@managed"])),
        ("vendor", .hexID(["source/vendor/@id", "host/@vendor"])),
        ("product", .hexID(["source/product/@id", "host/@product"])), ("id", .vendorProduct),
        ("address", .hostAddress), ("adapter", .paths(["source/adapter/@name"])),
      ]),
      (.graphics, [
        ("type", .paths(["@type"])), ("listen", .paths(["@listen", "listen/@address", "listen/@socket"])),
        ("listentype", .paths(["listen/@type"])), ("port", .paths(["@port"])), ("autoport", .paths(["@autoport"])),
        ("password", .flag("@passwd")),
      ]),
      (.video, [("model", .paths(["model/@type"])), ("accel3d", .paths(["model/acceleration/@accel3d"]))]),
      (.console, chardev), (.serial, chardev), (.parallel, chardev), (.channel, chardev),
      (.smartcard, [("mode", .paths(["@mode"])), ("type", .paths(["@type"]))]),
      (.redirdev, [("bus", .paths(["@bus"])), ("type", .paths(["@type"]))]),
      (.redirfilter, [("allow", .paths(["usbdev/@allow"]))]),
      (.hub, [("type", .paths(["@type"]))]),
      (.tpm, [("model", .paths(["@model"])), ("backend", .paths(["backend/@type"])), ("version", .paths(["backend/@version"]))]),
      (.rng, [("model", .paths(["@model"])), ("backend", .paths(["backend/@model"])), ("source", .paths(["backend"]))]),
      (.watchdog, [("model", .paths(["@model"])), ("action", .paths(["@action"]))]),
      (.memballoon, [("model", .paths(["@model"]))]),
      (.nvram, [("address", .paths(["address/@reg"]))]),
      (.panic, [("model", .paths(["@model"]))]),
      (.shmem, [("name", .paths(["@name"])), ("model", .paths(["model/@type"]))]),
      (.memory, [("model", .paths(["@model"])), ("access", .paths(["@access"]))]),
      (.iommu, [("model", .paths(["@model"]))]),
      (.vsock, [("model", .paths(["@model"])), ("cid", .paths(["cid/@address"]))]),
      (.crypto, [("model", .paths(["@model"])), ("type", .paths(["@type"])), ("backend", .paths(["backend/@model"]))]),
    ]
  }()

  /// ``table`` by ``DeviceClass/ordinal``: the engine asks for every device's attributes.
  private static let byOrdinal: [[(name: String, source: Source)]] = DeviceClass.known.map { deviceClass in
    table.first { $0.0 == deviceClass }?.1 ?? fallback
  }

  /// The canonical attributes of a class.
  private static func entries(for deviceClass: DeviceClass) -> [(name: String, source: Source)] {
    deviceClass.ordinal.map { byOrdinal[$0] } ?? fallback
  }

  /// For classes kvmpolicy does not know: the usual spellings of type and model.
  private static let fallback: [(name: String, source: Source)] = [
    ("type", .paths(["@type"])), ("model", .paths(["@model", "model/@type"])),
  ]

  /// The canonical attribute names of a class, in report order.
  public static func names(for deviceClass: DeviceClass) -> [String] {
    deviceClass.ordinal.map { namesByOrdinal[$0] } ?? fallback.map(\.name)
  }

  private static let namesByOrdinal: [[String]] = byOrdinal.map { $0.map(\.name) }

  /// The raw attribute path a rewrite writes for a canonical attribute (`model` of an interface
  /// is `model/@type`), or `nil` when the attribute is not a plain XML attribute.
  public static func writablePath(of name: String, for deviceClass: DeviceClass) -> String? {
    guard let entry = entries(for: deviceClass).first(where: { $0.name == name }),
      case .paths(let paths) = entry.source, let first = paths.first, first.contains("@")
    else { return nil }
    return first
  }

  /// Whether `name` is a raw XML path (`target/@bus`, `@type`, `readonly`, `text()`) rather
  /// than a canonical attribute name.
  public static func isRawPath(_ name: String) -> Bool {
    name.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "@") } || name == "text()"
  }

  /// Every canonical attribute of a device that has at least one value.
  static func attributes(of device: Device) -> [(name: String, values: [String])] {
    entries(for: device.deviceClass).compactMap { entry in
      let values = read(entry.source, from: device)
      return values.isEmpty ? nil : (entry.name, values)
    }
  }

  /// The values of one canonical attribute; empty when the class has no such attribute.
  static func values(of name: String, in device: Device) -> [String] {
    let entries = entries(for: device.deviceClass)
    for index in entries.indices where entries[index].name == name { return read(entries[index].source, from: device) }
    return []
  }

  private static func read(_ source: Source, from device: Device) -> [String] {
    switch source {
    case .paths(let paths):
      if paths.count == 1 { return device.values(at: paths[0]) }
      var values: [String] = []
      for path in paths {
        for value in device.values(at: path) where !values.contains(value) { values.append(value) }
      }
      return values
    case .flag(let path):
      return [device.has(path) ? "yes" : "no"]
    case .hexID(let paths):
      return paths.lazy.map { device.values(at: $0) }.first { !$0.isEmpty }?.map { DeviceAddress.hex($0, width: 4) } ?? []
    case .vendorProduct:
      guard let vendor = read(.hexID(["source/vendor/@id", "host/@vendor"]), from: device).first,
        let product = read(.hexID(["source/product/@id", "host/@product"]), from: device).first
      else { return [] }
      return [vendor + ":" + product]
    case .hostAddress:
      return hostAddress(of: device).map { [$0] } ?? []
    }
  }

  private static func hostAddress(of device: Device) -> String? {
    let attribute = { (name: String) in device.value(at: "source/address/@" + name) }
    if let pci = DeviceAddress.pciSpelling(attribute) { return pci }
    if let bus = attribute("bus"), let number = attribute("device") { return "\(bus):\(number)" }
    return nil
  }
}
