import CXattr
import Foundation
import HostAudit
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The "KVM host" section on fixture /sys, /proc, /dev and /etc trees.
@Suite struct KVMHostAuditTests {
  static let release = "6.1.0-test"
  static let vulnerabilities = "/sys/devices/system/cpu/vulnerabilities/"
  static let coreIDs = [
    "itlb_multihit", "l1tf", "mds", "mmio_stale_data", "retbleed", "spec_rstack_overflow", "spectre_v2", "tsx_async_abort",
  ].map { "cpu-vuln:\($0)" }
  static let otherIDs = ["ksm", "dev-kvm", "userfaultfd", "kptr-restrict", "dmesg-restrict", "randomize-memory", "lockdown"]

  /// A host that passes every check: mitigated or unaffected CPU, KSM off, /dev/kvm 0660
  /// root:kvm, the sysctls set, CONFIG_RANDOMIZE_MEMORY=y, lockdown integrity.
  static func hardened() throws -> FakeHost {
    let host = try FakeHost()
    for (file, text) in [
      ("itlb_multihit", "KVM: Mitigation: VMX disabled"),
      ("l1tf", "Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT disabled"),
      ("mds", "Mitigation: Clear CPU buffers; SMT disabled"),
      ("mmio_stale_data", "Not affected"),
      ("retbleed", "Mitigation: Enhanced IBRS"),
      ("spec_rstack_overflow", "Not affected"),
      ("spectre_v2", "Mitigation: Enhanced / Automatic IBRS; IBPB: conditional; RSB filling; PBRSB-eIBRS: SW sequence; BHI: BHI_DIS_S"),
      ("tsx_async_abort", "Not affected"),
    ] {
      try host.write(vulnerabilities + file, text + "\n")
    }
    try host.write("/sys/module/kvm/parameters/nx_huge_pages", "Y\n")
    try host.write("/sys/module/kvm_intel/parameters/vmentry_l1d_flush", "cond\n")
    try host.write("/sys/devices/system/cpu/smt/control", "off\n")
    try host.write("/sys/kernel/mm/ksm/run", "0\n")
    try host.write("/sys/kernel/mm/ksm/pages_sharing", "0\n")
    try host.write("/proc/sys/vm/unprivileged_userfaultfd", "0\n")
    try host.write("/proc/sys/kernel/kptr_restrict", "1\n")
    try host.write("/proc/sys/kernel/dmesg_restrict", "1\n")
    try host.write("/boot/config-\(release)", "CONFIG_RANDOMIZE_BASE=y\nCONFIG_RANDOMIZE_MEMORY=y\nCONFIG_SECURITY_LOCKDOWN_LSM=y\n")
    try host.write("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n")
    try device(on: host, mode: 0o660, group: "kvm")
    return host
  }

  /// /dev/kvm as a file with `mode`; the fixture's /etc/passwd names its owner root (in another
  /// primary group), and its /etc/group names its group `group`, with libvirt-qemu as a member.
  static func device(on host: FakeHost, mode: mode_t, group: String) throws {
    try host.write("/dev/kvm", "")
    #expect(chmod(host.files.path("/dev/kvm"), mode) == 0)
    var info = stat()
    #expect(stat(host.files.path("/dev/kvm"), &info) == 0)
    try host.write("/etc/passwd", "root:x:\(info.st_uid):\(info.st_gid &+ 1)::/root:/bin/sh\nlibvirt-qemu:x:64055:64055::/:/bin/false\n")
    try host.write("/etc/group", "\(group):x:\(info.st_gid):libvirt-qemu\n")
  }

  static func checks(_ host: FakeHost, config: String? = nil) -> [HostCheck] {
    KVMHostAudit(files: host.files, release: release, kernelConfig: config.map { KernelConfig(text: $0, source: "/boot/config-\(release)") }).checks()
  }

  static func check(_ id: String, in checks: [HostCheck]) throws -> HostCheck {
    try #require(checks.first { $0.id == id }, "no check \(id)")
  }

  @Test func aHardenedHostPassesEveryCheckWithTypedProperties() throws {
    let host = try Self.hardened()
    let checks = Self.checks(host)
    #expect(statuses(checks) == (Self.coreIDs + Self.otherIDs).map { "\($0) PASS" })
    #expect(checks.allSatisfy { $0.section == "KVM host" })
    let ksm = try Self.check("ksm", in: checks)
    #expect(ksm.properties == ["file": .string("/sys/kernel/mm/ksm/run"), "value": .int(0), "pages-sharing": .int(0)])
    #expect(ksm.evidence == ["/sys/kernel/mm/ksm/run: 0", "/sys/kernel/mm/ksm/pages_sharing: 0"])
    let device = try Self.check("dev-kvm", in: checks)
    #expect(device.evidence == ["/dev/kvm: not a character device, mode 0660, owner root, group kvm", "group kvm: libvirt-qemu"])
    #expect(device.properties["mode"] == .string("0660"))
    #expect(device.properties["owner"] == .string("root") && device.properties["group"] == .string("kvm"))
    #expect(device.properties["group-members"] == .strings(["libvirt-qemu"]))
    #expect(try Self.check("kptr-restrict", in: checks).properties == ["file": .string("/proc/sys/kernel/kptr_restrict"), "value": .int(1)])
    #expect(try Self.check("lockdown", in: checks).properties["value"] == .string("integrity"))
    #expect(try Self.check("randomize-memory", in: checks).evidence == ["kernel config: CONFIG_RANDOMIZE_MEMORY=y"])
    let itlb = try Self.check("cpu-vuln:itlb_multihit", in: checks)
    #expect(itlb.evidence == [
      "/sys/devices/system/cpu/vulnerabilities/itlb_multihit: KVM: Mitigation: VMX disabled", "/sys/module/kvm/parameters/nx_huge_pages: Y",
    ])
    let l1tf = try Self.check("cpu-vuln:l1tf", in: checks)
    #expect(l1tf.properties == [
      "file": .string("/sys/devices/system/cpu/vulnerabilities/l1tf"),
      "value": .string("Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT disabled"),
      "vmentry-l1d-flush": .string("cond"), "smt-control": .string("off"),
    ])
  }

  @Test func newerVulnerabilitiesAreCheckedOnlyWhenTheKernelReportsThem() throws {
    let host = try Self.hardened()
    try host.write(Self.vulnerabilities + "gather_data_sampling", "Vulnerable: No microcode\n")
    try host.write(Self.vulnerabilities + "reg_file_data_sampling", "Not affected\n")
    let checks = Self.checks(host)
    #expect(statuses(checks).filter { $0.hasPrefix("cpu-vuln:") }.suffix(2) == [
      "cpu-vuln:gather_data_sampling FAIL", "cpu-vuln:reg_file_data_sampling PASS",
    ])
    #expect(!checks.contains { $0.id == "cpu-vuln:tsa" || $0.id == "cpu-vuln:vmscape" })
    #expect(try Self.check("cpu-vuln:gather_data_sampling", in: checks).evidence == [
      "/sys/devices/system/cpu/vulnerabilities/gather_data_sampling: Vulnerable: No microcode", "the kernel reports it unmitigated",
      "GDS: a guest can read vector registers the host or other guests used",
    ])
  }

  @Test func vulnerableWordingFailsAndSMTVulnerableWarns() throws {
    let host = try Self.hardened()
    try host.write(Self.vulnerabilities + "itlb_multihit", "KVM: Mitigation: VMX disabled\n")
    try host.write("/sys/module/kvm/parameters/nx_huge_pages", "N\n")
    try host.write(Self.vulnerabilities + "l1tf", "Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable\n")
    try host.write("/sys/devices/system/cpu/smt/control", "on\n")
    try host.write(Self.vulnerabilities + "mds", "Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable\n")
    try host.write(Self.vulnerabilities + "mmio_stale_data", "Mitigation: Clear CPU buffers; SMT vulnerable\n")
    try host.write(Self.vulnerabilities + "retbleed", "Vulnerable\n")
    try host.write(Self.vulnerabilities + "spec_rstack_overflow", "Vulnerable: Safe RET, no microcode\n")
    try host.write(Self.vulnerabilities + "spectre_v2", "Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Vulnerable\n")
    try host.write(Self.vulnerabilities + "tsx_async_abort", "Mitigation: TSX disabled\n")
    let checks = Self.checks(host)
    #expect(statuses(checks).prefix(8) == [
      "cpu-vuln:itlb_multihit FAIL", "cpu-vuln:l1tf WARN", "cpu-vuln:mds FAIL", "cpu-vuln:mmio_stale_data WARN", "cpu-vuln:retbleed FAIL",
      "cpu-vuln:spec_rstack_overflow FAIL", "cpu-vuln:spectre_v2 WARN", "cpu-vuln:tsx_async_abort PASS",
    ])
    #expect(try Self.check("cpu-vuln:itlb_multihit", in: checks).evidence.suffix(2) == [
      "kvm.nx_huge_pages is off on an affected CPU", "a guest can machine-check the host through huge-page iTLB multihits",
    ])
    #expect(try Self.check("cpu-vuln:l1tf", in: checks).evidence == [
      "/sys/devices/system/cpu/vulnerabilities/l1tf: Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable",
      "/sys/module/kvm_intel/parameters/vmentry_l1d_flush: cond", "/sys/devices/system/cpu/smt/control: on",
      "SMT vulnerable: a guest on one hyperthread can read what runs on its sibling (nosmt, or pin VMs to whole cores)",
      "a guest can read the host's and other guests' L1 data cache",
    ])
    #expect(try Self.check("cpu-vuln:spectre_v2", in: checks).evidence[1] == "BHI: Vulnerable: mitigated only in part")
  }

  @Test func anL1DFlushThatNeverRunsFails() throws {
    let host = try Self.hardened()
    try host.write(Self.vulnerabilities + "l1tf", "Mitigation: PTE Inversion; VMX: vulnerable, SMT disabled\n")
    try host.write("/sys/module/kvm_intel/parameters/vmentry_l1d_flush", "never\n")
    let l1tf = try Self.check("cpu-vuln:l1tf", in: Self.checks(host))
    #expect(l1tf.status == .fail)
    #expect(l1tf.evidence.contains("VMX: vulnerable: KVM never flushes the L1D cache on VM entry"))
    #expect(l1tf.evidence.contains("kvm_intel.vmentry_l1d_flush=never: KVM never flushes the L1D cache on VM entry"))
  }

  @Test func undecidableVulnerabilityStatesAreUnknown() throws {
    let host = try Self.hardened()
    // Without kvm_intel the kernel leaves the VMX part out.
    try host.write(Self.vulnerabilities + "l1tf", "Mitigation: PTE Inversion\n")
    try FileManager.default.removeItem(atPath: host.files.path("/sys/module/kvm_intel"))
    try FileManager.default.removeItem(atPath: host.files.path("/sys/module/kvm"))
    try host.write(Self.vulnerabilities + "itlb_multihit", "Processor vulnerable\n")
    try host.write(Self.vulnerabilities + "mds", "Mitigation: Clear CPU buffers; SMT Host state unknown\n")
    try host.write(Self.vulnerabilities + "mmio_stale_data", "Unknown: No mitigations\n")
    try host.write(Self.vulnerabilities + "retbleed", "Something new\n")
    try FileManager.default.removeItem(atPath: host.files.path(Self.vulnerabilities + "tsx_async_abort"))
    let checks = Self.checks(host)
    #expect(statuses(checks).prefix(8) == [
      "cpu-vuln:itlb_multihit UNKNOWN", "cpu-vuln:l1tf UNKNOWN", "cpu-vuln:mds UNKNOWN", "cpu-vuln:mmio_stale_data UNKNOWN",
      "cpu-vuln:retbleed UNKNOWN", "cpu-vuln:spec_rstack_overflow PASS", "cpu-vuln:spectre_v2 PASS", "cpu-vuln:tsx_async_abort UNKNOWN",
    ])
    let l1tf = try Self.check("cpu-vuln:l1tf", in: checks)
    #expect(l1tf.evidence.contains("/sys/module/kvm_intel/parameters/vmentry_l1d_flush: not readable"))
    #expect(l1tf.evidence.contains("no VMX part: kvm_intel is not loaded, so the kernel does not report the guest side"))
    #expect(try Self.check("cpu-vuln:retbleed", in: checks).evidence[1] == "wording kvmpolicy does not know: not judged")
    #expect(try Self.check("cpu-vuln:tsx_async_abort", in: checks).evidence[0]
      == "/sys/devices/system/cpu/vulnerabilities/tsx_async_abort: absent or not readable (a kernel older than the fix, or not x86)")
  }

  @Test func ksmWorldOpenKVMUserfaultfdLeakyPointersAndNoLockdownAreCalledOut() throws {
    let host = try Self.hardened()
    try host.write("/sys/kernel/mm/ksm/run", "1\n")
    try host.write("/sys/kernel/mm/ksm/pages_sharing", "5120\n")
    try Self.device(on: host, mode: 0o666, group: "kvm")
    try host.write("/proc/sys/vm/unprivileged_userfaultfd", "1\n")
    try host.write("/proc/sys/kernel/kptr_restrict", "0\n")
    try host.write("/proc/sys/kernel/perf_event_paranoid", "1\n")
    try host.write("/proc/sys/kernel/dmesg_restrict", "0\n")
    try host.write("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n")
    let config = "CONFIG_RANDOMIZE_BASE=y\n# CONFIG_RANDOMIZE_MEMORY is not set\n"
    let checks = Self.checks(host, config: config)
    #expect(statuses(checks).suffix(7) == [
      "ksm FAIL", "dev-kvm FAIL", "userfaultfd FAIL", "kptr-restrict FAIL", "dmesg-restrict FAIL", "randomize-memory FAIL", "lockdown WARN",
    ])
    let ksm = try Self.check("ksm", in: checks)
    #expect(ksm.properties["value"] == .int(1) && ksm.properties["pages-sharing"] == .int(5120))
    #expect(ksm.evidence.last?.hasPrefix("KSM merges identical pages, also across VMs") == true)
    #expect(try Self.check("dev-kvm", in: checks).evidence[1]
      == "any local user can open it and drive the kernel's KVM code (mode 0666 gives others access)")
    #expect(try Self.check("userfaultfd", in: checks).properties["value"] == .int(1))
    #expect(try Self.check("kptr-restrict", in: checks).evidence == [
      "/proc/sys/kernel/kptr_restrict: 0", "/proc/sys/kernel/perf_event_paranoid: 1",
      "with kptr_restrict 0, any user reads real addresses in /proc/kallsyms and /proc/modules, and so the KASLR base, whenever kernel.perf_event_paranoid is 1 or less",
    ])
    #expect(try Self.check("randomize-memory", in: checks).properties["value"] == .string("not set"))
    #expect(try Self.check("lockdown", in: checks).properties["value"] == .string("none"))
  }

  @Test func kvmOpenToAnotherGroupWarns() throws {
    let host = try Self.hardened()
    try Self.device(on: host, mode: 0o660, group: "users")
    let device = try Self.check("dev-kvm", in: Self.checks(host))
    #expect(device.status == .warn)
    #expect(device.evidence.last == "group users can open it; the guide expects group kvm")
  }

  @Test(.enabled(if: KVMHostAuditTests.temporaryFilesTakeACLs, "the temporary directory's file system does not take POSIX ACLs"))
  func anACLThatOpensKVMToAUserWarns() throws {
    let host = try Self.hardened()
    // user::rw-, user:64055:rw-, group::rw-, mask::rw-, other::---
    let entries: [(UInt16, UInt16, UInt32)] = [(0x01, 6, .max), (0x02, 6, 64055), (0x04, 6, .max), (0x10, 6, .max), (0x20, 0, .max)]
    var acl: [UInt8] = [2, 0, 0, 0]
    for (tag, permissions, id) in entries {
      acl += [UInt8(tag & 0xff), UInt8(tag >> 8), UInt8(permissions), 0] + (0..<4).map { UInt8(truncatingIfNeeded: id >> (8 * $0)) }
    }
    #expect(setxattr(host.files.path("/dev/kvm"), "system.posix_acl_access", acl, acl.count, 0) == 0)
    let device = try Self.check("dev-kvm", in: Self.checks(host))
    #expect(device.status == .warn)
    #expect(device.properties["acl"] == .strings(["user:libvirt-qemu"]))
    #expect(device.evidence.last == "its ACL also lets user:libvirt-qemu open it (e.g. systemd-logind's uaccess)")
  }

  @Test func anEmptyHostIsUnknownNotAGuess() throws {
    let host = try FakeHost()
    let checks = Self.checks(host)
    #expect(statuses(checks) == (Self.coreIDs + Self.otherIDs).map { "\($0) UNKNOWN" })
    #expect(try Self.check("dev-kvm", in: checks).evidence == [
      "/dev/kvm: absent (the kvm module is not loaded, or the CPU has no virtualisation)",
    ])
    #expect(try Self.check("ksm", in: checks).evidence == ["/sys/kernel/mm/ksm/run: not readable"])
    #expect(try Self.check("randomize-memory", in: checks).evidence == ["/boot/config-6.1.0-test: not readable and no /proc/config.gz"])
    #expect(try Self.check("lockdown", in: checks).evidence == [
      "/sys/kernel/security/lockdown: not readable", "/sys/kernel/security/lsm: not readable", "is securityfs mounted on /sys/kernel/security?",
    ])
    #expect(checks.allSatisfy { $0.properties["value"] == nil })
  }

  @Test func aKernelWithoutKSMPassesAndOneWithoutTheLockdownLSMWarns() throws {
    let host = try Self.hardened()
    try FileManager.default.removeItem(atPath: host.files.path("/sys/kernel/mm/ksm"))
    try FileManager.default.removeItem(atPath: host.files.path("/sys/kernel/security/lockdown"))
    try host.write("/sys/kernel/security/lsm", "capability,yama,apparmor\n")
    let checks = Self.checks(host)
    #expect(statuses(checks).suffix(7).first == "ksm PASS")
    #expect(try Self.check("ksm", in: checks).evidence == ["/sys/kernel/mm/ksm: absent: this kernel has no KSM"])
    let lockdown = try Self.check("lockdown", in: checks)
    #expect(lockdown.status == .warn)
    #expect(lockdown.evidence.prefix(3) == [
      "/sys/kernel/security/lockdown: not readable", "/sys/kernel/security/lsm: capability,yama,apparmor", "the lockdown LSM is not active",
    ])
  }

  /// Whether a file in the temporary directory takes a POSIX access ACL.
  static var temporaryFilesTakeACLs: Bool {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-acl-\(UUID().uuidString)").path
    guard FileManager.default.createFile(atPath: path, contents: nil) else { return false }
    defer { unlink(path) }
    let acl: [UInt8] = [2, 0, 0, 0, 1, 0, 6, 0, 255, 255, 255, 255, 4, 0, 4, 0, 255, 255, 255, 255, 0x20, 0, 0, 0, 255, 255, 255, 255]
    return setxattr(path, "system.posix_acl_access", acl, acl.count, 0) == 0
  }
}
