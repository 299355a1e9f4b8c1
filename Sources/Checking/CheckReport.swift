public import Engine
public import Inventory

/// The result of checking sources against a policy: what reporters render and what decides the
/// exit code.
public struct CheckReport: Sendable {
  /// Which XML an evaluation judged.
  public enum Scope: String, Sendable {
    /// The running domain's live XML (or the only XML of a shut-off domain).
    case live
    /// The persistent definition of a running domain: what boots next.
    case definition
    /// A domain XML file.
    case file
  }

  /// One domain's evaluations.
  public struct DomainResult: Sendable {
    /// The domain's name.
    public let name: String
    /// Its UUID, if known.
    public let uuid: String?
    /// Its run state (`running`, `shut off`, ...), `nil` for files.
    public let state: String?
    /// The override in force, if any.
    public let override: String?
    /// Why the domain could not be judged, if it could not.
    public let error: String?
    /// The evaluations: live (or file) first, then the definition if it adds findings.
    public let evaluations: [(scope: Scope, evaluation: Evaluation)]

    /// Every finding of every scope.
    public var findings: [Finding] { evaluations.flatMap(\.evaluation.findings) }
    /// Whether any finding is an error.
    public var hasViolations: Bool {
      evaluations.contains { $0.evaluation.findings.contains { $0.severity == .error } }
    }
  }

  /// One source's results.
  public struct SourceResult: Sendable {
    /// The source's identity and error as read; its domains' results are in ``domains`` (the
    /// models themselves are not kept).
    public let source: InventorySource
    /// Its domains, sorted by name.
    public let domains: [DomainResult]
  }

  /// The policy file.
  public let policyFile: String
  /// The policy's description.
  public let policyDescription: String?
  /// Every source in the order given.
  public let sources: [SourceResult]

  /// Every domain of every source.
  public var domains: [DomainResult] { sources.flatMap(\.domains) }
  /// Every finding.
  public var findings: [Finding] { domains.flatMap(\.findings) }
  /// Whether a source or a domain could not be read.
  public var hasInputErrors: Bool { sources.contains { $0.source.error != nil || $0.domains.contains { $0.error != nil } } }
  /// Whether any finding is an error.
  public var hasViolations: Bool { domains.contains(where: \.hasViolations) }
}
