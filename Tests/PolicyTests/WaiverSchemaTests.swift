import Policy
import Testing

/// Policy text with inline position markers (`1️⃣` … `9️⃣`), like swift-format's `MarkedText`:
/// the text without them, and the 1-based line and column each stood at.
struct MarkedPolicy {
  let text: String
  let markers: [String: String]

  init(_ marked: String) {
    let names = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]
    var text = ""
    var markers: [String: String] = [:]
    var line = 1
    var column = 1
    for character in marked {
      if names.contains(String(character)) {
        markers[String(character)] = "\(line):\(column)"
        continue
      }
      text.append(character)
      if character == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    self.text = text
    self.markers = markers
  }

  /// `line:col id` for each marker and message ID, in marker order.
  func expected(_ ids: [(String, String)]) -> [String] {
    ids.map { marker, id in "\(markers[marker] ?? "no marker \(marker)") \(id)" }
  }
}

/// The `waivers:` section: what it builds, and where each mistake in it is reported.
@Suite struct WaiverSchemaTests {
  @Test func buildsTypedWaiversWithEveryKindOfMatcher() throws {
    let (policy, warnings) = try load("""
      version: 1
      devices:
        disk:
          allow:
            - bus: virtio
      waivers:
        - name: legacy-ide
          match:
            name: ["legacy-*", db-01]
            uuid: 6F50BC6F-293B-4FAC-9D57-23A266112312
            tag: legacy
          findings:
            check: [device-not-allowed, path-traversal]
            class: disk
            rule: devices.disk.allow[0]
            id: KP-F10D5C153EB6
          reason: no virtio drivers until the upgrade (CHG-1234)
          owner: alice@example.com
          expires: 2025-09-30
        - findings: {check: seclabel-shared}
          reason: the two lab VMs share a label by design
          owner: lab-team
          expires: "2026-01-01"
      """)
    #expect(warnings.isEmpty)
    #expect(policy.waivers.count == 2)
    let legacy = policy.waivers[0]
    #expect(legacy.name == "legacy-ide")
    #expect(legacy.reference == RuleReference(path: "waivers[legacy-ide]", location: SourceLocation(file: "p.yaml", line: 7, column: 5)))
    #expect(legacy.domains.names.map(\.pattern) == ["legacy-*", "db-01"])
    #expect(legacy.domains.uuids == ["6f50bc6f-293b-4fac-9d57-23a266112312"])
    #expect(legacy.domains.tags == ["legacy"])
    #expect(legacy.findings == FindingSelector(
      checks: ["device-not-allowed", "path-traversal"], deviceClasses: ["disk"], rules: ["devices.disk.allow[0]"], ids: ["KP-f10d5c153eb6"]))
    #expect(legacy.reason == "no virtio drivers until the upgrade (CHG-1234)")
    #expect(legacy.owner == "alice@example.com")
    #expect(legacy.expires == PolicyDate(year: 2025, month: 9, day: 30))
    #expect(legacy.label == "'legacy-ide'")
    // Unnamed: named by position; no match: every domain.
    let shared = policy.waivers[1]
    #expect(shared.reference.path == "waivers[1]")
    #expect(shared.label == "waivers[1]")
    #expect(shared.domains.isEmpty)
    #expect(shared.expires.description == "2026-01-01")
  }

  @Test func theDomainsAWaiverCoversAreMatchedAsOverridesMatchThem() throws {
    let (policy, _) = try load("""
      version: 1
      waivers:
        - findings: {check: class-denied}
          match: {name: "gpu-*"}
          reason: r
          owner: o
          expires: 2030-01-01
        - findings: {check: class-denied}
          match: {uuid: 6f50bc6f-293b-4fac-9d57-23a266112312, tag: gpu}
          reason: r
          owner: o
          expires: 2030-01-01
      """)
    #expect(policy.waivers(forName: "gpu-01", uuid: nil, tags: []).map(\.reference.path) == ["waivers[0]"])
    #expect(policy.waivers(forName: "web-01", uuid: "6F50BC6F-293B-4FAC-9D57-23A266112312", tags: ["gpu"]).map(\.reference.path) == ["waivers[1]"])
    // Every criterion given must hold.
    #expect(policy.waivers(forName: "web-01", uuid: "6f50bc6f-293b-4fac-9d57-23a266112312", tags: []).isEmpty)
    #expect(policy.waivers(forName: "web-01", uuid: nil, tags: ["gpu"]).isEmpty)
    #expect(Policy(file: "p", description: nil, base: Ruleset(), overrides: []).waivers(forName: "x", uuid: nil, tags: []).isEmpty)
  }

  @Test func aWaiverWithoutOwnerReasonOrExpiryIsAnErrorAtTheWaiver() {
    let marked = MarkedPolicy("""
      version: 1
      waivers:
        - 1️⃣findings: {class: sound}
          owner: alice
        - 2️⃣name: b
          findings: {class: sound}
          reason: r
          expires: 2025-01-01
      """)
    #expect(errors(marked.text) == marked.expected([
      ("1️⃣", "waiver-missing-field"), ("1️⃣", "waiver-missing-field"), ("2️⃣", "waiver-missing-field"),
    ]))
    guard case .failure(let failure) = PolicyLoader.load(text: marked.text, file: "p.yaml") else {
      Issue.record("loaded")
      return
    }
    #expect(Set(failure.diagnostics.map(\.description)) == [
      "p.yaml:3:5: error: a waiver needs 'reason': why the exception is accepted",
      "p.yaml:3:5: error: a waiver needs 'expires': the last day it applies, as YYYY-MM-DD (it expires at the end of that day, UTC)",
      "p.yaml:5:5: error: a waiver needs 'owner': who answers for the exception",
    ])
  }

  @Test func aBlankOwnerOrReasonIsNoOwnerOrReason() {
    let marked = MarkedPolicy("""
      version: 1
      waivers:
        - findings: {class: sound}
          reason: 1️⃣"  "
          owner: 2️⃣~
          expires: 2025-01-01
        - findings: {class: sound}
          reason: 3️⃣''
          owner: 4️⃣[a, b]
          expires: 2025-01-01
      """)
    #expect(errors(marked.text) == marked.expected([
      ("1️⃣", "waiver-missing-field"), ("2️⃣", "waiver-missing-field"), ("3️⃣", "waiver-missing-field"), ("4️⃣", "wrong-type"),
    ]))
  }

  @Test func everyDateThatIsNotADayIsAnErrorAtTheDate() {
    for bad in ["2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-9-30", "30/09/2025", "2025-09-30T00:00", "0000-01-01", "next year"] {
      let marked = MarkedPolicy("version: 1\nwaivers:\n  - findings: {class: sound}\n    reason: r\n    owner: o\n    expires: 1️⃣\(bad)\n")
      #expect(errors(marked.text) == marked.expected([("1️⃣", "invalid-date")]), "\(bad)")
    }
    for good in ["2024-02-29", "2000-02-29", "2025-12-31", "9999-12-31", "'2025-01-01'"] {
      #expect(errors("version: 1\nwaivers:\n  - findings: {class: sound}\n    reason: r\n    owner: o\n    expires: \(good)\n") == [], "\(good)")
    }
  }

  @Test func unknownChecksClassesAndMalformedIDsAreErrorsAtTheValue() {
    let marked = MarkedPolicy("""
      version: 1
      waivers:
        - findings:
            check: [device-denied, 1️⃣device-denid]
            class: [sound, 2️⃣usb, 3️⃣gizmo]
            id: [KP-0123456789ab, 4️⃣KP-0123, 5️⃣kp-0123456789ab, 6️⃣KP-0123456789ag]
          reason: r
          owner: o
          expires: 2025-01-01
      """)
    #expect(errors(marked.text) == marked.expected([
      ("1️⃣", "unknown-check"), ("2️⃣", "unknown-waiver-class"), ("3️⃣", "unknown-waiver-class"), ("4️⃣", "invalid-finding-id"),
      ("5️⃣", "invalid-finding-id"), ("6️⃣", "invalid-finding-id"),
    ]))
    guard case .failure(let failure) = PolicyLoader.load(text: marked.text, file: "p.yaml") else {
      Issue.record("loaded")
      return
    }
    #expect(failure.diagnostics[0].message == "unknown check 'device-denid'; did you mean 'device-denied'?")
    #expect(failure.diagnostics[2].message.hasPrefix("unknown device class 'gizmo'; expected one of: emulator, disk, controller, "))
  }

  @Test func aWaiverMustSayWhichFindingsItCovers() {
    let marked = MarkedPolicy("""
      version: 1
      waivers:
        - 1️⃣match: {name: lab-01}
          reason: r
          owner: o
          expires: 2025-01-01
        - findings: 2️⃣{}
          reason: r
          owner: o
          expires: 2025-01-01
        - findings:3️⃣
          reason: r
          owner: o
          expires: 2025-01-01
        - findings: {check: 4️⃣[]}
          reason: r
          owner: o
          expires: 2025-01-01
        - findings: {check: class-denied}
          match: 5️⃣{}
          reason: r
          owner: o
          expires: 2025-01-01
      """)
    #expect(errors(marked.text) == marked.expected([
      ("1️⃣", "empty-waiver"), ("2️⃣", "empty-waiver"), ("3️⃣", "empty-waiver"), ("4️⃣", "wrong-type"), ("5️⃣", "empty-match"),
    ]))
  }

  @Test func unknownKeysAndWrongShapesAreErrorsWithSuggestions() {
    let marked = MarkedPolicy("""
      version: 1
      waivers:
        - findings: {check: class-denied, 1️⃣clas: sound}
          reason: r
          2️⃣onwer: o
          owner: o
          expires: 2025-01-01
          match: {name: 3️⃣"[a"}
        - 4️⃣just text
      """)
    #expect(errors(marked.text) == marked.expected([
      ("1️⃣", "unknown-key"), ("2️⃣", "unknown-key"), ("3️⃣", "invalid-glob"), ("4️⃣", "not-a-mapping"),
    ]))
    guard case .failure(let failure) = PolicyLoader.load(text: marked.text, file: "p.yaml") else {
      Issue.record("loaded")
      return
    }
    #expect(failure.diagnostics[0].message == "unknown key 'clas' in 'findings'; did you mean 'class'?")
    #expect(failure.diagnostics[1].message == "unknown key 'onwer' in a waiver; did you mean 'owner'?")
  }

  @Test func aRulePathNoFindingCanHaveIsAWarningAtTheWaiver() throws {
    let marked = MarkedPolicy("""
      version: 1
      devices:
        disk:
          allow:
            - bus: virtio
      overrides:
        - name: gpu
          match: {tag: gpu}
          devices:
            hostdev:
              allow: [{vendor: 10de}]
      waivers:
        - findings:
            rule:
              - devices.disk.allow[0]
              - devices.disk
              - devices.sound
              - defaults.devices
              - seclabel
              - qemu.passthrough
              - boot.kernel
              - overrides[gpu].devices.hostdev.allow[0]
              - overrides[gpu].devices
          reason: r
          owner: o
          expires: 2025-01-01
        - 1️⃣findings:
            rule: ["devices.disk.allow[1]", devices.dis]
          reason: r
          owner: o
          expires: 2025-01-01
        - 2️⃣name: other
          findings: {rule: "overrides[cpu].devices.hostdev"}
          reason: r
          owner: o
          expires: 2025-01-01
      """)
    let (policy, warnings) = try PolicyLoader.load(text: marked.text, file: "p.yaml").get()
    #expect(policy.waivers.count == 3)
    #expect(warnings.map { "\($0.location.line):\($0.location.column) \($0.id)" } == marked.expected([
      ("1️⃣", "waiver-rule-unknown"), ("1️⃣", "waiver-rule-unknown"), ("2️⃣", "waiver-rule-unknown"),
    ]))
    #expect(warnings.allSatisfy { $0.severity == .warning })
    #expect(warnings[2].message.hasPrefix("waiver 'other' can never apply: no finding of this policy has the rule 'overrides[cpu].devices.hostdev'"))
  }

  @Test func aRulePathCoversItsRuleAndTheRulesBelowIt() {
    let cases: [(String, String, Bool)] = [
      ("devices.disk.allow[0]", "devices.disk.allow[0]", true), ("devices.disk", "devices.disk.allow[0]", true),
      ("devices.disk", "devices.disk.deny[1]", true), ("devices.disk.allow", "devices.disk.allow[1]", true),
      ("devices.disk", "devices.diskette", false), ("devices.disk.allow[0]", "devices.disk.allow[01]", false),
      ("devices.disk.allow[1]", "devices.disk.allow[10]", false), ("defaults.devices", "defaults.devices (built-in: deny)", true),
      ("devices.sound", "devices.sound (built-in: no '..' in paths)", true), ("devices", "devices.sound (built-in: no '..' in paths)", true),
      ("devices.disk", "overrides[x].devices.disk", false), ("devices.disk.allow[0]", "devices.disk", false), ("", "seclabel", false),
    ]
    for (path, rule, expected) in cases {
      #expect(FindingSelector.rulePath(path, covers: rule) == expected, "\(path) covers \(rule)")
    }
  }

  @Test func criteriaMustAllHold() {
    let selector = FindingSelector(checks: ["class-denied"], deviceClasses: ["sound"], rules: ["devices.sound"], ids: [])
    #expect(selector.selects(check: "class-denied", deviceClass: "sound", rule: "devices.sound", id: "KP-000000000000"))
    #expect(!selector.selects(check: "device-denied", deviceClass: "sound", rule: "devices.sound", id: "KP-000000000000"))
    #expect(!selector.selects(check: "class-denied", deviceClass: "hub", rule: "devices.sound", id: "KP-000000000000"))
    // A class criterion never covers a finding about no device.
    #expect(!FindingSelector(deviceClasses: ["sound"]).selects(check: "seclabel-none", deviceClass: nil, rule: "seclabel", id: "KP-000000000000"))
    #expect(FindingSelector(ids: ["KP-0123456789ab"]).selects(check: "seclabel-none", deviceClass: nil, rule: "seclabel", id: "KP-0123456789ab"))
    #expect(!FindingSelector(ids: ["KP-0123456789ab"]).selects(check: "seclabel-none", deviceClass: nil, rule: "seclabel", id: "KP-0123456789ac"))
  }
}
