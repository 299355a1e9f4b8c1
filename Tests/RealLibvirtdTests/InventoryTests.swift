import Foundation
import TestSupport
import Testing

/// `kvmpolicy inventory` against the real libvirtd; `scripts/test` enables it.
@Suite(.serialized, .requiresRealLibvirtd)
struct RealLibvirtdInventoryTests {
  /// Defines and starts the TCG test guest (sound card, USB tablet) under a fresh name.
  static func startGuest(_ purpose: String) throws -> (name: String, cleanUp: () -> Void) {
    let name = try TestGuests.define(purpose, start: true)
    return (name, { TestGuests.remove([name]) })
  }

  @Test func showsTheDACLabelAndAliasesOfARunningGuest() throws {
    let (name, cleanUp) = try Self.startGuest("cli")
    defer { cleanUp() }

    let result = try KVMPolicyProcess.run(["inventory", "-c", "qemu:///system", "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let source = try #require((root["sources"] as? [[String: Any]])?.first)
    let models = (source["securityModels"] as? [[String: Any]])?.compactMap { $0["model"] as? String }
    #expect(models?.contains("dac") == true)
    let domain = try #require((source["domains"] as? [[String: Any]])?.first { $0["name"] as? String == name })
    #expect(domain["state"] as? String == "running")
    let seclabels = try #require(domain["seclabels"] as? [[String: Any]])
    let dac = try #require(seclabels.first { $0["model"] as? String == "dac" })
    #expect(dac["type"] as? String == "dynamic")
    #expect((dac["label"] as? String)?.hasPrefix("+") == true)
    let aliases = (domain["devices"] as? [[String: Any]])?.compactMap { $0["alias"] as? String } ?? []
    #expect(Set(["input0", "sound0", "balloon0", "usb"]).isSubset(of: Set(aliases)))

    let text = try KVMPolicyProcess.run(["inventory", "-c", "qemu:///system", "--devices"])
    #expect(text.stdout.contains("seclabel: model dac, type dynamic, relabel yes, label +"))
    #expect(text.stdout.contains("input type=tablet bus=usb alias=input0 [usb 0:1]"))
  }

  @Test func baselineReportsTheSoundCardAndTheUSBTabletAndExitsOne() throws {
    let (name, cleanUp) = try Self.startGuest("check")
    defer { cleanUp() }
    let policy = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path
    let result = try KVMPolicyProcess.run(["check", "--policy", policy, "-c", "qemu:///system", "--domain", name, "--format", "json"])
    #expect(result.status == 1, "\(result.stderr)")
    let findings = try CheckJSON.findings(result.stdout)
    #expect(findings.contains("\(name) class-denied sound"))
    #expect(findings.contains("\(name) device-denied input"))
    // This host has no SELinux or AppArmor: the guest runs with a DAC label only.
    #expect(findings.contains("\(name) seclabel-unconfined"))
    let text = try KVMPolicyProcess.run(["check", "--policy", policy, "-c", "qemu:///system", "--domain", name])
    #expect(text.stdout.contains("error [refuse] sound ich6 (alias sound0, pci 0000:00:"))
    #expect(text.stdout.contains("error [detach] input tablet (alias input0, usb 0:1) is denied by devices.input.deny[0]"))
  }

  @Test func hostAuditReadsTheRunningGuestsProcessLabel() throws {
    let (name, cleanUp) = try Self.startGuest("host")
    defer { cleanUp() }
    let result = try KVMPolicyProcess.run(["host", "-c", "qemu:///system"])
    #expect(result.status == 1)
    // This host has no SELinux or AppArmor: the QEMU process runs with DAC only, as libvirt-qemu.
    #expect(result.stdout.contains("  FAIL    \(name): the QEMU process is confined with its own label\n          /run/libvirt/qemu/\(name).pid: "))
    #expect(result.stdout.contains("only DAC: the process runs as the uid:gid every other VM runs as; that is not sVirt"))
    #expect(result.stdout.contains("use 5: hda-duplex, intel-hda, piix3-usb-uhci, usb-tablet, virtio-balloon-pci"))
  }
}
