import DomainModel

/// The third layer of the policy language: checks a node tree against the schema and builds
/// the typed ``Policy``, collecting every problem in one pass.
struct PolicySchema {
  private let file: String
  private(set) var diagnostics: [PolicyDiagnostic] = []
  /// Whether as many errors were found as are worth reading (``PolicyLoader/errorLimit``):
  /// checking stops there, so a policy of 200,000 mistakes costs no more than one of 100.
  var isSaturated: Bool { diagnostics.count >= PolicyLoader.errorLimit }
  /// `set:` nodes whose rule takes its action from defaults.action, checked once that is known.
  private var pendingSets: [PolicyNode] = []
  /// The base policy's defaults.action, which overrides inherit.
  private var baseDefaultAction: Action?

  init(file: String) {
    self.file = file
  }

  static let topLevelKeys = ["version", "description", "defaults", "devices", "seclabel", "qemu", "boot", "overrides", "waivers"]
  static let rulesetKeys = ["defaults", "devices", "seclabel", "qemu", "boot"]
  /// What `boot` may list: the files `<os>` names.
  static let bootKeys = ["kernel", "initrd", "dtb", "loader", "nvram", "nvram-template"]
  static let ruleKeywords = ["action", "set", "why"]

  /// The typed policy, or `nil` when the root is not even a mapping.
  mutating func policy(from root: PolicyNode) -> Policy? {
    guard let entries = mapping(root, context: "the policy") else { return nil }
    checkKeys(entries, allowed: Self.topLevelKeys, context: "the policy")
    if let version = entries.first(where: { $0.key == "version" }) {
      if version.value.scalar != "1" {
        let found = version.value.scalar ?? version.value.kindDescription
        report(.unsupportedVersion(found), at: version.value)
      }
    } else {
      diagnostics.append(PolicyDiagnostic(.missingVersion, at: root.location))
    }
    let description = entries.first { $0.key == "description" }.flatMap { string($0.value, field: "description") }
    let base = ruleset(from: entries, path: "")
    baseDefaultAction = base.defaultAction
    var overrides: [Override] = []
    if let node = entries.first(where: { $0.key == "overrides" })?.value, !node.isNull {
      if case .sequence(let items) = node.kind {
        for (offset, item) in items.enumerated() where !isSaturated {
          if let override = override(from: item, position: offset) { overrides.append(override) }
        }
      } else {
        report(.wrongType(field: "overrides", expected: "a list of '- name: ... match: ...' entries", found: node.kindDescription), at: node)
      }
    }
    var waivers: [Waiver] = []
    if let node = entries.first(where: { $0.key == "waivers" })?.value, !node.isNull {
      if case .sequence(let items) = node.kind {
        for (offset, item) in items.enumerated() where !isSaturated {
          if let waiver = waiver(from: item, position: offset) { waivers.append(waiver) }
        }
      } else {
        report(.wrongType(field: "waivers", expected: "a list of '- findings: ... reason: ... owner: ... expires: ...' entries", found: node.kindDescription), at: node)
      }
    }
    let policy = Policy(file: file, description: description, base: base, overrides: overrides, waivers: waivers)
    warnAboutUnreachableRules(of: policy)
    return policy
  }

  // MARK: Sections

  private mutating func ruleset(from entries: [PolicyNode.Entry], path: String, inheritedDefault: Action? = nil) -> Ruleset {
    var ruleset = Ruleset()
    pendingSets = []
    defer {
      if (ruleset.defaultAction ?? inheritedDefault) != .rewrite {
        for node in pendingSets { report(.setWithoutRewrite, at: node) }
      }
      pendingSets = []
    }
    for entry in entries {
      switch entry.key {
      case "defaults": defaults(entry.value, path: path + "defaults", into: &ruleset)
      case "devices":
        guard let classes = mapping(entry.value, context: "'devices'") else { continue }
        for item in classes {
          if isSaturated { break }
          if let policy = classPolicy(item, path: path + "devices.") { ruleset.classes[policy.name] = policy.policy }
        }
      case "seclabel": ruleset.seclabel = seclabel(entry.value, path: path + "seclabel")
      case "qemu": ruleset.passthrough = passthrough(entry.value, path: path + "qemu")
      case "boot": ruleset.boot = boot(entry.value, path: path + "boot")
      default: break
      }
    }
    return ruleset
  }

  private mutating func defaults(_ node: PolicyNode, path: String, into ruleset: inout Ruleset) {
    guard let entries = mapping(node, context: "'defaults'") else { return }
    checkKeys(entries, allowed: ["action", "devices", "detach-timeout"], context: "'defaults'")
    for entry in entries {
      switch entry.key {
      case "action": ruleset.defaultAction = action(entry.value)
      case "devices":
        if let verdict = choice(entry.value, field: "defaults.devices", among: ["allow", "deny"]) {
          ruleset.unlistedClassesAllowed = verdict == "allow"
          ruleset.unlistedReference = RuleReference(path: path + ".devices", location: entry.keyLocation)
        }
      case "detach-timeout":
        if let verdict = choice(entry.value, field: "defaults.detach-timeout", among: DetachTimeoutAction.allCases.map(\.rawValue)) {
          ruleset.detachTimeout = DetachTimeoutAction(rawValue: verdict)
        }
      default: break
      }
    }
  }

  private mutating func classPolicy(_ entry: PolicyNode.Entry, path: String) -> (name: String, policy: ClassPolicy)? {
    let name = entry.key
    let deviceClass = DeviceClass(elementName: name)
    if !deviceClass.isKnown {
      let known = DeviceClass.known.map(\.name)
      if let suggestion = Suggestion.closest(to: name, in: known) {
        diagnostics.append(PolicyDiagnostic(.unknownDeviceClass(name, suggestion: suggestion), at: entry.keyLocation, length: name.count))
        return nil
      }
      diagnostics.append(
        PolicyDiagnostic(.unknownDeviceClass(name, suggestion: nil), at: entry.keyLocation, length: name.count, severity: .warning))
    }
    let reference = RuleReference(path: path + name, location: entry.keyLocation)
    let node = entry.value
    if case .scalar = node.kind, !node.isNull {
      guard let verdict = choice(node, field: "device class policy", among: ["allow", "deny"]) else { return nil }
      return (name, ClassPolicy(allowsAll: verdict == "allow", allow: [], deny: [], action: nil, reference: reference))
    }
    guard let entries = mapping(node, context: "'\(name)' (or write '\(name): allow' / '\(name): deny')") else { return nil }
    checkKeys(entries, allowed: ["allow", "deny", "action"], context: "device class '\(name)'")
    var allowsAll = false
    var allow: [DeviceRule] = []
    var deny: [DeviceRule] = []
    var classAction: Action?
    for item in entries where item.key == "action" { classAction = action(item.value) }
    for item in entries {
      switch item.key {
      case "allow":
        if case .scalar(let text, .plain) = item.value.kind, text == "all" || text == "none" {
          allowsAll = text == "all"
        } else {
          allow = rules(item.value, deviceClass: deviceClass, path: reference.path + ".allow", inheritedAction: classAction)
        }
      case "deny":
        deny = rules(item.value, deviceClass: deviceClass, path: reference.path + ".deny", inheritedAction: classAction)
      default: break
      }
    }
    return (name, ClassPolicy(allowsAll: allowsAll, allow: allow, deny: deny, action: classAction, reference: reference))
  }

  private mutating func rules(_ node: PolicyNode, deviceClass: DeviceClass, path: String, inheritedAction: Action?) -> [DeviceRule] {
    guard case .sequence(let items) = node.kind else {
      report(.wrongType(field: path.split(separator: ".").last.map(String.init) ?? "allow", expected: "a list of rules ('- bus: virtio'), 'all' or 'none'", found: node.kindDescription), at: node)
      return []
    }
    return items.enumerated().compactMap { offset, item in
      rule(item, deviceClass: deviceClass, reference: RuleReference(path: "\(path)[\(offset)]", location: item.location), inheritedAction: inheritedAction)
    }
  }

  private mutating func rule(_ node: PolicyNode, deviceClass: DeviceClass, reference: RuleReference, inheritedAction: Action?) -> DeviceRule? {
    guard let entries = mapping(node, context: "a rule") else { return nil }
    let names = DeviceAttributes.names(for: deviceClass)
    var conditions: [Condition] = []
    var ruleAction: Action?
    var assignments: [Assignment] = []
    var why: String?
    var setLocation: PolicyNode?
    for entry in entries {
      switch entry.key {
      case "action": ruleAction = action(entry.value)
      case "why": why = string(entry.value, field: "why")
      case "set":
        setLocation = entry.value
        guard let pairs = mapping(entry.value, context: "'set'") else { continue }
        for pair in pairs {
          guard let value = string(pair.value, field: "set.\(pair.key)") else { continue }
          if !DeviceAttributes.isRawPath(pair.key) && !names.contains(pair.key) {
            diagnostics.append(
              PolicyDiagnostic(
                .unknownAttribute(pair.key, deviceClass: deviceClass.name, suggestion: Suggestion.closest(to: pair.key, in: names), valid: names),
                at: pair.keyLocation, length: pair.key.count))
            continue
          }
          if !DeviceAttributes.isRawPath(pair.key) && DeviceAttributes.writablePath(of: pair.key, for: deviceClass) == nil {
            diagnostics.append(
              PolicyDiagnostic(.setAttributeNotWritable(pair.key, deviceClass: deviceClass.name), at: pair.keyLocation, length: pair.key.count))
            continue
          }
          assignments.append(Assignment(attribute: pair.key, value: value))
        }
      default:
        guard DeviceAttributes.isRawPath(entry.key) || names.contains(entry.key) || !deviceClass.isKnown else {
          let suggestion = Suggestion.closest(to: entry.key, in: names + Self.ruleKeywords)
          diagnostics.append(
            PolicyDiagnostic(
              .unknownAttribute(entry.key, deviceClass: deviceClass.name, suggestion: suggestion, valid: names + Self.ruleKeywords),
              at: entry.keyLocation, length: entry.key.count))
          continue
        }
        if let matcher = matcher(entry.value, attribute: entry.key, deviceClass: deviceClass) {
          conditions.append(Condition(attribute: entry.key, matcher: matcher, location: entry.keyLocation))
        }
      }
    }
    if let setNode = setLocation, (ruleAction ?? inheritedAction) != .rewrite {
      // Without its own or its class's action, defaults.action decides: checked at the end.
      if ruleAction == nil && inheritedAction == nil {
        pendingSets.append(setNode)
      } else {
        report(.setWithoutRewrite, at: setNode)
      }
    }
    if conditions.isEmpty && entries.allSatisfy({ Self.ruleKeywords.contains($0.key) }) {
      report(.emptyRule, at: node)
      return nil
    }
    return DeviceRule(conditions: conditions, action: ruleAction, set: assignments, why: why, reference: reference)
  }

  private mutating func matcher(_ node: PolicyNode, attribute: String, deviceClass: DeviceClass) -> ValueMatcher? {
    let hexIDs = deviceClass == .hostdev && (attribute == "vendor" || attribute == "product")
    var alternatives: [ValueMatcher.Alternative] = []
    let items: [PolicyNode]
    switch node.kind {
    case .sequence(let list) where list.isEmpty:
      // An empty list would drop the condition and let the rule match every device.
      report(.emptyList(field: attribute), at: node)
      return nil
    case .sequence(let list): items = list
    case .scalar: items = [node]
    case .mapping:
      report(.wrongType(field: attribute, expected: "a value or a list of values", found: "a mapping"), at: node)
      return nil
    }
    for item in items {
      guard case .scalar(var text, let style) = item.kind else {
        report(.wrongType(field: attribute, expected: "a value", found: item.kindDescription), at: item)
        continue
      }
      if item.isNull {
        alternatives.append(.absent)
        continue
      }
      if style == .plain {
        if text == "true" { text = "yes" }
        if text == "false" { text = "no" }
      }
      if hexIDs {
        text = text.lowercased()
        if text.hasPrefix("0x") { text.removeFirst(2) }
      }
      if Glob.isPattern(text) || text.contains("\\") {
        do {
          alternatives.append(.glob(try Glob(text)))
        } catch {
          report(.invalidGlob(text, reason: error.reason), at: item)
        }
      } else {
        alternatives.append(.exact(text))
      }
    }
    return alternatives.isEmpty ? nil : ValueMatcher(alternatives)
  }

  private mutating func seclabel(_ node: PolicyNode, path: String) -> SeclabelPolicy? {
    guard let entries = mapping(node, context: "'seclabel'") else { return nil }
    checkKeys(entries, allowed: ["models", "type", "relabel", "unique", "action"], context: "'seclabel'")
    var models = ["selinux", "apparmor"]
    var type: String? = "dynamic"
    var relabel = true
    var unique = true
    var sectionAction: Action?
    for entry in entries {
      switch entry.key {
      case "models":
        let items: [PolicyNode]
        if case .sequence(let list) = entry.value.kind { items = list } else { items = [entry.value] }
        models = items.compactMap { item in
          guard let model = string(item, field: "seclabel.models") else { return nil }
          if model == "dac" {
            report(.invalidValue(field: "sVirt model (dac alone is not sVirt: every VM runs as the same uid)", value: model, valid: ["selinux", "apparmor"]), at: item)
            return nil
          }
          guard ["selinux", "apparmor"].contains(model) else {
            report(.invalidValue(field: "sVirt model", value: model, valid: ["selinux", "apparmor"]), at: item)
            return nil
          }
          return model
        }
      case "type":
        if let value = choice(entry.value, field: "seclabel.type", among: ["dynamic", "static", "any"]) {
          type = value == "any" ? nil : value
        }
      case "relabel": relabel = bool(entry.value, field: "seclabel.relabel") ?? relabel
      case "unique": unique = bool(entry.value, field: "seclabel.unique") ?? unique
      case "action": sectionAction = action(entry.value)
      default: break
      }
    }
    return SeclabelPolicy(
      models: models, type: type, relabel: relabel, unique: unique, action: sectionAction,
      reference: RuleReference(path: path, location: node.location))
  }

  private mutating func passthrough(_ node: PolicyNode, path: String) -> PassthroughPolicy? {
    guard let entries = mapping(node, context: "'qemu'") else { return nil }
    checkKeys(entries, allowed: ["passthrough", "action"], context: "'qemu'")
    var allowed = false
    var sectionAction: Action?
    for entry in entries {
      switch entry.key {
      case "passthrough": allowed = choice(entry.value, field: "qemu.passthrough", among: ["allow", "deny"]) == "allow"
      case "action": sectionAction = action(entry.value)
      default: break
      }
    }
    return PassthroughPolicy(allowed: allowed, action: sectionAction, reference: RuleReference(path: path + ".passthrough", location: node.location))
  }

  private mutating func boot(_ node: PolicyNode, path: String) -> BootPolicy? {
    guard let entries = mapping(node, context: "'boot'") else { return nil }
    checkKeys(entries, allowed: Self.bootKeys + ["action"], context: "'boot'")
    var accepted: [Condition] = []
    var sectionAction: Action?
    for entry in entries {
      if entry.key == "action" {
        sectionAction = action(entry.value)
      } else if Self.bootKeys.contains(entry.key),
        let matcher = matcher(entry.value, attribute: entry.key, deviceClass: DeviceClass(elementName: "os"))
      {
        accepted.append(Condition(attribute: entry.key, matcher: matcher, location: entry.keyLocation))
      }
    }
    return BootPolicy(accepted: accepted, action: sectionAction, reference: RuleReference(path: path, location: node.location))
  }

  private mutating func override(from node: PolicyNode, position: Int) -> Override? {
    guard let entries = mapping(node, context: "an override") else { return nil }
    checkKeys(entries, allowed: ["name", "match"] + Self.rulesetKeys, context: "an override")
    let name = entries.first { $0.key == "name" }.flatMap { string($0.value, field: "name") } ?? "\(position)"
    var selector = DomainSelector(names: [], uuids: [], tags: [])
    if let match = entries.first(where: { $0.key == "match" }) {
      selector = self.selector(match.value) ?? selector
      // Criteria that were given but invalid have been reported already.
      // Unknown or invalid criteria have been reported already; only an empty 'match' is reported here.
      if case .mapping(let criteria) = match.value.kind, criteria.isEmpty { report(.emptyMatch, at: match.value) }
      if match.value.isNull { report(.emptyMatch, at: match.value) }
    } else {
      diagnostics.append(PolicyDiagnostic(.emptyMatch, at: node.location))
    }
    let ruleset = self.ruleset(from: entries, path: "overrides[\(name)].", inheritedDefault: baseDefaultAction)
    return Override(name: name, selector: selector, ruleset: ruleset, location: node.location)
  }

  private mutating func selector(_ node: PolicyNode) -> DomainSelector? {
    guard let entries = mapping(node, context: "'match'") else { return nil }
    checkKeys(entries, allowed: ["name", "uuid", "tag"], context: "'match'")
    var names: [Glob] = []
    var uuids: [String] = []
    var tags: [String] = []
    for entry in entries {
      for item in list(entry.value) {
        guard let text = string(item, field: "match.\(entry.key)") else { continue }
        switch entry.key {
        case "name":
          do { names.append(try Glob(text)) } catch { report(.invalidGlob(text, reason: error.reason), at: item) }
        case "uuid":
          if Self.isUUID(text) { uuids.append(text.lowercased()) } else { report(.invalidUUID(text), at: item) }
        case "tag": tags.append(text)
        default: break
        }
      }
    }
    return DomainSelector(names: names, uuids: uuids, tags: tags)
  }

  // MARK: Waivers

  static let waiverKeys = ["name", "match", "findings", "reason", "owner", "expires"]
  static let findingKeys = ["check", "class", "rule", "id"]

  /// One entry of `waivers`; `nil` (with the errors reported) when it cannot be used.
  private mutating func waiver(from node: PolicyNode, position: Int) -> Waiver? {
    guard let entries = mapping(node, context: "a waiver") else { return nil }
    checkKeys(entries, allowed: Self.waiverKeys, context: "a waiver")
    func value(_ key: String) -> PolicyNode.Entry? { entries.first { $0.key == key } }
    let name = value("name").flatMap { string($0.value, field: "name") }
    // Any error fails the whole policy; what is returned after one is never used.
    var domains = DomainSelector()
    if let match = value("match") {
      if match.value.isNull {
        report(.emptyMatch, at: match.value)
      } else if let selector = selector(match.value) {
        if case .mapping(let criteria) = match.value.kind, criteria.isEmpty { report(.emptyMatch, at: match.value) }
        domains = selector
      }
    }
    var findings = FindingSelector()
    if let entry = value("findings") {
      if entry.value.isNull {
        report(.emptyWaiver, at: entry.value)
      } else if let selector = findingSelector(entry.value) {
        // Criteria that were given but invalid have been reported already.
        if case .mapping(let criteria) = entry.value.kind, criteria.isEmpty { report(.emptyWaiver, at: entry.value) }
        findings = selector
      }
    } else {
      diagnostics.append(PolicyDiagnostic(.emptyWaiver, at: node.location))
    }
    var texts: [String: String] = [:]
    for field in ["reason", "owner"] {
      if let entry = value(field) {
        // Nothing, `~` or blank text says no more than leaving the key out.
        if entry.value.isNull || entry.value.scalar?.allSatisfy(\.isWhitespace) == true {
          report(.waiverMissingField(field), at: entry.value)
        } else {
          texts[field] = string(entry.value, field: field)
        }
      } else {
        diagnostics.append(PolicyDiagnostic(.waiverMissingField(field), at: node.location))
      }
    }
    var expires: PolicyDate?
    if let entry = value("expires") {
      if let text = string(entry.value, field: "expires") {
        expires = PolicyDate(text)
        if expires == nil { report(.invalidDate(text), at: entry.value) }
      }
    } else {
      diagnostics.append(PolicyDiagnostic(.waiverMissingField("expires"), at: node.location))
    }
    guard !findings.isEmpty, let expires, let reason = texts["reason"], let owner = texts["owner"] else { return nil }
    return Waiver(
      name: name, reference: RuleReference(path: "waivers[\(name ?? String(position))]", location: node.location), domains: domains,
      findings: findings, reason: reason, owner: owner, expires: expires)
  }

  /// A waiver's `findings`: which checks, device classes, rules and finding IDs it covers.
  private mutating func findingSelector(_ node: PolicyNode) -> FindingSelector? {
    guard let entries = mapping(node, context: "'findings'") else { return nil }
    checkKeys(entries, allowed: Self.findingKeys, context: "'findings'")
    var checks: [String] = []
    var classes: [String] = []
    var rules: [String] = []
    var ids: [String] = []
    let knownClasses = DeviceClass.known.map(\.name)
    for entry in entries where Self.findingKeys.contains(entry.key) {
      if case .sequence(let items) = entry.value.kind, items.isEmpty {
        // An empty list would drop the criterion and widen the waiver.
        report(.emptyList(field: entry.key), at: entry.value)
        continue
      }
      for item in list(entry.value) {
        guard let text = string(item, field: "findings.\(entry.key)") else { continue }
        switch entry.key {
        case "check":
          if FindingSelector.knownChecks.contains(text) {
            checks.append(text)
          } else {
            report(.unknownCheck(text, suggestion: Suggestion.closest(to: text, in: FindingSelector.knownChecks)), at: item)
          }
        case "class":
          if knownClasses.contains(text) {
            classes.append(text)
          } else {
            report(.unknownWaiverClass(text, suggestion: Suggestion.closest(to: text, in: knownClasses)), at: item)
          }
        case "rule": rules.append(text)
        case "id":
          if Self.isFindingID(text) { ids.append("KP-" + text.dropFirst(3).lowercased()) } else { report(.invalidFindingID(text), at: item) }
        default: break
        }
      }
    }
    return FindingSelector(checks: checks, deviceClasses: classes, rules: rules, ids: ids)
  }

  /// `KP-` and 12 hex digits (either case: reports print lower case).
  static func isFindingID(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    return bytes.count == 15 && bytes[0] == UInt8(ascii: "K") && bytes[1] == UInt8(ascii: "P") && bytes[2] == UInt8(ascii: "-")
      && bytes[3...].allSatisfy { Character(Unicode.Scalar($0)).isHexDigit }
  }

  /// Warns about waivers whose rule path no finding of `policy` can have: they can never apply.
  private mutating func warnAboutUnreachableRules(of policy: Policy) {
    guard policy.waivers.contains(where: { !$0.findings.rules.isEmpty }) else { return }
    let paths = Self.rulePaths(of: policy)
    for waiver in policy.waivers {
      for rule in waiver.findings.rules where !paths.contains(where: { FindingSelector.rulePath(rule, covers: $0) }) {
        diagnostics.append(
          PolicyDiagnostic(
            .waiverRuleUnknown(rule, waiver: waiver.label), at: waiver.reference.location ?? SourceLocation(file: file, line: 0, column: 0),
            severity: .warning))
      }
    }
  }

  /// Every rule path a finding judged by `policy` can name (built-in notes left off): the
  /// sections, each class (its built-in path check among them) and each allow and deny rule, at
  /// the top and under each override.
  static func rulePaths(of policy: Policy) -> [String] {
    var paths: [String] = []
    let scopes = [("", policy.base)] + policy.overrides.map { ("overrides[\($0.name)].", $0.ruleset) }
    for (prefix, ruleset) in scopes {
      paths += ["defaults.devices", "qemu.passthrough", "seclabel", "boot"].map { prefix + $0 }
      paths += bootKeys.map { prefix + "boot." + $0 }
      let classes = Set(DeviceClass.known.map(\.name)).union(ruleset.classes.keys)
      for name in classes.sorted() {
        paths.append(prefix + "devices." + name)
        guard let policy = ruleset.classes[name] else { continue }
        paths += (policy.allow + policy.deny).map(\.reference.path)
      }
    }
    return paths
  }

  static func isUUID(_ text: String) -> Bool {
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
  }

  // MARK: Values

  private mutating func mapping(_ node: PolicyNode, context: String) -> [PolicyNode.Entry]? {
    if case .mapping(let entries) = node.kind { return entries }
    report(.notAMapping(context: context), at: node)
    return nil
  }

  private func list(_ node: PolicyNode) -> [PolicyNode] {
    if case .sequence(let items) = node.kind { return items }
    return [node]
  }

  private mutating func checkKeys(_ entries: [PolicyNode.Entry], allowed: [String], context: String) {
    for entry in entries where !allowed.contains(entry.key) {
      let suggestion = Suggestion.closest(to: entry.key, in: allowed)
      diagnostics.append(
        PolicyDiagnostic(
          .unknownKey(entry.key, context: context, suggestion: suggestion, valid: allowed), at: entry.keyLocation,
          length: entry.key.count))
    }
  }

  private mutating func string(_ node: PolicyNode, field: String) -> String? {
    guard case .scalar(let text, _) = node.kind, !node.isNull else {
      report(.wrongType(field: field, expected: "a value", found: node.kindDescription), at: node)
      return nil
    }
    return text
  }

  private mutating func choice(_ node: PolicyNode, field: String, among valid: [String]) -> String? {
    guard let text = string(node, field: field) else { return nil }
    guard valid.contains(text) else {
      report(.invalidValue(field: field, value: text, valid: valid), at: node)
      return nil
    }
    return text
  }

  private mutating func bool(_ node: PolicyNode, field: String) -> Bool? {
    guard let text = string(node, field: field) else { return nil }
    switch text {
    case "yes", "true", "on": return true
    case "no", "false", "off": return false
    default:
      report(.wrongType(field: field, expected: "yes or no", found: "'\(text)'"), at: node)
      return nil
    }
  }

  private mutating func action(_ node: PolicyNode) -> Action? {
    guard let text = choice(node, field: "action", among: Action.allCases.reversed().map(\.rawValue)) else { return nil }
    return Action(rawValue: text)
  }

  private mutating func report(_ message: PolicyMessage, at node: PolicyNode) {
    diagnostics.append(PolicyDiagnostic(message, at: node.location, length: node.length))
  }
}
