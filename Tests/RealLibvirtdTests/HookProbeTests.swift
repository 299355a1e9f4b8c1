import Foundation
import Policy
import TestSupport
import Testing

/// `kvmpolicy host --probe-hook` on the real libvirtd: the hook is proven live only once
/// libvirtd has looked it up, and the probe never leaves a domain behind.
@Suite(.serialized, .requiresRealLibvirtd, .requiresSelfContainedHook)
struct HookProbeTests {
  static let policy = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path

  /// The hook checks of `kvmpolicy host --probe-hook --format json`, by id.
  static func hookChecks() throws -> [String: (status: String, evidence: [String])] {
    let result = try KVMPolicyProcess.run(["host", "-c", TestGuests.uri, "--probe-hook", "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    var checks: [String: (String, [String])] = [:]
    for check in root["checks"] as? [[String: Any]] ?? [] {
      guard let id = check["id"] as? String, id.hasPrefix("hook-") else { continue }
      checks[id] = (check["status"] as? String ?? "", check["evidence"] as? [String] ?? [])
    }
    return checks
  }

  static func probesLeftBehind() throws -> [String] {
    try TestGuests.virsh("list", "--all", "--name").output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("kvmpolicy-probe-") }
  }

  @Test func vetoPassesOnlyAfterLibvirtdLooksUpTheHook() throws {
    defer {
      _ = try? KVMPolicyProcess.run(["uninstall-hook", "--reload"])
    }
    // A libvirtd that started with no kvmpolicy hook.
    _ = try KVMPolicyProcess.run(["uninstall-hook"])
    try TestGuests.restartLibvirtd()
    let install = ["install-hook", "--policy", Self.policy, "--hook-binary", Requirements.selfContainedHook ?? ""]
    let installed = try KVMPolicyProcess.run(install)
    #expect(installed.status == 0, "\(installed.stderr)")

    // Installed but not looked up: libvirt starts the canary, and the probe says so.
    var checks = try Self.hookChecks()
    #expect(checks["hook-installed"]?.status == "PASS", "\(checks["hook-installed"]?.evidence ?? [])")
    #expect(checks["hook-loaded"]?.status == "WARN")
    #expect(checks["hook-veto"]?.status == "FAIL")
    #expect(checks["hook-veto"]?.evidence.contains("libvirt started the canary (destroyed at once): the hook did not refuse it") == true)
    #expect(try Self.probesLeftBehind().isEmpty)

    // --reload sends libvirtd SIGHUP: now the canary is refused by the installed policy.
    let reloaded = try KVMPolicyProcess.run(install + ["--reload"])
    #expect(reloaded.status == 0, "\(reloaded.stderr)")
    #expect(reloaded.stdout.contains("sent SIGHUP to libvirtd (pid "))
    let fingerprint = try #require(PolicyLoader.fingerprint(ofFile: "/etc/kvmpolicy/policy.yaml"))
    var passed = false
    // libvirtd handles SIGHUP on its event loop: give it a moment before the verdict.
    for _ in 0..<20 {
      checks = try Self.hookChecks()
      if checks["hook-veto"]?.status == "PASS" {
        passed = true
        break
      }
      Thread.sleep(forTimeInterval: 0.25)
    }
    #expect(passed, "\(checks["hook-veto"]?.evidence ?? [])")
    #expect(checks["hook-loaded"]?.status == "PASS")
    #expect(checks["hook-veto"]?.evidence.last == "answered by /etc/kvmpolicy/policy.yaml (\(fingerprint)): the installed policy, as it is now")
    #expect(try Self.probesLeftBehind().isEmpty)
  }
}
