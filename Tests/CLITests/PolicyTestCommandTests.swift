import Foundation
import TestSupport
import Testing

/// `kvmpolicy policy test`: exit codes, the failing case named with its difference, JUnit.
@Suite struct PolicyTestCommandTests {
  static let tests = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/tests").path

  @Test func theShippedTestsPassWithExitZero() throws {
    let result = try KVMPolicyProcess.run(["policy", "test", Self.tests])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasSuffix(" passed, 0 failed\n"))
    let junit = try KVMPolicyProcess.run(["policy", "test", Self.tests, "--format", "junit"])
    #expect(junit.status == 0)
    #expect(junit.stdout.contains("<testsuites name=\"kvmpolicy policy test\""))
    #expect(junit.stdout.contains(" failures=\"0\""))
  }

  @Test func aWrongExpectationExitsOneNamingTheCaseAndTheDifference() throws {
    let directory = try TemporaryDirectory.make("kvmpolicy-policy-test-cli")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("wrong.yaml").path
    try """
      policy: \(Self.tests)/../baseline.yaml
      cases:
        - name: an e1000 NIC is allowed
          domain: \(Self.tests)/domains/e1000.xml
          expect: compliant
      """.write(toFile: file, atomically: false, encoding: .utf8)
    let result = try KVMPolicyProcess.run(["policy", "test", file])
    #expect(result.status == 1)
    #expect(result.stdout.contains("  FAIL  an e1000 NIC is allowed\n"))
    #expect(result.stdout.contains("\(file):3:5: \(Self.tests)/domains/e1000.xml: unexpected KP-"))
    #expect(result.stdout.contains("check=device-denied class=interface action=rewrite"))
    #expect(result.stdout.hasSuffix("1 case: 0 passed, 1 failed\n"))
    let junit = try KVMPolicyProcess.run(["policy", "test", file, "--format", "junit"])
    #expect(junit.status == 1)
    #expect(junit.stdout.contains("<failure message=\"\(Self.tests)/domains/e1000.xml: unexpected KP-"))
  }

  @Test func aBrokenTestFileExitsTwoWithItsPosition() throws {
    let directory = try TemporaryDirectory.make("kvmpolicy-policy-test-cli")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("broken.yaml").path
    try "policy: x.yaml\ncases: none\n".write(toFile: file, atomically: false, encoding: .utf8)
    let result = try KVMPolicyProcess.run(["policy", "test", file])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("\(file):2:8: error: 'cases' must be a list of cases, not a scalar"))
    let missing = try KVMPolicyProcess.run(["policy", "test", directory.appendingPathComponent("absent.yaml").path])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("absent.yaml: error: cannot read the policy"))
  }
}
