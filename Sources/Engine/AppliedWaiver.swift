public import Policy

/// The waiver that covers a finding, and whether it was still in force on the day judged.
///
/// A finding takes the first waiver in force that covers it; when every waiver that covers it
/// has expired, it carries the first of those, expired, so that reports say the exception is
/// over. An expired waiver changes nothing else: the finding counts as it would without one.
public struct AppliedWaiver: Hashable, Sendable {
  /// The waiver, as the policy states it.
  public let waiver: Waiver
  /// Whether the day judged was after the waiver's last day.
  public let expired: Bool

  /// Creates an applied waiver.
  public init(waiver: Waiver, expired: Bool) {
    self.waiver = waiver
    self.expired = expired
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

  /// `waived by waivers[legacy-ide] (owner alice, until 2025-09-30): reason`, or for an expired
  /// waiver `waiver waivers[legacy-ide] expired on 2025-09-30 (owner alice): reason`.
  public var summary: String {
    let reference = waiver.reference.description
    if expired {
      return "waiver \(reference) expired on \(waiver.expires) (owner \(waiver.owner)): no longer applies; it said: \(waiver.reason)"
    }
    return "waived by \(reference) (owner \(waiver.owner), until \(waiver.expires)): \(waiver.reason)"
  }
}
