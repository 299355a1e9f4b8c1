import Foundation
import Policy
import TestSupport
import Testing

/// Waivers as an operator meets them: `check`'s exit code and output, `policy check`'s
/// warnings, and the errors of a bad waiver. Days are far in the past or the future, or counted
/// from today, so that no run depends on the day it runs.
@Suite struct WaiverCommandTests {
  /// A scratch directory with `policy.yaml` (its waivers appended to a policy denying sound and
  /// hubs) and one domain XML file per `(name, devices)`.
  static func withFiles(
    waivers: String, domains: [(String, String)], _ body: (URL) throws -> Void
  ) throws {
    let directory = try TemporaryDirectory.make("waivers")
    defer { try? FileManager.default.removeItem(at: directory) }
    let policy = """
      version: 1
      defaults: {devices: allow}
      devices:
        sound: deny
        hub: deny
      waivers:
      \(waivers)
      """
    try policy.write(to: directory.appendingPathComponent("policy.yaml"), atomically: false, encoding: .utf8)
    let xml = directory.appendingPathComponent("xml")
    try FileManager.default.createDirectory(at: xml, withIntermediateDirectories: true)
    for (name, devices) in domains {
      try "<domain type='kvm'><name>\(name)</name><devices>\(devices)</devices></domain>"
        .write(to: xml.appendingPathComponent("\(name).xml"), atomically: false, encoding: .utf8)
    }
    try body(directory)
  }

  static func waiver(_ name: String, findings: String, match: String, expires: String) -> String {
    """
      - name: \(name)
        match: \(match)
        findings: \(findings)
        reason: accepted for \(name)
        owner: ops@example.com
        expires: \(expires)
    """
  }

  static let labAudio = waiver("lab-audio", findings: "{class: sound}", match: "{name: \"lab-*\"}", expires: "2999-12-31")
  static let oldHubs = waiver("old-hubs", findings: "{class: hub}", match: "{name: \"lab-*\"}", expires: "2000-01-31")

  @Test func aFleetWhoseOnlyViolationsAreWaivedIsCompliantAndExitsZero() throws {
    try Self.withFiles(waivers: Self.labAudio, domains: [("lab-01", "<sound model='ich9'/>")]) { directory in
      let result = try KVMPolicyProcess.run(["check", "--policy", directory.path + "/policy.yaml", "--xml", directory.path + "/xml"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      #expect(result.stderr == "")
      #expect(result.stdout.contains("  lab-01: compliant, 1 waived\n"))
      #expect(result.stdout.contains("    waived [refuse] sound ich9 is not allowed: 'sound' devices are denied\n"))
      #expect(result.stdout.contains("until 2999-12-31, owner ops@example.com: accepted for lab-audio\n"))
      #expect(result.stdout.hasSuffix("1 domain checked: 1 compliant, 0 with violations; 0 errors, 0 warnings, 1 waived\n"))
      let json = try KVMPolicyProcess.run(["check", "--policy", directory.path + "/policy.yaml", "--xml", directory.path + "/xml", "--format", "json"])
      #expect(json.status == 0)
      #expect(json.stdout.contains("\"waived\": 1"))
    }
  }

  @Test func anUnwaivedOrExpiredViolationExitsOneAndTheExpiryIsSaid() throws {
    let domains = [("lab-01", "<sound model='ich9'/><hub type='usb'/>"), ("web-01", "<sound model='ich9'/>")]
    try Self.withFiles(waivers: Self.labAudio + "\n" + Self.oldHubs, domains: domains) { directory in
      let policy = directory.path + "/policy.yaml"
      let result = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", directory.path + "/xml"])
      #expect(result.status == 1)
      #expect(result.stdout.contains("  lab-01: 1 violation, 1 waived\n"))
      #expect(result.stdout.contains("  web-01: 1 violation\n"))
      #expect(result.stdout.contains("      waiver waivers[old-hubs] (\(policy):13:5) expired on 2000-01-31 and no longer applies; owner ops@example.com: accepted for old-hubs\n"))
      #expect(result.stderr == """
        \(policy):13:5: warning: waiver 'old-hubs' expired on 2000-01-31: it no longer applies, so the findings it covered count again; renew it or remove it
          - name: old-hubs
            ^

        """)
      // JUnit fails the same domains.
      let junit = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", directory.path + "/xml", "--format", "junit"])
      #expect(junit.status == 1)
      #expect(junit.stdout.contains("tests=\"2\" failures=\"2\""))
    }
  }

  @Test(.requiresExecutable("/usr/bin/python3")) func sarifMarksAWaivedFindingAsAnAcceptedSuppressionAndValidates() throws {
    let domains = [("lab-01", "<sound model='ich9'/><hub type='usb'/>")]
    try Self.withFiles(waivers: Self.labAudio + "\n" + Self.oldHubs, domains: domains) { directory in
      let result = try KVMPolicyProcess.run([
        "check", "--policy", directory.path + "/policy.yaml", "--xml", directory.path + "/xml", "--format", "sarif",
      ])
      #expect(result.status == 1)
      #expect(try CheckSARIFTests.validate(result.stdout) == "")
      let results = try CheckSARIFTests.results(result.stdout)
      #expect(results.map { $0["level"] as? String } == ["error", "error"])
      let suppressions = try #require(results[0]["suppressions"] as? [[String: Any]])
      #expect(suppressions.first?["kind"] as? String == "external" && suppressions.first?["status"] as? String == "accepted")
      #expect(suppressions.first?["justification"] as? String == "accepted for lab-audio (owner ops@example.com, until 2999-12-31, waivers[lab-audio])")
      // The hub's waiver expired: no suppression, but the waiver is named.
      #expect(results[1]["suppressions"] == nil)
      let properties = try #require(results[1]["properties"] as? [String: Any])
      #expect(properties["waiver"] as? String == "waivers[old-hubs]" && properties["waiverExpired"] as? Bool == true)
    }
  }

  @Test func aBadWaiverIsAPolicyErrorWithItsPositionAndExitsTwo() throws {
    let bad = """
        - name: lab-audio
          findings: {class: sound, check: device-denid}
          reason: r
          owner: o
          expires: 2025-02-30
      """
    try Self.withFiles(waivers: bad, domains: [("lab-01", "<sound model='ich9'/>")]) { directory in
      let policy = directory.path + "/policy.yaml"
      for arguments in [["check", "--policy", policy, "--xml", directory.path + "/xml"], ["policy", "check", policy], ["policy", "compile", policy]] {
        let result = try KVMPolicyProcess.run(arguments)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.stdout == "")
        #expect(result.stderr == """
          \(policy):8:37: error: unknown check 'device-denid'; did you mean 'device-denied'?
              findings: {class: sound, check: device-denid}
                                              ^~~~~~~~~~~~
          \(policy):11:14: error: '2025-02-30' is not a date; write the day as YYYY-MM-DD, e.g. 2025-09-30
              expires: 2025-02-30
                       ^~~~~~~~~~

          """, "\(arguments)")
      }
    }
  }

  @Test func policyCheckListsTheWaiversAndWarnsAboutExpiredAndExpiringOnes() throws {
    let soon = PolicyDate.today().adding(days: 3)
    let expiring = Self.waiver("soon", findings: "{check: class-denied}", match: "{tag: lab}", expires: soon.description)
    try Self.withFiles(waivers: [Self.labAudio, Self.oldHubs, expiring].joined(separator: "\n"), domains: []) { directory in
      let policy = directory.path + "/policy.yaml"
      let result = try KVMPolicyProcess.run(["policy", "check", policy])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("""

        waiver waivers[lab-audio] (\(policy):7:5): until 2999-12-31 (end of day UTC), owner ops@example.com
          domains: with name lab-*
          findings: with class sound
          reason: accepted for lab-audio

        """))
      #expect(result.stdout.contains("  domains: with tag lab\n  findings: with check class-denied\n"))
      let warnings = result.stderr.split(separator: "\n").filter { $0.contains(": warning: ") }
      #expect(warnings == [
        "\(policy):13:5: warning: waiver 'old-hubs' expired on 2000-01-31: it no longer applies, so the findings it covered count again; renew it or remove it",
        "\(policy):19:5: warning: waiver 'soon' expires on \(soon) (end of day UTC), in 3 days",
      ])
      // A shorter horizon leaves the expiring one out; a negative one is refused.
      let narrow = try KVMPolicyProcess.run(["policy", "check", policy, "--expiring-within", "2"])
      #expect(narrow.status == 0)
      #expect(!narrow.stderr.contains("'soon'"))
      let negative = try KVMPolicyProcess.run(["policy", "check", policy, "--expiring-within=-1"])
      #expect(negative.status == 2)
      #expect(negative.stderr.contains("--expiring-within must be 0 or more days."))
    }
  }

  @Test func policyCheckWithDomainsWarnsAboutWaiversThatWaiveNothing() throws {
    let unused = Self.waiver("db-hubs", findings: "{class: hub}", match: "{name: \"db-*\"}", expires: "2999-12-31")
    let domains = [("lab-01", "<sound model='ich9'/>"), ("web-01", "<hub type='usb'/>")]
    try Self.withFiles(waivers: Self.labAudio + "\n" + unused, domains: domains) { directory in
      let policy = directory.path + "/policy.yaml"
      let result = try KVMPolicyProcess.run(["policy", "check", policy, "--xml", directory.path + "/xml"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stderr.split(separator: "\n").filter { $0.contains(": warning: ") } == [
        "\(policy):13:5: warning: waiver 'db-hubs' waives no finding of the 2 domains checked"
      ])
      let unreadable = try KVMPolicyProcess.run(["policy", "check", policy, "--xml", directory.path + "/missing.xml"])
      #expect(unreadable.status == 2)
    }
  }

  @Test func aRulePathNoFindingCanHaveIsWarnedAboutWherePoliciesAreRead() throws {
    let typo = Self.waiver("typo", findings: "{rule: devices.sund}", match: "{name: \"lab-*\"}", expires: "2999-12-31")
    try Self.withFiles(waivers: typo, domains: [("lab-01", "<sound model='ich9'/>")]) { directory in
      let policy = directory.path + "/policy.yaml"
      let result = try KVMPolicyProcess.run(["policy", "check", policy])
      #expect(result.status == 0)
      #expect(result.stderr.hasPrefix("\(policy):7:5: warning: waiver 'typo' can never apply: no finding of this policy has the rule 'devices.sund'"))
      let check = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", directory.path + "/xml"])
      #expect(check.status == 1)
      #expect(check.stderr.contains("warning: waiver 'typo' can never apply"))
    }
  }
}
