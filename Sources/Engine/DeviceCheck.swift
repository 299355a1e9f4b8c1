import DomainModel
import Policy

/// Judges one device against its class's allow and deny rules.
enum DeviceCheck {
  struct Verdict {
    /// `nil` unless the caller records decisions.
    let decision: Evaluation.Decision?
    let finding: Finding?
  }

  static func judge(_ device: Device, _ context: Engine.Context, decision recording: Bool = true) -> Verdict {
    // Rules ask for the same few attributes again and again: read each one once.
    var read: [(name: String, values: [String])] = []
    func values(_ name: String) -> [String] {
      if let known = read.first(where: { $0.name == name }) { return known.values }
      // Paths are matched where they lead, not as written (`images/../../etc/shadow`).
      var values = DeviceAttributes.isRawPath(name) ? device.values(at: name) : device.attribute(name)
      if values.contains(where: LexicalPath.needsNormalizing) { values = values.map(LexicalPath.normalized) }
      read.append((name, values))
      return values
    }
    // Described only when a finding or a decision needs it.
    var described: DeviceReference?
    func reference() -> DeviceReference {
      if let described { return described }
      let reference = DeviceReference(device, kind: device.kind(reading: values))
      described = reference
      return reference
    }
    func verdict(allowed: Bool, rule: RuleReference, finding: Finding?) -> Verdict {
      Verdict(decision: recording ? .init(device: reference(), allowed: allowed, rule: rule) : nil, finding: finding)
    }
    let className = device.deviceClass.name
    guard let classPolicy = context.ruleset.classes[className] else {
      let allowed = context.ruleset.unlistedClassesAllowed ?? false
      let rule =
        context.ruleset.unlistedReference
        ?? RuleReference(path: context.prefix + "defaults.devices (built-in: deny)", location: nil)
      guard !allowed else { return verdict(allowed: true, rule: rule, finding: nil) }
      let finding = context.finding(
        .classDenied, subject: .device(reference()),
        message: "\(reference()) is not allowed: the policy does not list '\(className)' devices and denies unlisted classes",
        rule: rule, action: context.defaultAction)
      return verdict(allowed: false, rule: rule, finding: finding)
    }
    let classAction = classPolicy.action ?? context.defaultAction
    if let rule = classPolicy.deny.first(where: { $0.matches(values) }) {
      let attribute = rule.conditions.first.map { describe($0.attribute, values($0.attribute)) }
      var message = "\(reference()) is denied by \(rule.reference.path)"
      if let why = rule.why { message += ": \(why)" }
      let finding = context.finding(
        .deviceDenied, subject: .device(reference()), message: message, attribute: attribute, rule: rule.reference,
        action: rule.action ?? classAction, assignments: rule.set)
      return verdict(allowed: false, rule: rule.reference, finding: finding)
    }
    if classPolicy.allowsAll {
      return verdict(allowed: true, rule: classPolicy.reference, finding: nil)
    }
    if let rule = classPolicy.allow.first(where: { $0.matches(values) }) {
      return verdict(allowed: true, rule: rule.reference, finding: nil)
    }
    guard !classPolicy.allow.isEmpty else {
      let finding = context.finding(
        .classDenied, subject: .device(reference()), message: "\(reference()) is not allowed: '\(className)' devices are denied",
        rule: classPolicy.reference, action: classAction)
      return verdict(allowed: false, rule: classPolicy.reference, finding: finding)
    }
    // Explain with the allow rule that came closest: the most conditions met, then the fewest
    // failing, then the first. (Fewest failing alone would call `type: [pci, ...]` as close to a
    // USB controller as `type: usb, model: [...]`, which it meets but for the model.)
    let ranked = classPolicy.allow.map { rule in
      (rule: rule, met: rule.conditions.count - failing(rule, values).count, failing: failing(rule, values).count)
    }
    let closest =
      ranked.min { lhs, rhs in lhs.met != rhs.met ? lhs.met > rhs.met : lhs.failing < rhs.failing }?.rule ?? classPolicy.allow[0]
    let failed = failing(closest, values)
    let attribute = failed.first.map { describe($0.attribute, values($0.attribute)) }
    let wants = failed.map { "\($0.attribute) \($0.matcher.alternatives.count > 1 ? "in" : "=") \($0.matcher)" }
    let message =
      "\(reference()) matches no allow rule; closest is \(closest.reference.path), which needs "
      + wants.joined(separator: " and ") + (attribute.map { " (has \($0))" } ?? "")
    let finding = context.finding(
      .deviceNotAllowed, subject: .device(reference()), message: message, attribute: attribute, rule: closest.reference,
      action: classAction)
    return verdict(allowed: false, rule: closest.reference, finding: finding)
  }

  private static func failing(_ rule: DeviceRule, _ values: (String) -> [String]) -> [Condition] {
    rule.conditions.filter { !$0.matcher.matches(values($0.attribute)) }
  }

  private static func describe(_ attribute: String, _ values: [String]) -> String {
    values.isEmpty ? "\(attribute) absent" : "\(attribute)=\(values.joined(separator: ","))"
  }
}
