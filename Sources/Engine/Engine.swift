public import DomainModel
public import Policy

/// The policy engine: pure functions from domains and a policy to findings. No I/O.
public enum Engine {
  /// Judges one domain: every device, its seclabels and its QEMU passthrough.
  ///
  /// - Parameters:
  ///   - labelsGenerated: whether the XML carries the labels libvirt generates at start (then a
  ///     running VM must have an sVirt label); `nil` infers it from the live XML's `id`.
  ///   - decisions: whether to record every device's decision (for `--explain`); without them
  ///     ``Evaluation/decisions`` is empty and allowed devices cost almost nothing.
  ///   - today: the day (UTC) the policy's waivers are judged on: a waiver applies through its
  ///     `expires` day. Read only when the policy has waivers.
  public static func evaluate(
    _ domain: Domain, against policy: Policy, labelsGenerated: Bool? = nil, decisions recording: Bool = true, today: PolicyDate
  ) -> Evaluation {
    let (ruleset, override) = policy.ruleset(forName: domain.name, uuid: domain.uuid, tags: domain.tags)
    let context = Context(
      domain: domain, ruleset: ruleset, prefix: override.map { "overrides[\($0.name)]." } ?? "",
      labelsGenerated: labelsGenerated ?? (domain.id != nil), waiving: .make(policy, domain, today: today))
    var findings = SeclabelCheck.findings(context)
    findings += PassthroughCheck.findings(context)
    findings += BootCheck.findings(context)
    var decisions: [Evaluation.Decision] = []
    for device in domain.devices {
      if let climbing = PathCheck.finding(device, context) { findings.append(climbing) }
      let verdict = DeviceCheck.judge(device, context, decision: recording)
      if let decision = verdict.decision { decisions.append(decision) }
      if let finding = verdict.finding { findings.append(finding) }
    }
    return Evaluation(
      domain: domain.name, domainUUID: domain.uuid, override: override?.name, findings: findings, decisions: decisions)
  }

  /// Judges several domains, adding what needs them all: no two running domains may share a
  /// label. Evaluations come back in the order of `domains`.
  public static func evaluate(_ domains: [Domain], against policy: Policy, decisions: Bool = true, today: PolicyDate) -> [Evaluation] {
    addingSharedLabels(
      to: domains.map { evaluate($0, against: policy, decisions: decisions, today: today) }, of: domains, policy: policy, today: today)
  }

  /// `evaluations` (one per domain of `domains`, in order, each from
  /// ``evaluate(_:against:labelsGenerated:decisions:today:)``) with what needs all the domains
  /// added: no two running domains may share a label. Lets a caller judge the domains
  /// themselves, on every core.
  public static func addingSharedLabels(
    to evaluations: [Evaluation], of domains: [Domain], policy: Policy, today: PolicyDate
  ) -> [Evaluation] {
    var evaluations = evaluations
    for (index, finding) in SeclabelCheck.sharedLabels(domains, policy: policy, today: today) {
      evaluations[index].findings.insert(finding, at: evaluations[index].findings.prefix { $0.subject == .seclabel }.count)
    }
    return evaluations
  }

  /// What every check needs about the domain being judged.
  struct Context {
    let domain: Domain
    let ruleset: Ruleset
    /// `overrides[name].` when an override is in force, for built-in references.
    let prefix: String
    /// Whether the XML carries libvirt's generated labels (live XML, or the hook at start).
    var labelsGenerated = false
    /// The policy's waivers that cover this domain and the day they are judged on; `nil` when
    /// none covers it, and then a finding costs nothing more.
    var waiving: Waiving?

    var defaultAction: Action { ruleset.defaultAction ?? .refuse }

    func finding(
      _ check: Check, subject: Finding.Subject, message: String, attribute: String? = nil, rule: RuleReference,
      action: Action, assignments: [Assignment] = []
    ) -> Finding {
      let subjectKey: String
      switch subject {
      case .device(let device): subjectKey = "\(device.deviceClass)/\(device.alias ?? device.address ?? "#\(device.index)")"
      case .seclabel: subjectKey = "seclabel"
      case .passthrough: subjectKey = "qemu"
      case .boot(let element): subjectKey = "boot/\(element)"
      }
      var finding = Finding(
        id: StableID.make(domain.uuid ?? domain.name, check.rawValue, subjectKey, attribute ?? ""),
        domain: domain.name, domainUUID: domain.uuid, check: check, subject: subject, message: message,
        attribute: attribute, rule: rule, action: action, assignments: assignments)
      if let waiving {
        finding.waiver = AppliedWaiver.first(
          among: waiving.waivers, check: check.rawValue, deviceClass: finding.device?.deviceClass, rule: rule.path, id: finding.id,
          today: waiving.today)
      }
      return finding
    }

    /// The waivers that cover one domain, and the day they are judged on. A class, so that the
    /// context every check reads grows by one pointer, not by the waivers.
    final class Waiving {
      let waivers: [Waiver]
      let today: PolicyDate

      private init(waivers: [Waiver], today: PolicyDate) {
        self.waivers = waivers
        self.today = today
      }

      /// `nil`, allocating nothing, when no waiver of `policy` covers `domain` (always, for a
      /// policy without any).
      static func make(_ policy: Policy, _ domain: Domain, today: PolicyDate) -> Waiving? {
        guard !policy.waivers.isEmpty else { return nil }
        let waivers = policy.waivers(forName: domain.name, uuid: domain.uuid, tags: domain.tags)
        return waivers.isEmpty ? nil : Waiving(waivers: waivers, today: today)
      }
    }
  }
}

/// Short, stable identifiers: `KP-` and 12 hex digits of a 64-bit FNV-1a hash.
enum StableID {
  static func make(_ parts: String...) -> String {
    // The parts joined by U+001F, hashed as they are read.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for index in parts.indices {
      if index > 0 { hash = (hash ^ 0x1F) &* 0x0000_0100_0000_01B3 }
      var part = parts[index]
      part.withUTF8 { bytes in
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
      }
    }
    // `KP-` and the first 12 of 16 zero-padded hex digits: the top 48 bits. 15 bytes: a small
    // string, written in place.
    return String(unsafeUninitializedCapacity: 15) { buffer in
      buffer[0] = UInt8(ascii: "K")
      buffer[1] = UInt8(ascii: "P")
      buffer[2] = UInt8(ascii: "-")
      for digit in 0..<12 {
        let nibble = UInt8(truncatingIfNeeded: hash >> UInt64(60 - 4 * digit)) & 0xF
        buffer[3 + digit] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
      }
      return 15
    }
  }
}
