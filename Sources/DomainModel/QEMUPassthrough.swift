/// What a domain hands to QEMU past libvirt's device model, in the
/// `http://libvirt.org/schemas/domain/qemu/1.0` namespace.
///
/// `<qemu:commandline>` arguments and environment, `<qemu:capabilities>` changes and
/// `<qemu:override>` device property overrides all bypass a device allowlist, so they are
/// surfaced on their own and a policy can deny them.
public struct QEMUPassthrough: Hashable, Sendable {
  /// The namespace URI of libvirt's QEMU extensions.
  public static let namespace = "http://libvirt.org/schemas/domain/qemu/1.0"

  /// `<qemu:arg value=...>` values, in order.
  public var arguments: [String] = []
  /// `<qemu:env name=... value=...>` pairs, in order.
  public var environment: [EnvironmentVariable] = []
  /// `<qemu:capabilities><qemu:add capability=...>` names.
  public var addedCapabilities: [String] = []
  /// `<qemu:capabilities><qemu:del capability=...>` names.
  public var removedCapabilities: [String] = []
  /// Aliases of devices whose QEMU properties `<qemu:override>` changes.
  public var overriddenDevices: [String] = []
  /// Local names of other elements in the namespace (e.g. `deprecation`), so none is hidden.
  public var otherElements: [String] = []
  /// The 1-based line of the first passthrough element, or 0 when there is none.
  public var line = 0

  /// One `<qemu:env>` entry.
  public struct EnvironmentVariable: Hashable, Sendable {
    /// The variable name.
    public let name: String
    /// Its value (may be empty).
    public let value: String
  }

  /// Creates an empty passthrough record.
  public init() {}

  /// Whether the domain uses no QEMU passthrough at all.
  public var isEmpty: Bool {
    arguments.isEmpty && environment.isEmpty && addedCapabilities.isEmpty
      && removedCapabilities.isEmpty && overriddenDevices.isEmpty && otherElements.isEmpty
  }
}

extension QEMUPassthrough {
  /// Adds what one root-level element in the QEMU namespace says.
  mutating func add<Element: ElementView>(_ element: Element) {
    if line == 0 { line = element.line }
    let children = element.children.filter { $0.namespaceURI == Self.namespace }
    switch element.name {
    case "commandline":
      for child in children {
        switch child.name {
        case "arg": arguments.append(child.attribute("value") ?? "")
        case "env":
          environment.append(
            EnvironmentVariable(name: child.attribute("name") ?? "", value: child.attribute("value") ?? ""))
        default: otherElements.append("commandline/" + child.name)
        }
      }
    case "capabilities":
      for child in children {
        let capability = child.attribute("capability") ?? ""
        switch child.name {
        case "add": addedCapabilities.append(capability)
        case "del": removedCapabilities.append(capability)
        default: otherElements.append("capabilities/" + child.name)
        }
      }
    case "override":
      for child in children where child.name == "device" {
        overriddenDevices.append(child.attribute("alias") ?? "")
      }
    default:
      otherElements.append(element.name)
    }
  }
}
