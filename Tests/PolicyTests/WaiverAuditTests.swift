import Policy
import Testing

/// Warnings about waivers on a given day: expired, expiring soon, unused.
@Suite struct WaiverAuditTests {
  static let text = """
    version: 1
    waivers:
      - name: old
        findings: {class: sound}
        reason: r
        owner: o
        expires: 2025-06-30
      - findings: {class: hub}
        reason: r
        owner: o
        expires: 2025-07-14
    """

  static func day(_ text: String) -> PolicyDate {
    PolicyDate(text) ?? .epoch
  }

  @Test func aWaiverExpiresAtTheEndOfItsDay() throws {
    let policy = try load(Self.text).policy
    #expect(!policy.waivers[0].isExpired(on: Self.day("2025-06-30")))
    #expect(policy.waivers[0].isExpired(on: Self.day("2025-07-01")))
    #expect(WaiverAudit.expired(policy, today: Self.day("2025-06-30")).isEmpty)
    let expired = WaiverAudit.expired(policy, today: Self.day("2025-07-01"))
    #expect(expired.map(\.description) == [
      "p.yaml:3:5: warning: waiver 'old' expired on 2025-06-30: it no longer applies, so the findings it covered count again; renew it or remove it"
    ])
    #expect(expired.map(\.id) == ["waiver-expired"])
  }

  @Test func expiringWithinCountsWholeDaysAndLeavesExpiredOnesOut() throws {
    let policy = try load(Self.text).policy
    let soon = WaiverAudit.expiring(policy, today: Self.day("2025-06-30"), within: 14)
    #expect(soon.map(\.description) == [
      "p.yaml:3:5: warning: waiver 'old' expires on 2025-06-30 (end of day UTC), today",
      "p.yaml:8:5: warning: waiver waivers[1] expires on 2025-07-14 (end of day UTC), in 14 days",
    ])
    #expect(WaiverAudit.expiring(policy, today: Self.day("2025-06-30"), within: 13).map(\.location.line) == [3])
    #expect(WaiverAudit.expiring(policy, today: Self.day("2025-07-13"), within: 1).map(\.message) == [
      "waiver waivers[1] expires on 2025-07-14 (end of day UTC), tomorrow"
    ])
    #expect(WaiverAudit.expiring(policy, today: Self.day("2025-07-15"), within: 100).isEmpty)
    #expect(soon.allSatisfy { $0.id == "waiver-expiring" && $0.severity == .warning })
  }

  @Test func unusedNamesEveryWaiverThatCoveredNothing() throws {
    let policy = try load(Self.text).policy
    #expect(WaiverAudit.unused(policy, used: ["waivers[old]"], domains: 7).map(\.description) == [
      "p.yaml:8:5: warning: waiver waivers[1] waives no finding of the 7 domains checked"
    ])
    #expect(WaiverAudit.unused(policy, used: ["waivers[old]", "waivers[1]"], domains: 1).isEmpty)
    #expect(WaiverAudit.unused(policy, used: [], domains: 1).map(\.message).last == "waiver waivers[1] waives no finding of the 1 domain checked")
  }
}
