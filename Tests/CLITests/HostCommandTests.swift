import Foundation
import Testing

/// `kvmpolicy host` on this machine: whatever it finds, the exit code follows the verdicts.
@Suite struct HostCommandTests {
  @Test func jsonListsEveryCheckAndTheExitCodeFollowsTheFailures() throws {
    let result = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["schema"] as? String == "kvmpolicy.host")
    let checks = try #require(root["checks"] as? [[String: Any]])
    let ids = checks.compactMap { $0["id"] as? String }
    for id in ["lsm-active", "libvirt-security-model", "kaslr-configured", "kaslr-effective", "aslr-userspace"] {
      #expect(ids.contains(id), "\(id) missing")
    }
    let statuses = checks.compactMap { $0["status"] as? String }
    #expect(statuses.allSatisfy { ["PASS", "FAIL", "WARN", "UNKNOWN"].contains($0) })
    #expect(checks.allSatisfy { ($0["evidence"] as? [String])?.isEmpty == false })
    #expect(result.status == (statuses.contains("FAIL") ? 1 : 0))
  }

  @Test func textGroupsChecksByTheGuidesSections() throws {
    let result = try KVMPolicyProcess.run(["host", "-c", "test:///default"])
    #expect(result.stdout.hasPrefix("sVirt\n  "))
    #expect(result.stdout.contains("\nKernel ASLR\n  "))
    // The test driver's security model is neither SELinux nor AppArmor.
    #expect(result.stdout.contains("libvirt capabilities <secmodel>: testSecurity"))
  }
}
