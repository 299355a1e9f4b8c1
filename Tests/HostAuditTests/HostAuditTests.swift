import DomainModel
import Foundation
import HostAudit
import Testing

/// A fake host: files below a temporary root.
final class FakeHost {
  let root: URL

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-host-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  func write(_ path: String, _ text: String) throws {
    let url = root.appendingPathComponent(String(path.dropFirst()))
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: false, encoding: .utf8)
  }

  /// A symbolic link at `path` to `target`, which need not exist (`mnt:[4026531832]`).
  func link(_ path: String, to target: String) throws {
    let url = root.appendingPathComponent(String(path.dropFirst()))
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
  }

  var files: HostFiles { HostFiles(root: root.path) }
}

func statuses(_ checks: [HostCheck]) -> [String] { checks.map { "\($0.id) \($0.status.rawValue)" } }

@Suite struct KernelASLRAuditTests {
  @Test func configuredAndEffectiveAreSeparateVerdicts() throws {
    let host = try FakeHost()
    try host.write("/boot/config-6.1.0-test", "CONFIG_RANDOMIZE_BASE=y\nCONFIG_PHYSICAL_START=0x1000000\n")
    try host.write("/proc/cmdline", "root=/dev/vda quiet\n")
    try host.write("/proc/kallsyms", "ffffffff9a000000 T _stext\nffffffff9a000000 T _text\n")
    try host.write("/proc/sys/kernel/randomize_va_space", "2\n")
    let checks = KernelASLRAudit(files: host.files, release: "6.1.0-test").checks()
    #expect(statuses(checks) == ["kaslr-configured PASS", "kaslr-effective PASS", "aslr-userspace PASS"])
    #expect(checks[1].evidence == [
      "/proc/kallsyms: _text at 0xffffffff9a000000", "link-time _text: 0xffffffff81000000 (0xffffffff80000000 + CONFIG_PHYSICAL_START)",
    ])
  }

  @Test func aKernelBootedWithoutItsDecompressorRunsAtItsLinkAddress() throws {
    let host = try FakeHost()
    try host.write("/boot/config-6.1.0-test", "CONFIG_RANDOMIZE_BASE=y\n")
    try host.write("/proc/cmdline", "console=ttyS0\n")
    try host.write("/proc/kallsyms", "ffffffff81000000 T _text\n")
    try host.write("/proc/sys/kernel/randomize_va_space", "1\n")
    #expect(statuses(KernelASLRAudit(files: host.files, release: "6.1.0-test").checks()) == [
      "kaslr-configured PASS", "kaslr-effective FAIL", "aslr-userspace WARN",
    ])
  }

  @Test func nokaslrAndHiddenAddressesAreReportedAsSuch() throws {
    let host = try FakeHost()
    try host.write("/boot/config-6.1.0-test", "# CONFIG_RANDOMIZE_BASE is not set\n")
    try host.write("/proc/cmdline", "quiet nokaslr\n")
    try host.write("/proc/kallsyms", "0000000000000000 T _text\n")
    try host.write("/proc/sys/kernel/randomize_va_space", "0\n")
    let checks = KernelASLRAudit(files: host.files, release: "6.1.0-test").checks()
    #expect(statuses(checks) == ["kaslr-configured FAIL", "kaslr-effective UNKNOWN", "aslr-userspace FAIL"])
    #expect(checks[0].evidence.contains("nokaslr on the kernel command line switches it off"))
    #expect(checks[1].evidence == ["/proc/kallsyms: _text reads as 0 (kptr_restrict hides addresses; run as root)"])
  }

  @Test func nothingReadableIsUnknownNotAGuess() throws {
    let host = try FakeHost()
    #expect(statuses(KernelASLRAudit(files: host.files, release: "x").checks()) == [
      "kaslr-configured UNKNOWN", "kaslr-effective UNKNOWN", "aslr-userspace UNKNOWN",
    ])
  }
}

@Suite struct SVirtAuditTests {
  static func domain(_ name: String, seclabel: String) throws -> SVirtAudit.RunningDomain {
    let xml = "<domain type='kvm' id='1'><name>\(name)</name><devices/>\(seclabel)</domain>"
    return SVirtAudit.RunningDomain(name: name, domain: try DomainDocument(xml: xml, source: name).domain)
  }

  @Test func anEnforcingSELinuxHostWithConfinedDistinctVMsPasses() throws {
    let host = try FakeHost()
    try host.write("/sys/kernel/security/lsm", "lockdown,capability,selinux\n")
    try host.write("/sys/fs/selinux/enforce", "1")
    try host.write("/etc/libvirt/qemu.conf", "security_driver = \"selinux\"\nsecurity_require_confined = 1\n")
    for (pid, label) in [("101", "system_u:system_r:svirt_t:s0:c1,c2"), ("102", "system_u:system_r:svirt_t:s0:c3,c4")] {
      try host.write("/run/libvirt/qemu/vm\(pid).pid", pid)
      try host.write("/proc/\(pid)/attr/current", label)
      try host.write("/proc/\(pid)/status", "Name:\tqemu\nUid:\t107\t107\t107\t107\nGid:\t107\t107\t107\t107\n")
    }
    let running = [
      try Self.domain("vm101", seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>"),
      try Self.domain("vm102", seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0:c3,c4</label></seclabel>"),
    ]
    let checks = SVirtAudit(files: host.files, securityModels: ["selinux", "dac"], running: running).checks()
    #expect(statuses(checks) == [
      "lsm-active PASS", "libvirt-security-model PASS", "qemu-conf-security-driver PASS", "qemu-conf-default-confined PASS",
      "qemu-conf-require-confined PASS", "vm-confined:vm101 PASS", "vm-confined:vm102 PASS", "vm-labels-unique PASS",
    ])
  }

  @Test func dacOnlySharedLabelsAndTurnedOffDriversFail() throws {
    let host = try FakeHost()
    try host.write("/sys/kernel/security/lsm", "lockdown,capability,selinux\n")
    try host.write("/sys/fs/selinux/enforce", "0")
    try host.write("/etc/libvirt/qemu.conf", "# comment\nsecurity_driver = \"none\"\nsecurity_default_confined = 0\n")
    for pid in ["201", "202", "203"] {
      try host.write("/run/libvirt/qemu/vm\(pid).pid", pid)
    }
    try host.write("/proc/201/attr/current", "unconfined")
    try host.write("/proc/202/attr/current", "system_u:system_r:svirt_t:s0:c5,c6")
    try host.write("/proc/203/attr/current", "system_u:system_r:svirt_t:s0:c5,c6")
    let running = [
      try Self.domain("vm201", seclabel: "<seclabel type='dynamic' model='dac' relabel='yes'><label>+107:+107</label></seclabel>"),
      try Self.domain("vm202", seclabel: ""), try Self.domain("vm203", seclabel: ""),
    ]
    let checks = SVirtAudit(files: host.files, securityModels: ["dac"], running: running).checks()
    #expect(statuses(checks) == [
      "lsm-active WARN", "libvirt-security-model FAIL", "qemu-conf-security-driver FAIL", "qemu-conf-default-confined FAIL",
      "qemu-conf-require-confined WARN", "vm-confined:vm201 FAIL", "vm-confined:vm202 PASS", "vm-confined:vm203 PASS",
      "vm-labels-unique FAIL",
    ])
    #expect(checks[5].evidence.last == "only DAC: the process runs as the uid:gid every other VM runs as; that is not sVirt")
    #expect(checks[8].evidence == ["label system_u:system_r:svirt_t:s0:c5,c6 is shared by vm202, vm203"])
    #expect(checks[1].evidence.last == "DAC alone is not sVirt: every VM runs as the same uid:gid")
  }

  @Test func typeNoneAndRelabelNoInTheLiveXMLAreFlagged() throws {
    let host = try FakeHost()
    for pid in ["401", "402"] {
      try host.write("/run/libvirt/qemu/vm\(pid).pid", pid)
      try host.write("/proc/\(pid)/attr/current", "system_u:system_r:svirt_t:s0:c\(pid),c1")
    }
    let running = [
      try Self.domain("vm401", seclabel: "<seclabel type='none' model='selinux'/>"),
      try Self.domain("vm402", seclabel: "<seclabel type='dynamic' model='selinux' relabel='no'><label>system_u:system_r:svirt_t:s0:c402,c1</label></seclabel>"),
    ]
    let checks = SVirtAudit(files: host.files, securityModels: ["selinux"], running: running).checks()
    #expect(statuses(checks).filter { $0.hasPrefix("vm-confined") } == ["vm-confined:vm401 FAIL", "vm-confined:vm402 WARN"])
  }

  @Test func withoutQemuConfLibvirtsDefaultsApply() throws {
    let host = try FakeHost()
    let checks = SVirtAudit(files: host.files, securityModels: nil, running: []).checks()
    #expect(statuses(checks) == [
      "lsm-active FAIL", "libvirt-security-model UNKNOWN", "qemu-conf-security-driver PASS", "qemu-conf-default-confined PASS",
      "qemu-conf-require-confined WARN",
    ])
    #expect(checks[2].evidence == ["/etc/libvirt/qemu.conf: absent, so libvirt's defaults apply"])
  }

  @Test func aProcessLabelThatDiffersFromTheXMLFails() throws {
    let host = try FakeHost()
    try host.write("/run/libvirt/qemu/vm.pid", "300")
    try host.write("/proc/300/attr/current", "system_u:system_r:svirt_t:s0:c9,c10")
    let running = [try Self.domain("vm", seclabel: "<seclabel type='dynamic' model='selinux'><label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>")]
    let check = try #require(SVirtAudit(files: host.files, securityModels: nil, running: running).checks().first { $0.id == "vm-confined:vm" })
    #expect(check.status == .fail)
    #expect(check.evidence.last == "the live XML claims system_u:system_r:svirt_t:s0:c1,c2")
  }
}
