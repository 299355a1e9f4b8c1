import Foundation
import TestSupport
import Testing

/// `kvmpolicy enforce` on libvirt's test driver: the plan as text and as JSON tell the same thing.
@Suite struct EnforceCommandTests {
  static let fleet = "test://" + KVMPolicyProcess.repositoryRoot.appendingPathComponent("scripts/fleet/demo.xml").path
  static let baseline = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path

  @Test func aDryRunAsJSONListsWhatTheTextPlanSays() throws {
    let arguments = ["enforce", "--dry-run", "--policy", Self.baseline, "-c", Self.fleet]
    let text = try KVMPolicyProcess.run(arguments)
    let json = try KVMPolicyProcess.run(arguments + ["--format", "json"])
    #expect(text.status == 1)
    #expect(json.status == 1)
    let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(root["schema"] as? String == "kvmpolicy.enforce")
    #expect(root["version"] as? Int == 1)
    #expect(root["dryRun"] as? Bool == true)
    let domains = try #require(root["domains"] as? [[String: Any]])
    #expect(domains.count == 7)
    // Every detach and every rewrite the text names, the JSON names too.
    for domain in domains {
      let name = try #require(domain["name"] as? String)
      for detach in domain["detaches"] as? [[String: Any]] ?? [] {
        let device = try #require((detach["finding"] as? [String: Any])?["device"] as? String)
        #expect(text.stdout.contains("  would detach \(device) from the running domain"), "\(name): \(device)")
      }
      if domain["rewrite"] is [String: Any] { #expect(text.stdout.contains("\(name) (")) }
    }
    let changing = domains.filter { !($0["detaches"] as? [Any] ?? []).isEmpty || $0["rewrite"] is [String: Any] }.count
    #expect(text.stdout.hasSuffix("dry run: \(changing) of 7 domains would change; nothing was changed\n"))
    let bad = try KVMPolicyProcess.run(arguments + ["--format", "yaml"])
    #expect(bad.status == 2)
    #expect(bad.stderr.hasPrefix("Error: Unknown format 'yaml'; use one of: text, json."))
  }
}

/// `<os>` boot files under a policy's `boot` section, end to end.
@Suite struct BootFileCommandTests {
  @Test func aKernelOutsideTheAcceptedDirectoryIsRefusedAndPolicyCheckShowsTheSection() throws {
    let directory = try TemporaryDirectory.make("boot")
    defer { try? FileManager.default.removeItem(at: directory) }
    let policy = directory.appendingPathComponent("policy.yaml").path
    try "version: 1\ndefaults:\n  devices: allow\nboot:\n  kernel: \"/var/lib/libvirt/boot/*\"\n".write(toFile: policy, atomically: false, encoding: .utf8)
    let domain = directory.appendingPathComponent("vm.xml").path
    try "<domain type='kvm'><name>vm</name><os><type>hvm</type><kernel>/var/lib/libvirt/boot/../../../../root/.ssh/id_rsa</kernel></os><devices/></domain>"
      .write(toFile: domain, atomically: false, encoding: .utf8)
    let result = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", domain, "--format", "json"])
    #expect(result.status == 1)
    #expect(try CheckJSON.findings(result.stdout) == ["vm boot-file", "vm path-traversal"])
    let text = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", domain])
    #expect(text.stdout.contains("error [refuse] <kernel> /var/lib/libvirt/boot/../../../../root/.ssh/id_rsa is not an accepted kernel: boot.kernel accepts /var/lib/libvirt/boot/*"))
    let rules = try KVMPolicyProcess.run(["policy", "check", policy])
    #expect(rules.stdout.contains("boot files: kernel /var/lib/libvirt/boot/*\n"))
  }
}
