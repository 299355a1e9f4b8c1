public import Engine
public import Policy

/// What enforcement will do to one domain, decided before anything is changed.
public struct DomainPlan: Sendable {
  /// A device to take out of the running domain.
  public struct Detach: Sendable {
    /// The finding that asks for it.
    public let finding: Finding
    /// The device's alias (preferred), if it has one.
    public let alias: String?
    /// The device's XML, for detaching a device without an alias.
    public let deviceXML: String
  }

  /// A new persistent definition.
  public struct Rewrite: Sendable {
    /// The findings it resolves.
    public let findings: [Finding]
    /// The definition as read (what is backed up).
    public let original: String
    /// The definition to define.
    public let rewritten: String
    /// `diff -u` of the two.
    public let diff: String
  }

  /// The domain's name.
  public let name: String
  /// Its UUID.
  public let uuid: String
  /// Whether it runs.
  public let isActive: Bool
  /// Devices to detach from the running domain.
  public let detaches: [Detach]
  /// The rewritten definition, if any finding asks for one.
  public let rewrite: Rewrite?
  /// `refuse` findings: the hook blocks the next start; `--shutdown` stops a running domain.
  public let refusals: [Finding]
  /// `warn` findings: reported only.
  public let warnings: [Finding]
  /// Findings a waiver in force covers: reported, never acted on.
  public var waived: [Finding] = []
  /// Why the domain could not be planned, if it could not.
  public let error: String?
  /// What to do when a detach is not done in time (the policy's `defaults.detach-timeout`).
  public var detachTimeout: DetachTimeoutAction = .report

  /// Whether the plan changes anything.
  public var changesSomething: Bool { !detaches.isEmpty || rewrite != nil }
}
