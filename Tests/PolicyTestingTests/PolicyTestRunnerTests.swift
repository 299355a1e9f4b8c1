import Engine
import Foundation
import Policy
import PolicyTesting
import TestSupport
import Testing

/// `kvmpolicy policy test`: test files read by the policy parser, judged by the engine.
@Suite struct PolicyTestRunnerTests {
  static let tests = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/tests").path

  /// Writes `text` as a test file beside the shipped ones' domains and returns its path.
  static func write(_ text: String) throws -> (URL, String) {
    let directory = try TemporaryDirectory.make("kvmpolicy-policy-test")
    let path = directory.appendingPathComponent("case.yaml").path
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return (directory, path)
  }

  @Test func theShippedPoliciesPassTheirTests() throws {
    let files = PolicyTestRunner.expandingDirectories([Self.tests])
    #expect(files.map { ($0 as NSString).lastPathComponent } == ["baseline.yaml", "desktop.yaml", "gpu-host.yaml"])
    for file in files {
      let result = try PolicyTestRunner.run(path: file, today: .epoch).get()
      #expect(!result.cases.isEmpty)
      for testCase in result.cases { #expect(testCase.passed, "\(file): \(testCase.name): \(testCase.differences)") }
    }
  }

  @Test func aWrongExpectationFailsAndSaysWhatDiffers() throws {
    let (directory, path) = try Self.write("""
      policy: \(Self.tests)/../baseline.yaml
      cases:
        - name: sound is only a warning
          domain: \(Self.tests)/domains/sound.xml
          expect:
            - {check: class-denied, class: sound, action: warn}
        - name: the server is compliant
          domain: \(Self.tests)/domains/server.xml
          expect: compliant
      """)
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = try PolicyTestRunner.run(path: path, today: .epoch).get()
    #expect(result.cases.map(\.passed) == [false, true])
    let differences = result.cases[0].differences
    #expect(differences.count == 2)
    #expect(differences[0].hasSuffix("sound.xml: expected a finding with check=class-denied class=sound action=warn, got none"))
    #expect(differences[1].contains(" check=class-denied class=sound action=refuse: sound ich6 is not allowed"))
    #expect(result.cases[0].location.line == 3)
  }

  @Test func aCompliantExpectationListsEveryFinding() throws {
    let (directory, path) = try Self.write("""
      policy: \(Self.tests)/../baseline.yaml
      cases:
        - name: the desktop is compliant
          domain: [\(Self.tests)/domains/desktop.xml]
          expect: compliant
      """)
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = try PolicyTestRunner.run(path: path, today: .epoch).get()
    #expect(result.cases[0].differences.count == 4)
    #expect(result.cases[0].differences.allSatisfy { $0.contains(": unexpected KP-") })
  }

  @Test func aWaivedFindingIsLeftOutUntilItsWaiverExpires() throws {
    let (directory, path) = try Self.write("""
      policy: policy.yaml
      cases:
        - name: the audio lab's sound card is waived
          domain: \(Self.tests)/domains/sound.xml
          expect: compliant
      """)
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
      version: 1
      defaults: {devices: allow}
      devices:
        sound: deny
      waivers:
        - findings: {class: sound}
          reason: the audio lab
          owner: lab-team
          expires: 2025-06-30
      """.write(to: directory.appendingPathComponent("policy.yaml"), atomically: false, encoding: .utf8)
    let lastDay = PolicyDate(year: 2025, month: 6, day: 30) ?? .epoch
    #expect(try PolicyTestRunner.run(path: path, today: lastDay).get().cases.map(\.passed) == [true])
    let after = try PolicyTestRunner.run(path: path, today: lastDay.adding(days: 1)).get()
    #expect(after.cases.map(\.passed) == [false])
    #expect(after.cases.first?.differences.first?.contains(" check=class-denied class=sound action=refuse: sound ") == true)
  }

  @Test func mistakesInATestFileAreErrorsAtTheirPosition() throws {
    let (directory, path) = try Self.write("""
      cases:
        - name: typo
          domian: x.xml
          expect:
            - {check: class-refused, class: sound}
        - name: nothing expected
          domain: x.xml
          expect: maybe
      """)
    defer { try? FileManager.default.removeItem(at: directory) }
    guard case .failure(.invalid(let errors, _)) = PolicyTestRunner.run(path: path, today: .epoch) else {
      Issue.record("the test file was accepted")
      return
    }
    let lines = errors.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id): \($0.message)" }
    #expect(lines == [
      "1:1 wrong-type: 'policy' must be the path of the policy to test, not missing",
      "2:5 wrong-type: 'domain' must be a domain XML file or a list of them, not missing",
      "3:5 unknown-key: unknown key 'domian' in a test case; expected one of: name, domain, expect",
      "5:17 invalid-value: 'class-refused' is not a valid check; use one of: \(Check.allCases.map(\.rawValue).joined(separator: ", "))",
      "8:13 wrong-type: 'expect' must be 'compliant' or a list of findings, not 'maybe'",
    ])
  }

  @Test func aMissingDomainFileIsBadInputNamingTheCase() throws {
    let (directory, path) = try Self.write("""
      policy: \(Self.tests)/../baseline.yaml
      cases:
        - name: ghost
          domain: ghost.xml
          expect: compliant
      """)
    defer { try? FileManager.default.removeItem(at: directory) }
    guard case .failure(.domain(let message)) = PolicyTestRunner.run(path: path, today: .epoch) else {
      Issue.record("a missing domain file was accepted")
      return
    }
    #expect(message.hasPrefix("\(path):3:5: error: case 'ghost': "))
    #expect(message.contains("ghost.xml"))
  }
}
