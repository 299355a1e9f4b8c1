import Foundation
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `kvmpolicy host` on this machine: whatever it finds, the exit code follows the verdicts.
@Suite struct HostCommandTests {
  @Test func jsonListsEveryCheckAndTheExitCodeFollowsTheFailures() throws {
    let result = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["schema"] as? String == "kvmpolicy.host")
    let checks = try #require(root["checks"] as? [[String: Any]])
    let ids = checks.compactMap { $0["id"] as? String }
    for id in [
      "lsm-active", "libvirt-security-model", "kaslr-configured", "kaslr-effective", "aslr-userspace", "cpu-vuln:l1tf", "ksm", "dev-kvm",
      "userfaultfd", "kptr-restrict", "dmesg-restrict", "randomize-memory", "lockdown",
    ] {
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
    #expect(result.stdout.contains("\nKVM host\n  "))
    // The test driver's security model is neither SELinux nor AppArmor.
    #expect(result.stdout.contains("libvirt capabilities <secmodel>: testSecurity"))
  }

  @Test func junitIsWellFormedWithOneTestcasePerCheckAndHTMLHasEverySection() throws {
    let json = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let checks = try #require(root["checks"] as? [[String: Any]])
    let junit = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "junit"])
    let parser = XMLParser(data: Data(junit.stdout.utf8))
    #expect(parser.parse() && parser.parserError == nil)
    #expect(junit.stdout.components(separatedBy: "<testcase ").count - 1 == checks.count)
    #expect(junit.stdout.components(separatedBy: "<failure ").count - 1 == checks.filter { $0["status"] as? String == "FAIL" }.count)
    let html = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "html"])
    for section in ["sVirt", "Binary hardening", "Kernel ASLR", "KVM host"] { #expect(html.stdout.contains("<h2>\(section)</h2>")) }
    #expect(!html.stdout.contains("<script"))
  }

  @Test(.requiresExecutable("/usr/bin/qemu-img")) func elfAuditsJustTheGivenFilesAndAnUnknownFormatIsAUsageError() throws {
    let result = try KVMPolicyProcess.run(["host", "--elf", "/usr/bin/qemu-img", "/nonexistent/binary", "--format", "json"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("\"id\": \"elf:/usr/bin/qemu-img\""))
    #expect(result.stdout.contains("\"status\": \"PASS\""))
    #expect(result.stdout.contains("\"status\": \"UNKNOWN\""))
    #expect(!result.stdout.contains("kaslr"))
    // Schema v2: typed properties, for ELF files checksec's own keys and strings.
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["version"] as? Int == 2)
    let checks = try #require(root["checks"] as? [[String: Any]])
    let properties = try #require(checks.first { $0["id"] as? String == "elf:/usr/bin/qemu-img" }?["properties"] as? [String: Any])
    #expect(properties["relro"] as? String == "full" && properties["pie"] as? String == "yes" && properties["nx"] as? String == "yes")
    // Beyond checksec, typed: Debian 12's qemu-img carries no CET marking, no W+X segment, no TEXTREL.
    #expect(properties["ibt"] as? Bool == false && properties["shstk"] as? Bool == false)
    #expect(properties["wx-segments"] as? Int == 0 && properties["wx-sections"] as? Int == 0)
    #expect(properties["textrel"] as? Bool == false)
    let bad = try KVMPolicyProcess.run(["host", "--format", "yaml"])
    #expect(bad.status == 2)
    #expect(bad.stderr.hasPrefix("Error: Unknown format 'yaml'; use one of: text, json, junit, html, prometheus."))
  }

  @Test(.requiresExecutable("/usr/bin/qemu-img"), .requiresExecutable("/usr/bin/checksec"))
  func elfPropertiesAreChecksecsOwnKeysAndValues() throws {
    let ours = try KVMPolicyProcess.run(["host", "--elf", "/usr/bin/qemu-img", "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(ours.stdout.utf8)) as? [String: Any])
    let check = try #require((root["checks"] as? [[String: Any]])?.first)
    let checksec = try Command.run("/usr/bin/checksec", ["--file=/usr/bin/qemu-img", "--output=json"])
    let theirs = try #require(try JSONSerialization.jsonObject(with: Data(checksec.output.utf8)) as? [String: [String: String]])
    let expected = try #require(theirs["/usr/bin/qemu-img"])
    #expect(expected.count == 10)
    // checksec's ten keys with its strings; the keys beyond checksec are typed, and checked above.
    let properties = try #require(check["properties"] as? [String: Any])
    #expect(properties.filter { expected.keys.contains($0.key) }.mapValues { $0 as? String } == expected.mapValues { $0 })
    #expect(Set(properties.keys).subtracting(expected.keys) == ["ibt", "shstk", "wx-segments", "wx-sections", "textrel"])
  }
}
