/// A recorded exception to the policy: findings it would report that an owner has accepted, for
/// a reason, until a day.
///
/// A waived finding is no violation: the hook does not refuse for it, enforcement leaves it
/// alone, and `check` does not exit 1 for it, yet every report shows it with the waiver. From
/// the day after ``expires`` (UTC) the waiver no longer applies and the finding counts again.
public struct Waiver: Hashable, Sendable {
  /// The waiver's `name`, if it has one.
  public let name: String?
  /// `waivers[<name>]`, or `waivers[<position>]` for an unnamed one, and where it is written.
  public let reference: RuleReference
  /// Which domains it covers, matched as overrides match them; every domain when it gives none.
  public let domains: DomainSelector
  /// Which of those domains' findings it covers.
  public let findings: FindingSelector
  /// Why the exception is accepted.
  public let reason: String
  /// Who answers for it.
  public let owner: String
  /// The last day it applies (through the end of that day, UTC).
  public let expires: PolicyDate

  /// Creates a waiver.
  public init(
    name: String?, reference: RuleReference, domains: DomainSelector, findings: FindingSelector, reason: String, owner: String,
    expires: PolicyDate
  ) {
    self.name = name
    self.reference = reference
    self.domains = domains
    self.findings = findings
    self.reason = reason
    self.owner = owner
    self.expires = expires
  }

  /// Whether the waiver no longer applies on `today`: it expired at the end of ``expires``.
  public func isExpired(on today: PolicyDate) -> Bool { today > expires }

  /// How messages name it: `'legacy-ide'`, or `waivers[2]` when it has no name.
  public var label: String { name.map { "'\($0)'" } ?? reference.path }
}
