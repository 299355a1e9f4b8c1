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
  /// Adds what one child of a root-level QEMU element says: `kind` is that element's local name,
  /// `attributes` the child's attributes in no namespace.
  mutating func add(child name: String, attributes: [(name: String, value: String)], of kind: String) {
    let attribute = { (wanted: String) in attributes.first { $0.name == wanted }?.value }
    switch kind {
    case "commandline":
      switch name {
      case "arg": arguments.append(attribute("value") ?? "")
      case "env": environment.append(EnvironmentVariable(name: attribute("name") ?? "", value: attribute("value") ?? ""))
      default: otherElements.append("commandline/" + name)
      }
    case "capabilities":
      let capability = attribute("capability") ?? ""
      switch name {
      case "add": addedCapabilities.append(capability)
      case "del": removedCapabilities.append(capability)
      default: otherElements.append("capabilities/" + name)
      }
    case "override":
      if name == "device" { overriddenDevices.append(attribute("alias") ?? "") }
    default:
      break
    }
  }
}
