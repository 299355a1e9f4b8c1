public import Policy

/// The effective rules of a checked policy as text, for `kvmpolicy policy check`.
public struct PolicyTextRenderer: Sendable {
  /// Creates the renderer.
  public init() {}

  /// Every section of the policy, then every override, with each rule's position.
  public func render(_ policy: Policy) -> String {
    var lines = ["policy \(policy.file): valid" + (policy.description.map { " (\($0))" } ?? "")]
    lines += render(policy.base, indent: "")
    for override in policy.overrides {
      var criteria: [String] = []
      if !override.selector.names.isEmpty { criteria.append("name " + override.selector.names.map(\.pattern).joined(separator: " or ")) }
      if !override.selector.uuids.isEmpty { criteria.append("uuid " + override.selector.uuids.joined(separator: " or ")) }
      if !override.selector.tags.isEmpty { criteria.append("tag " + override.selector.tags.joined(separator: " or ")) }
      lines.append("")
      lines.append("override \(override.name) for domains with \(criteria.joined(separator: " and ")) (\(override.location)):")
      lines += render(override.ruleset, indent: "  ", isOverride: true)
    }
    for waiver in policy.waivers {
      lines.append("")
      lines += render(waiver)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func render(_ waiver: Waiver) -> [String] {
    var domains: [String] = []
    if !waiver.domains.names.isEmpty { domains.append("name " + waiver.domains.names.map(\.pattern).joined(separator: " or ")) }
    if !waiver.domains.uuids.isEmpty { domains.append("uuid " + waiver.domains.uuids.joined(separator: " or ")) }
    if !waiver.domains.tags.isEmpty { domains.append("tag " + waiver.domains.tags.joined(separator: " or ")) }
    var findings: [String] = []
    let selector = waiver.findings
    if !selector.checks.isEmpty { findings.append("check " + selector.checks.joined(separator: " or ")) }
    if !selector.deviceClasses.isEmpty { findings.append("class " + selector.deviceClasses.joined(separator: " or ")) }
    if !selector.rules.isEmpty { findings.append("rule " + selector.rules.joined(separator: " or ")) }
    if !selector.ids.isEmpty { findings.append("id " + selector.ids.joined(separator: " or ")) }
    let location = waiver.reference.location.map { " (\($0))" } ?? ""
    return [
      "waiver \(waiver.reference.path)\(location): until \(waiver.expires) (end of day UTC), owner \(waiver.owner)",
      "  domains: " + (domains.isEmpty ? "every domain" : "with " + domains.joined(separator: " and ")),
      "  findings: with " + findings.joined(separator: " and "),
      "  reason: \(waiver.reason)",
    ]
  }

  private func render(_ ruleset: Ruleset, indent: String, isOverride: Bool = false) -> [String] {
    var lines: [String] = []
    let defaultAction = ruleset.defaultAction
    if !isOverride || defaultAction != nil || ruleset.unlistedClassesAllowed != nil {
      let action = defaultAction.map(\.rawValue) ?? (isOverride ? "unchanged" : "refuse (built-in)")
      let unlisted = ruleset.unlistedClassesAllowed.map { $0 ? "allow" : "deny" } ?? (isOverride ? "unchanged" : "deny (built-in)")
      lines.append("\(indent)defaults: action \(action); device classes not listed: \(unlisted)")
    }
    if let seclabel = ruleset.seclabel {
      let parts = [
        "models \(seclabel.models.joined(separator: ", "))", "type \(seclabel.type ?? "any")",
        seclabel.relabel ? "relabel required" : "relabel not required", seclabel.unique ? "labels unique" : "labels may be shared",
        "action \(seclabel.action?.rawValue ?? "default")",
      ]
      lines.append("\(indent)seclabel: " + parts.joined(separator: "; "))
    } else if !isOverride {
      lines.append("\(indent)seclabel: not checked")
    }
    if let passthrough = ruleset.passthrough {
      lines.append("\(indent)qemu passthrough: \(passthrough.allowed ? "allow" : "deny")" + (passthrough.action.map { "; action \($0.rawValue)" } ?? ""))
    } else if !isOverride {
      lines.append("\(indent)qemu passthrough: deny (built-in)")
    }
    if let boot = ruleset.boot {
      let accepted = boot.accepted.map { "\($0.attribute) \($0.matcher)" }
      lines.append(
        "\(indent)boot files: " + (accepted.isEmpty ? "none accepted" : accepted.joined(separator: "; "))
          + (boot.action.map { "; action \($0.rawValue)" } ?? ""))
    } else if !isOverride {
      lines.append("\(indent)boot files: not checked (only paths climbing with '..')")
    }
    if let detachTimeout = ruleset.detachTimeout {
      lines.append("\(indent)detach timeout: \(detachTimeout.rawValue)")
    }
    guard !ruleset.classes.isEmpty else { return lines }
    lines.append("\(indent)devices:")
    let width = (ruleset.classes.keys.map(\.count).max() ?? 0) + 2
    for name in ruleset.classes.keys.sorted() {
      guard let policy = ruleset.classes[name] else { continue }
      let label = name + String(repeating: " ", count: width - name.count)
      var entries: [String] = []
      let action = policy.action.map { " [\($0.rawValue)]" } ?? ""
      for rule in policy.deny { entries.append("deny  " + describe(rule)) }
      if policy.allowsAll {
        entries.append("allow all")
      } else if policy.allow.isEmpty {
        entries.append("deny all" + action)
      }
      for rule in policy.allow { entries.append("allow " + describe(rule)) }
      for (offset, entry) in entries.enumerated() {
        let prefix = offset == 0 ? label : String(repeating: " ", count: width)
        lines.append("\(indent)  \(prefix)\(entry)" + (offset == entries.count - 1 && !policy.allow.isEmpty ? action : ""))
      }
    }
    return lines
  }

  private func describe(_ rule: DeviceRule) -> String {
    var text = rule.conditions.map { condition in
      condition.matcher.alternatives.count > 1 ? "\(condition.attribute) in \(condition.matcher)" : "\(condition.attribute)=\(condition.matcher)"
    }.joined(separator: " ")
    if let action = rule.action { text += " -> \(action.rawValue)" }
    if !rule.set.isEmpty { text += " (set " + rule.set.map { "\($0.attribute)=\($0.value)" }.joined(separator: ", ") + ")" }
    if let location = rule.reference.location { text += "  @\(location.line)" }
    return text
  }
}
