/// What kvmpolicy says about a policy's waivers on a given day, as warnings at each waiver:
/// which have expired, which expire soon, and which waive nothing of the domains checked.
///
/// Pure: the day and the waivers that were used are handed in (`policy check` judges the
/// domains it is given, then asks).
public enum WaiverAudit {
  /// A warning for every waiver that expired before `today` (`waiver-expired`).
  public static func expired(_ policy: Policy, today: PolicyDate) -> [PolicyDiagnostic] {
    policy.waivers.filter { $0.isExpired(on: today) }.map { waiver in
      warning(.waiverExpired(waiver.label, on: waiver.expires), at: waiver, policy)
    }
  }

  /// A warning for every waiver still in force that expires within `days` days of `today`
  /// (`waiver-expiring`): on `today` itself for 0.
  public static func expiring(_ policy: Policy, today: PolicyDate, within days: Int) -> [PolicyDiagnostic] {
    policy.waivers.compactMap { waiver in
      let left = waiver.expires.daysSinceEpoch - today.daysSinceEpoch
      guard left >= 0, left <= days else { return nil }
      return warning(.waiverExpiring(waiver.label, on: waiver.expires, inDays: left), at: waiver, policy)
    }
  }

  /// A warning for every waiver whose reference path is not in `used` (the waivers that covered
  /// a finding of the `domains` domains checked, in force or expired): `waiver-unused`.
  public static func unused(_ policy: Policy, used: Set<String>, domains: Int) -> [PolicyDiagnostic] {
    policy.waivers.filter { !used.contains($0.reference.path) }.map { waiver in
      warning(.waiverUnused(waiver.label, domains: domains), at: waiver, policy)
    }
  }

  private static func warning(_ message: PolicyMessage, at waiver: Waiver, _ policy: Policy) -> PolicyDiagnostic {
    PolicyDiagnostic(message, at: waiver.reference.location ?? SourceLocation(file: policy.file, line: 0, column: 0), severity: .warning)
  }
}
