import DomainModel
public import Inventory

/// The inventory as plain text for a terminal: one block per source, one line per domain,
/// indented lines for labels and device counts (and every device with ``showDevices``).
public struct InventoryTextReporter: InventoryReporter {
  /// `text`.
  public static let identifier = "text"
  /// Whether to list every device under its domain.
  public let showDevices: Bool

  /// Creates the reporter.
  public init(showDevices: Bool = false) {
    self.showDevices = showDevices
  }

  /// The whole inventory, ending with a summary line.
  public func render(_ sources: [InventorySource]) -> String {
    var lines: [String] = []
    for source in sources {
      lines += render(source)
      lines.append("")
    }
    let domains = sources.flatMap(\.domains)
    let devices = domains.reduce(0) { $0 + ($1.model?.devices.count ?? 0) }
    let failed = sources.filter(\.hasErrors).count
    var summary = "\(plural(domains.count, "domain")), \(plural(devices, "device")) from \(plural(sources.count, "source"))"
    if failed > 0 { summary += "; \(plural(failed, "source")) with errors" }
    lines.append(summary)
    return lines.joined(separator: "\n") + "\n"
  }

  private func render(_ source: InventorySource) -> [String] {
    var header = source.kind == .libvirt ? "libvirt \(source.uri ?? source.name)" : "file \(source.name)"
    if !source.securityModels.isEmpty {
      header += " (security models: " + source.securityModels.map(\.model).joined(separator: ", ") + ")"
    }
    var lines = [header]
    if let error = source.error { lines.append("  \(error)") }
    for domain in source.domains { lines += render(domain) }
    return lines
  }

  private func render(_ entry: InventoryDomain) -> [String] {
    var facts = [entry.name]
    if let state = entry.state { facts.append(state.rawValue) }
    if let persistent = entry.persistent { facts.append(persistent ? "persistent" : "transient") }
    if let type = entry.model?.type { facts.append("type \(type)") }
    if let uuid = entry.model?.uuid { facts.append("uuid \(uuid)") }
    var lines = ["  " + facts.joined(separator: "  ")]
    if let error = entry.error { lines.append("    error: \(error)") }
    guard let model = entry.model else { return lines }
    for label in model.seclabels {
      let parts = [
        label.model.map { "model \($0)" }, label.type.map { "type \($0)" }, label.relabel.map { "relabel \($0)" },
        label.label.map { "label \($0)" },
      ].compactMap { $0 }
      lines.append("    seclabel: " + (parts.isEmpty ? "(defaults)" : parts.joined(separator: ", ")))
    }
    for label in entry.securityLabels {
      let text = label.label.isEmpty ? "(none)" : label.label
      lines.append("    process label: \(text)" + (label.enforcing ? " (enforcing)" : " (permissive)"))
    }
    let counts = model.deviceCounts.map { "\($0.deviceClass.name) \($0.count)" }.joined(separator: ", ")
    lines.append("    devices (\(model.devices.count)): " + (counts.isEmpty ? "none" : counts))
    if showDevices {
      for device in model.devices { lines.append("      " + describe(device)) }
    }
    if !model.qemuPassthrough.isEmpty {
      let passthrough = model.qemuPassthrough
      lines.append(
        "    qemu passthrough: \(plural(passthrough.arguments.count, "argument")), "
          + "\(plural(passthrough.environment.count, "variable")), "
          + "\(plural(passthrough.addedCapabilities.count + passthrough.removedCapabilities.count, "capability change"))")
    }
    return lines
  }

  private func describe(_ device: Device) -> String {
    var parts = [device.deviceClass.name]
    parts += device.attributes.filter { $0.values != ["no"] }.map { "\($0.name)=\($0.values.joined(separator: ","))" }
    if let alias = device.alias { parts.append("alias=\(alias)") }
    if let address = device.address { parts.append("[\(address)]") }
    return parts.joined(separator: " ")
  }

  private func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)\(noun.hasSuffix("s") ? "es" : "s")"
  }
}
