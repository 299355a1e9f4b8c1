public import Policy

/// The waiver that covers a finding, and whether it was still in force on the day judged.
///
/// A finding takes the first waiver in force that covers it; when every waiver that covers it
/// has expired, it carries the first of those, expired, so that reports say the exception is
/// over. An expired waiver changes nothing else: the finding counts as it would without one.
public final class AppliedWaiver: Hashable, Sendable {
  /// The waiver, as the policy states it.
  public let waiver: Waiver
  /// Whether the day judged was after the waiver's last day.
  public let expired: Bool

  // A class, immutable: a finding holds one pointer, nil for almost every finding. A finding is
  // copied often (the hook filters them, reports sort them), and a waiver inline would nearly
  // double its size, waived or not.

  /// Creates an applied waiver.
  public init(waiver: Waiver, expired: Bool) {
    self.waiver = waiver
    self.expired = expired
  }

  /// The same waiver, in force or expired alike.
  public static func == (lhs: AppliedWaiver, rhs: AppliedWaiver) -> Bool {
    lhs === rhs || (lhs.expired == rhs.expired && lhs.waiver == rhs.waiver)
  }

  /// Hashes what ``==(_:_:)`` compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(waiver)
    hasher.combine(expired)
  }

  /// The first of `waivers` (those covering the finding's domain) that covers a finding with
  /// this check, device class, rule path and ID on `today`: the first in force, else the first
  /// expired one; `nil` when none covers it.
  static func first(
    among waivers: [Waiver], check: String, deviceClass: String?, rule: String, id: String, today: PolicyDate
  ) -> AppliedWaiver? {
    var expired: Waiver?
    for waiver in waivers where waiver.findings.selects(check: check, deviceClass: deviceClass, rule: rule, id: id) {
      guard waiver.isExpired(on: today) else { return AppliedWaiver(waiver: waiver, expired: false) }
      if expired == nil { expired = waiver }
    }
    return expired.map { AppliedWaiver(waiver: $0, expired: true) }
  }

  /// `waived by waivers[legacy-ide] (p.yaml:40:5) until 2025-09-30, owner alice: reason`, or
  /// for an expired waiver `waiver waivers[legacy-ide] (p.yaml:40:5) expired on 2025-09-30 and
  /// no longer applies; owner alice: reason`.
  public var summary: String {
    let reference = waiver.reference.description
    if expired {
      return "waiver \(reference) expired on \(waiver.expires) and no longer applies; owner \(waiver.owner): \(waiver.reason)"
    }
    return "waived by \(reference) until \(waiver.expires), owner \(waiver.owner): \(waiver.reason)"
  }
}
