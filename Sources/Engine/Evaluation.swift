public import Policy

/// Everything the engine concluded about one domain: its findings and, for `--explain`, the
/// decision behind every device.
public struct Evaluation: Sendable {
  /// One device's verdict.
  public struct Decision: Hashable, Sendable {
    /// The device.
    public let device: DeviceReference
    /// Whether it is allowed.
    public let allowed: Bool
    /// The rule or default that decided.
    public let rule: RuleReference
  }

  /// The domain's name.
  public let domain: String
  /// The domain's UUID.
  public let domainUUID: String?
  /// The override in force, if any.
  public let override: String?
  /// Findings in deterministic order: seclabel, passthrough, then devices in document order.
  public internal(set) var findings: [Finding]
  /// One decision per device, in document order.
  public let decisions: [Decision]

  /// This evaluation keeping only the findings `isIncluded` accepts.
  public func filteringFindings(_ isIncluded: (Finding) -> Bool) -> Evaluation {
    var copy = self
    copy.findings = findings.filter(isIncluded)
    return copy
  }

  /// Whether any finding is an error (not just a warning).
  public var hasViolations: Bool { findings.contains { $0.severity == .error } }
}
