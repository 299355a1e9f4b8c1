import DomainModel
public import Inventory

/// The inventory as JSON, schema `kvmpolicy.inventory` version 1 (documented in README.md).
public struct InventoryJSONReporter: InventoryReporter {
  /// `json`.
  public static let identifier = "json"
  /// The schema name written into every document.
  public static let schema = "kvmpolicy.inventory"
  /// The schema version; bumped on any incompatible change.
  public static let version = 1

  /// Creates the reporter.
  public init() {}

  /// The whole inventory as one JSON document.
  public func render(_ sources: [InventorySource]) -> String {
    JSONValue.object([
      ("schema", .string(Self.schema)),
      ("version", .int(Self.version)),
      ("sources", .array(sources.map(Self.source))),
    ]).rendered()
  }

  private static func source(_ source: InventorySource) -> JSONValue {
    .object([
      ("kind", .string(source.kind.rawValue)),
      ("name", .string(source.name)),
      ("uri", .string(source.uri)),
      ("error", source.error.map(error) ?? .null),
      ("securityModels", .array(source.securityModels.map { .object([("model", .string($0.model)), ("doi", .string($0.doi))]) })),
      ("domains", .array(source.domains.map(domain))),
    ])
  }

  private static func error(_ error: InputError) -> JSONValue {
    .object([("message", .string(error.message)), ("line", .int(error.line)), ("column", .int(error.column))])
  }

  private static func domain(_ entry: InventoryDomain) -> JSONValue {
    let model = entry.model
    return .object([
      ("name", .string(entry.name)),
      ("uuid", .string(model?.uuid)),
      ("type", .string(model?.type)),
      ("id", .int(model?.id)),
      ("state", .string(entry.state?.rawValue)),
      ("persistent", .bool(entry.persistent)),
      ("error", .string(entry.error)),
      ("seclabels", .array((model?.seclabels ?? []).map(seclabel))),
      ("securityLabels", .array(entry.securityLabels.map { .object([("label", .string($0.label)), ("enforcing", .bool($0.enforcing))]) })),
      ("deviceCount", .int(model?.devices.count ?? 0)),
      ("deviceCounts", .object((model?.deviceCounts ?? []).map { ($0.deviceClass.name, .int($0.count)) })),
      ("devices", .array((model?.devices ?? []).map(device))),
      ("qemuPassthrough", model.map { passthrough($0.qemuPassthrough) } ?? .null),
    ])
  }

  private static func seclabel(_ label: Seclabel) -> JSONValue {
    .object([
      ("type", .string(label.type)), ("model", .string(label.model)), ("relabel", .string(label.relabel)),
      ("label", .string(label.label)), ("imagelabel", .string(label.imagelabel)),
    ])
  }

  private static func device(_ device: Device) -> JSONValue {
    .object([
      ("class", .string(device.deviceClass.name)),
      ("known", .bool(device.deviceClass.isKnown)),
      ("index", .int(device.index)),
      ("line", .int(device.line)),
      ("alias", .string(device.alias)),
      ("address", device.address.map { address in
        .object(
          [("type", .string(address.type))] + address.attributes.map { ($0.name, .string($0.value)) }
            + [("text", .string(address.description))])
      } ?? .null),
      ("attributes", .object(device.attributes.map { ($0.name, .array($0.values.map(JSONValue.string))) })),
    ])
  }

  private static func passthrough(_ passthrough: QEMUPassthrough) -> JSONValue {
    guard !passthrough.isEmpty else { return .null }
    return .object([
      ("line", .int(passthrough.line)),
      ("arguments", .array(passthrough.arguments.map(JSONValue.string))),
      ("environment", .array(passthrough.environment.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) })),
      ("addedCapabilities", .array(passthrough.addedCapabilities.map(JSONValue.string))),
      ("removedCapabilities", .array(passthrough.removedCapabilities.map(JSONValue.string))),
      ("overriddenDevices", .array(passthrough.overriddenDevices.map(JSONValue.string))),
      ("otherElements", .array(passthrough.otherElements.map(JSONValue.string))),
    ])
  }
}
