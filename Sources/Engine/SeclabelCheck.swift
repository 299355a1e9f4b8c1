import DomainModel
import Policy

/// Judges a domain's sVirt labels, and labels shared between running domains.
enum SeclabelCheck {
  static func findings(_ context: Engine.Context) -> [Finding] {
    guard let policy = context.ruleset.seclabel else { return [] }
    let action = policy.action ?? context.defaultAction
    let labels = context.domain.seclabels
    var findings: [Finding] = []
    func add(_ check: Check, _ message: String, _ attribute: String?) {
      findings.append(context.finding(check, subject: .seclabel, message: message, attribute: attribute, rule: policy.reference, action: action))
    }
    for label in labels {
      let model = label.model ?? "default"
      if label.type == "none" {
        if label.model == "dac" { continue }
        add(.seclabelNone, "sVirt is switched off: <seclabel type='none'\(label.model.map { " model='\($0)'" } ?? "")>", "type=none")
        continue
      }
      if let name = label.model, name != "dac", !policy.models.contains(name) {
        add(.seclabelModel, "seclabel model '\(name)' is not sVirt confinement the policy accepts (\(policy.models.joined(separator: ", ")))", "model=\(name)")
        continue
      }
      guard label.model != "dac" else { continue }
      if let required = policy.type, let type = label.type, type != required {
        add(.seclabelType, "the \(model) label is \(type); the policy requires \(required) labels, so each VM gets its own", "type=\(type)")
      }
      if policy.relabel, label.relabel == "no" {
        add(.seclabelRelabel, "the \(model) label has relabel='no': libvirt will not label the VM's images for it", "relabel=no")
      }
    }
    // A device may turn relabelling off for its own source (`<source><seclabel relabel='no'/>`):
    // libvirt then leaves that file unlabelled for this VM, which defeats sVirt for it as a
    // domain-wide relabel='no' would.
    if policy.relabel {
      for device in context.domain.devices {
        // Compared as bytes, cheapest test first: this runs over every property of every device.
        for property in device.properties
        where property.value.utf8.count == 2 && property.path.utf8.last == UInt8(ascii: "l") && property.value == "no"
          && property.path.hasSuffix("seclabel/@relabel")
        {
          let element = String(property.path.dropLast("@relabel".count))
          let models = device.values(at: element + "@model")
          // DAC relabelling is not sVirt; an element without a model applies to every model.
          guard models.isEmpty || models.contains(where: { $0 != "dac" && (policy.models.contains($0)) }) else { continue }
          let reference = DeviceReference(device, kind: device.kind)
          findings.append(
            context.finding(
              .seclabelRelabel, subject: .device(reference),
              message: "\(reference) turns sVirt relabelling off for its \(element.dropLast()) (<seclabel relabel='no'>): libvirt will not label that file for this VM",
              attribute: "\(property.path)=no", rule: policy.reference, action: action))
          break
        }
      }
    }
    // Live XML (or the hook at start) carries the labels libvirt generated: one must be sVirt.
    if context.labelsGenerated, !labels.contains(where: { isConfining($0, policy) }),
      !labels.contains(where: { $0.type == "none" && $0.model != "dac" })
    {
      let onlyDAC = labels.contains { $0.model == "dac" }
      add(
        .seclabelUnconfined,
        onlyDAC
          ? "the running VM is not confined by sVirt: it has only a DAC label, and every VM runs as the same uid:gid"
          : "the running VM has no sVirt label (\(policy.models.joined(separator: " or ")))",
        onlyDAC ? "model=dac" : nil)
    }
    return findings
  }

  /// `(index into domains, finding)` for every running domain whose label another one shares.
  static func sharedLabels(_ domains: [Domain], policy: Policy, today: PolicyDate) -> [(Int, Finding)] {
    var holders: [String: [Int]] = [:]
    var rulesets: [Int: (Ruleset, String)] = [:]
    for (index, domain) in domains.enumerated() where domain.id != nil {
      let (ruleset, override) = policy.ruleset(forName: domain.name, uuid: domain.uuid, tags: domain.tags)
      guard let seclabel = ruleset.seclabel, seclabel.unique else { continue }
      rulesets[index] = (ruleset, override.map { "overrides[\($0.name)]." } ?? "")
      for label in domain.seclabels where isConfining(label, seclabel) {
        guard let text = label.label, !text.isEmpty else { continue }
        holders["\(label.model ?? "")\u{1F}\(text)", default: []].append(index)
      }
    }
    var results: [(Int, Finding)] = []
    for (key, indices) in holders.sorted(by: { $0.key < $1.key }) where Set(indices).count > 1 {
      let label = String(key.split(separator: "\u{1F}", omittingEmptySubsequences: false).last ?? "")
      for index in Set(indices).sorted() {
        guard let (ruleset, prefix) = rulesets[index], let seclabel = ruleset.seclabel else { continue }
        let others = Set(indices).subtracting([index]).sorted().map { domains[$0].name }
        let domain = domains[index]
        let context = Engine.Context(
          domain: domain, ruleset: ruleset, prefix: prefix, labelsGenerated: true, waiving: .make(policy, domain, today: today))
        let finding = context.finding(
          .seclabelShared, subject: .seclabel,
          message: "label \(label) is shared with \(others.joined(separator: ", ")): sVirt cannot keep these VMs apart",
          attribute: "label=\(label)", rule: seclabel.reference, action: seclabel.action ?? context.defaultAction)
        results.append((index, finding))
      }
    }
    return results
  }

  private static func isConfining(_ label: Seclabel, _ policy: SeclabelPolicy) -> Bool {
    guard label.type != "none", let model = label.model else { return false }
    return policy.models.contains(model)
  }
}
