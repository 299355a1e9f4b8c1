import DomainModel
internal import Engine
public import Policy

/// Decides what enforcement does, from XML and the policy alone. Pure: no I/O.
public enum EnforcementPlanner {
  /// Options that change the plan.
  public struct Options: Sendable {
    /// Also remove detached devices from the persistent definition.
    public var detachFromDefinition: Bool
    /// Aliases of devices just hot-plugged into the running domain. The hook never approved
    /// them, so one that breaks the policy leaves the running domain whatever its rule's action
    /// (`warn` aside): a `refuse` or `rewrite` device is detached like a `detach` one.
    public var hotPlugged: Set<String>

    /// Creates options.
    public init(detachFromDefinition: Bool = false, hotPlugged: Set<String> = []) {
      self.detachFromDefinition = detachFromDefinition
      self.hotPlugged = hotPlugged
    }
  }

  /// The plan for one domain.
  ///
  /// - Parameters:
  ///   - liveXML: the live XML of a running domain, or `nil` when it is shut off.
  ///   - definitionXML: the persistent definition, or `nil` for a transient domain.
  ///   - today: the day (UTC) the policy's waivers are judged on. A finding a waiver in force
  ///     covers is left alone: listed in ``DomainPlan/waived``, never detached or rewritten.
  public static func plan(
    domain: ControlledDomain, liveXML: String?, definitionXML: String?, policy: Policy, options: Options = Options(),
    today: PolicyDate
  ) -> DomainPlan {
    var detaches: [DomainPlan.Detach] = []
    var refusals: [Finding] = []
    var warnings: [Finding] = []
    var waived: [Finding] = []
    var rewrite: DomainPlan.Rewrite?
    var detachTimeout = DetachTimeoutAction.report
    do throws(DomainXMLError) {
      if let liveXML, domain.isActive {
        let document = try DomainDocument(xml: liveXML, source: "\(domain.name) (live)")
        let model = document.domain
        detachTimeout = policy.ruleset(forName: model.name, uuid: model.uuid, tags: model.tags).0.detachTimeout ?? .report
        let evaluation = Engine.evaluate(document.domain, against: policy, today: today)
        for finding in evaluation.findings {
          guard !finding.isWaived else {
            waived.append(finding)
            continue
          }
          let hotPlugged = finding.device?.alias.map(options.hotPlugged.contains) ?? false
          switch finding.action {
          case .refuse where hotPlugged, .rewrite where hotPlugged, .detach:
            guard let device = finding.device else {
              refusals.append(finding)
              continue
            }
            detaches.append(
              DomainPlan.Detach(finding: finding, alias: device.alias, deviceXML: document.deviceXML(at: device.index) ?? ""))
          case .refuse: refusals.append(finding)
          case .warn: warnings.append(finding)
          case .rewrite: break  // judged on the definition below
          }
        }
      }
      if let definitionXML, domain.isPersistent {
        let document = try DomainDocument(xml: definitionXML, source: "\(domain.name) (definition)")
        // libxml2 writes attributes with double quotes; diff against the same spelling so the
        // diff shows only what enforcement changes.
        let normalized = document.serialized()
        let evaluation = Engine.evaluate(document.domain, against: policy, today: today)
        let seen = Set((refusals + warnings + waived).map(\.violationKey))
        var removals = Set<Int>()
        var resolved: [Finding] = []
        for finding in evaluation.findings {
          guard !finding.isWaived else {
            if !seen.contains(finding.violationKey) { waived.append(finding) }
            continue
          }
          switch finding.action {
          // A detach is for the running domain; a shut-off one has only its definition, so there
          // (or with --detach-from-definition) the device is removed from the definition.
          case .detach where !options.detachFromDefinition && domain.isActive: break
          case .rewrite, .detach:
            guard let device = finding.device else { continue }
            if finding.assignments.isEmpty || finding.action == .detach {
              removals.insert(device.index)
            } else {
              let deviceClass = DeviceClass(elementName: device.deviceClass)
              for assignment in finding.assignments {
                let path =
                  DeviceAttributes.isRawPath(assignment.attribute)
                  ? assignment.attribute : (DeviceAttributes.writablePath(of: assignment.attribute, for: deviceClass) ?? assignment.attribute)
                try document.setAttribute(path: path, to: assignment.value, onDeviceAt: device.index)
              }
            }
            resolved.append(finding)
          case .refuse where !domain.isActive || !seen.contains(finding.violationKey): refusals.append(finding)
          case .warn where !seen.contains(finding.violationKey): warnings.append(finding)
          default: break
          }
        }
        if !removals.isEmpty { try document.removeDevices(at: removals) }
        if !resolved.isEmpty {
          let rewritten = document.serialized()
          // Judge what would be defined before defining it: a `set:` that does not cure the
          // violation would be rewritten again on every run (and by watch on its own DEFINED
          // event), with a backup each time. Define nothing unchanged or still violating.
          let judged = Engine.evaluate(
            try Domain.parse(xml: rewritten, source: "\(domain.name) (enforced)"), against: policy, today: today)
          // The devices that were changed in place, at their indices once the removals are done.
          let changed = Set(
            resolved.compactMap { finding -> Int? in
              guard let index = finding.device?.index, !removals.contains(index) else { return nil }
              return index - removals.filter { $0 < index }.count
            })
          let uncured = judged.findings.filter { finding in
            guard !finding.isWaived else { return false }
            return finding.action == .rewrite || (finding.action == .detach && (options.detachFromDefinition || !domain.isActive))
              || (finding.action != .warn && finding.device.map { changed.contains($0.index) } == true)
          }
          if let first = uncured.first {
            return DomainPlan(
              name: domain.name, uuid: domain.uuid, isActive: domain.isActive, detaches: detaches, rewrite: nil, refusals: refusals,
              warnings: warnings, waived: waived,
              error: "the rewrite does not cure the definition, so nothing was defined: after it, \(first.message) [\(first.rule)];"
                + " make the rule's set: satisfy an allow rule")
          }
          guard rewritten != normalized else {
            return DomainPlan(
              name: domain.name, uuid: domain.uuid, isActive: domain.isActive, detaches: detaches, rewrite: nil, refusals: refusals,
              warnings: warnings, waived: waived, error: nil)
          }
          // The definition is read with its secrets (it is defined again); the diff, which is
          // shown and logged, is not.
          rewrite = DomainPlan.Rewrite(
            findings: resolved, original: definitionXML, rewritten: rewritten,
            diff: UnifiedDiff.make(
              redactingSecrets(normalized), redactingSecrets(rewritten), oldName: "\(domain.name) (current definition)",
              newName: "\(domain.name) (enforced)"))
        }
      }
    } catch {
      return DomainPlan(
        name: domain.name, uuid: domain.uuid, isActive: domain.isActive, detaches: [], rewrite: nil, refusals: [], warnings: [],
        error: error.description)
    }
    return DomainPlan(
      name: domain.name, uuid: domain.uuid, isActive: domain.isActive, detaches: detaches, rewrite: rewrite, refusals: refusals,
      warnings: warnings, waived: waived, error: nil, detachTimeout: detachTimeout)
  }
}

extension EnforcementPlanner {
  /// `xml` with what libvirt shows only with `VIR_DOMAIN_XML_SECURE` blanked out: the `passwd`
  /// of graphics devices (VNC, SPICE).
  static func redactingSecrets(_ xml: String) -> String {
    xml.replacing(/\b(passwd)=(["'])[^"']*\2/) { match in "\(match.output.1)=\(match.output.2)(redacted)\(match.output.2)" }
  }
}
