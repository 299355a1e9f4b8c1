import CXattr

#if canImport(Glibc)
  import Glibc
#endif

/// The KVM host's own knobs that general checkers skip: the CPU vulnerabilities a guest can use
/// against the host or another guest, KSM, who can open `/dev/kvm`, unprivileged userfaultfd, and
/// what keeps the kernel's random base secret (kptr_restrict, dmesg_restrict,
/// CONFIG_RANDOMIZE_MEMORY, lockdown).
public struct KVMHostAudit: Sendable {
  /// A CPU vulnerability file in `/sys/devices/system/cpu/vulnerabilities/`, and why it matters
  /// to a KVM host.
  public struct Vulnerability: Sendable, Equatable {
    /// The file name, as the kernel spells it (`spec_rstack_overflow` is SRSO).
    public let file: String
    /// What a guest could do if it were unmitigated.
    public let risk: String
  }

  /// The vulnerabilities every kernel the guide supports reports: an absent file is `UNKNOWN`.
  public static let vulnerabilities = [
    Vulnerability(file: "itlb_multihit", risk: "a guest can machine-check the host through huge-page iTLB multihits"),
    Vulnerability(file: "l1tf", risk: "a guest can read the host's and other guests' L1 data cache"),
    Vulnerability(file: "mds", risk: "a guest can sample data from CPU buffers the host or a sibling thread filled"),
    Vulnerability(file: "mmio_stale_data", risk: "a guest can read stale data that MMIO left in CPU buffers"),
    Vulnerability(file: "retbleed", risk: "a guest can steer the host kernel's return predictions"),
    Vulnerability(file: "spec_rstack_overflow", risk: "SRSO: a guest can steer the host's return address predictions"),
    Vulnerability(file: "spectre_v2", risk: "a guest can steer the host's indirect branch predictions"),
    Vulnerability(file: "tsx_async_abort", risk: "a guest can sample CPU buffers through TSX aborts"),
  ]

  /// Vulnerabilities disclosed after the guide's oldest kernel: checked only when the kernel
  /// reports them (an older kernel has no file for them).
  public static let newerVulnerabilities = [
    Vulnerability(file: "gather_data_sampling", risk: "GDS: a guest can read vector registers the host or other guests used"),
    Vulnerability(file: "reg_file_data_sampling", risk: "RFDS: a guest can read stale register file data"),
    Vulnerability(file: "indirect_target_selection", risk: "ITS: a guest can steer the host's indirect branches"),
    Vulnerability(file: "tsa", risk: "TSA: a guest can infer data from the host's or other guests' loads"),
    Vulnerability(file: "vmscape", risk: "a guest can steer branch predictions in the host's QEMU process"),
  ]

  private let files: HostFiles
  private let release: String
  private let kernelConfig: KernelConfig?

  /// Creates the audit.
  ///
  /// - Parameters:
  ///   - release: the running kernel's release (`uname -r`).
  ///   - kernelConfig: the kernel configuration when already read; otherwise it is read here.
  public init(files: HostFiles, release: String, kernelConfig: KernelConfig? = nil) {
    self.files = files
    self.release = release
    self.kernelConfig = kernelConfig ?? KernelConfig.read(files: files, release: release)
  }

  /// Every check: the CPU vulnerabilities, then `ksm`, `dev-kvm`, `userfaultfd`,
  /// `kptr-restrict`, `dmesg-restrict`, `randomize-memory` and `lockdown`.
  public func checks() -> [HostCheck] {
    let newer = Self.newerVulnerabilities.filter { files.exists(Self.vulnerabilityDirectory + $0.file) }
    let config = kernelConfig
    return (Self.vulnerabilities + newer).map(vulnerability)
      + [ksm(), devKVM(), userfaultfd(), kptrRestrict(), dmesgRestrict(), randomizeMemory(config: config), lockdown(config: config)]
  }

  /// The verdict on one vulnerability file's text, and why: "Not affected" and "Mitigation: …"
  /// pass, "Vulnerable…" fails, "SMT vulnerable" warns, "Unknown…" and unknown wording are
  /// `UNKNOWN`.
  static func judge(_ text: String) -> (status: HostCheck.Status, reasons: [String]) {
    let parts = text.split(whereSeparator: { $0 == ";" || $0 == "," }).map { String($0).trimmingCharacters(in: " ") }
    let head = parts.first ?? ""
    if head == "Not affected" { return (.pass, []) }
    if head.hasPrefix("Vulnerable") || head.hasPrefix("KVM: Vulnerable") || head == "Processor vulnerable" {
      return (.fail, ["the kernel reports it unmitigated"])
    }
    if head.hasPrefix("Unknown") { return (.unknown, ["the kernel cannot tell whether it is mitigated"]) }
    guard head.hasPrefix("Mitigation") || head.hasPrefix("KVM: Mitigation") else {
      return (.unknown, ["wording kvmpolicy does not know: not judged"])
    }
    var status = HostCheck.Status.pass
    var reasons: [String] = []
    for part in parts.dropFirst() {
      let verdict: (HostCheck.Status, String)? =
        if part == "VMX: vulnerable" {
          (.fail, "VMX: vulnerable: KVM never flushes the L1D cache on VM entry")
        } else if part == "SMT vulnerable" {
          (.warn, "SMT vulnerable: a guest on one hyperthread can read what runs on its sibling (nosmt, or pin VMs to whole cores)")
        } else if part == "SMT Host state unknown" {
          (.unknown, "SMT Host state unknown: this kernel runs in a VM and cannot see its host's SMT")
        } else if part.contains("Vulnerable") || part.contains("vulnerable") {
          (.warn, "\(part): mitigated only in part")
        } else {
          nil
        }
      if case (let partStatus, let reason)? = verdict {
        status = max(status, partStatus)
        reasons.append(reason)
      }
    }
    return (status, reasons)
  }
}

private extension KVMHostAudit {
  static let section = "KVM host"
  static let vulnerabilityDirectory = "/sys/devices/system/cpu/vulnerabilities/"

  func check(_ id: String, _ title: String, _ status: HostCheck.Status, _ evidence: [String], _ properties: [String: HostValue]) -> HostCheck {
    HostCheck(id: id, section: Self.section, title: title, status: status, evidence: evidence, properties: properties)
  }

  /// A parameter read as evidence and, when readable, as a property.
  func parameter(_ path: String, name: String, into evidence: inout [String], _ properties: inout [String: HostValue]) -> String? {
    let value = files.value(path)
    evidence.append("\(path): \(value ?? "not readable")")
    if let value { properties[name] = .string(value) }
    return value
  }

  // MARK: CPU vulnerabilities

  func vulnerability(_ vulnerability: Vulnerability) -> HostCheck {
    let path = Self.vulnerabilityDirectory + vulnerability.file
    let id = "cpu-vuln:\(vulnerability.file)"
    var title = "CPU vulnerability \(vulnerability.file) mitigated for guests"
    var properties: [String: HostValue] = ["file": .string(path)]
    guard let text = files.value(path) else {
      return check(
        id, title, .unknown, ["\(path): absent or not readable (a kernel older than the fix, or not x86)", vulnerability.risk], properties)
    }
    properties["value"] = .string(text)
    var evidence = ["\(path): \(text)"]
    var (status, reasons) = Self.judge(text)
    switch vulnerability.file {
    case "itlb_multihit":
      title += " (with kvm.nx_huge_pages)"
      let nx = parameter("/sys/module/kvm/parameters/nx_huge_pages", name: "nx-huge-pages", into: &evidence, &properties)
      (status, reasons) = Self.itlbMultihit(text: text, nxHugePages: nx, fallback: (status, reasons))
    case "l1tf":
      title += " (with the L1D flush and SMT)"
      let flush = parameter("/sys/module/kvm_intel/parameters/vmentry_l1d_flush", name: "vmentry-l1d-flush", into: &evidence, &properties)
      _ = parameter("/sys/devices/system/cpu/smt/control", name: "smt-control", into: &evidence, &properties)
      if text != "Not affected" {
        if flush == "never" {
          status = .fail
          reasons.append("kvm_intel.vmentry_l1d_flush=never: KVM never flushes the L1D cache on VM entry")
        } else if !text.contains("VMX:"), status == .pass {
          // The kernel adds the VMX part only once kvm_intel is loaded.
          status = .unknown
          reasons.append("no VMX part: kvm_intel is not loaded, so the kernel does not report the guest side")
        }
      }
    default:
      break
    }
    if status != .pass { reasons.append(vulnerability.risk) }
    return check(id, title, status, evidence + reasons, properties)
  }

  /// itlb_multihit on an affected CPU is mitigated by KVM splitting huge pages
  /// (`kvm.nx_huge_pages=Y`); the file itself says "VMX disabled" while no VM runs.
  static func itlbMultihit(
    text: String, nxHugePages: String?, fallback: (status: HostCheck.Status, reasons: [String])
  ) -> (status: HostCheck.Status, reasons: [String]) {
    if text == "Not affected" || text == "KVM: Mitigation: VMX unsupported" { return (.pass, []) }
    switch nxHugePages {
    case "Y": return (.pass, [])
    case "N", "never": return (.fail, ["kvm.nx_huge_pages is off on an affected CPU"])
    case .some(let other): return (.unknown, ["kvm.nx_huge_pages=\(other): a value kvmpolicy does not know"])
    case nil:
      if text == "KVM: Mitigation: Split huge pages" || text == "KVM: Vulnerable" { return fallback }
      // "Processor vulnerable" is what a kernel without kvm_intel says.
      return (.unknown, ["kvm.nx_huge_pages is not readable: whether KVM will split huge pages is not known"])
    }
  }

  // MARK: Memory sharing and devices

  func ksm() -> HostCheck {
    let path = "/sys/kernel/mm/ksm/run"
    let title = "KSM does not merge memory pages across VMs"
    var properties: [String: HostValue] = ["file": .string(path)]
    guard let value = files.value(path) else {
      // With sysfs readable, no ksm directory means a kernel built without KSM.
      if files.exists("/sys/kernel/mm"), !files.exists("/sys/kernel/mm/ksm") {
        return check("ksm", title, .pass, ["/sys/kernel/mm/ksm: absent: this kernel has no KSM"], properties)
      }
      return check("ksm", title, .unknown, ["\(path): not readable"], properties)
    }
    var evidence = ["\(path): \(value)"]
    if let number = Int(value) { properties["value"] = .int(number) } else { properties["value"] = .string(value) }
    if let sharing = files.value("/sys/kernel/mm/ksm/pages_sharing"), let pages = Int(sharing) {
      evidence.append("/sys/kernel/mm/ksm/pages_sharing: \(pages)")
      properties["pages-sharing"] = .int(pages)
    }
    switch value {
    case "0", "2":
      return check("ksm", title, .pass, evidence, properties)
    case "1":
      evidence.append(
        "KSM merges identical pages, also across VMs: a guest can time copy-on-write faults to learn what other guests hold (cross-VM side channel); echo 2 > \(path)")
      return check("ksm", title, .fail, evidence, properties)
    default:
      return check("ksm", title, .unknown, evidence + ["a value kvmpolicy does not know"], properties)
    }
  }

  /// Who can open /dev/kvm: its mode, owner and group (names from the root's /etc/passwd and
  /// /etc/group), the kvm group's members, and named entries of a POSIX ACL.
  func devKVM() -> HostCheck {
    let path = "/dev/kvm"
    let title = "/dev/kvm can be opened only by root and the kvm group"
    var properties: [String: HostValue] = ["file": .string(path)]
    var info = stat()
    guard stat(files.path(path), &info) == 0 else {
      let reason = errno == ENOENT ? "absent (the kvm module is not loaded, or the CPU has no virtualisation)" : String(cString: strerror(errno))
      return check("dev-kvm", title, .unknown, ["\(path): \(reason)"], properties)
    }
    let accounts = Accounts(files: files)
    let mode = Int(info.st_mode & 0o7777)
    let owner = accounts.user(info.st_uid)
    let group = accounts.group(info.st_gid)
    let octal = String(repeating: "0", count: max(0, 4 - String(mode, radix: 8).count)) + String(mode, radix: 8)
    let kind = info.st_mode & S_IFMT == S_IFCHR ? "character device" : "not a character device"
    properties["mode"] = .string(octal)
    properties["uid"] = .int(Int(info.st_uid))
    properties["gid"] = .int(Int(info.st_gid))
    properties["owner"] = .string(owner)
    properties["group"] = .string(group)
    var evidence = ["\(path): \(kind), mode \(octal), owner \(owner), group \(group)"]
    var status = HostCheck.Status.pass
    if mode & 0o006 != 0 {
      status = .fail
      evidence.append("any local user can open it and drive the kernel's KVM code (mode \(octal) gives others access)")
    }
    if mode & 0o060 != 0 {
      if group == "kvm" {
        let members = accounts.members(gid: info.st_gid)
        properties["group-members"] = .strings(members)
        evidence.append("group kvm: \(members.isEmpty ? "no members" : members.joined(separator: ", "))")
      } else {
        status = max(status, .warn)
        evidence.append("group \(group) can open it; the guide expects group kvm")
      }
    }
    if mode & 0o600 != 0, owner != "root" {
      status = max(status, .warn)
      evidence.append("owner \(owner) can open it; the guide expects root")
    }
    let granted = acl(files.path(path), accounts: accounts)
    if !granted.isEmpty {
      properties["acl"] = .strings(granted)
      status = max(status, .warn)
      evidence.append("its ACL also lets \(granted.joined(separator: ", ")) open it (e.g. systemd-logind's uaccess)")
    }
    return check("dev-kvm", title, status, evidence, properties)
  }

  /// The named users and groups a POSIX access ACL grants read or write (`user:NAME`,
  /// `group:NAME`), from the `system.posix_acl_access` attribute.
  func acl(_ realPath: String, accounts: Accounts) -> [String] {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let size = getxattr(realPath, "system.posix_acl_access", &buffer, buffer.count)
    // Version 2 header (4 bytes), then entries of tag (2), permissions (2), id (4), little-endian.
    guard size >= 4 else { return [] }
    var granted: [String] = []
    var offset = 4
    while offset + 8 <= size {
      let tag = UInt16(buffer[offset]) | UInt16(buffer[offset + 1]) << 8
      let permissions = UInt16(buffer[offset + 2]) | UInt16(buffer[offset + 3]) << 8
      let id = (0..<4).reduce(UInt32(0)) { $0 | UInt32(buffer[offset + 4 + $1]) << (8 * UInt32($1)) }
      if permissions & 0o6 != 0 {
        if tag == 0x02 { granted.append("user:\(accounts.user(id))") }
        if tag == 0x08 { granted.append("group:\(accounts.group(id))") }
      }
      offset += 8
    }
    return granted
  }

  // MARK: Sysctls and what keeps the kernel's random base secret

  /// A sysctl read as a number: `pass` decides from it; unreadable or not a number is `UNKNOWN`.
  /// A failure adds `failure`, and `context`'s value when it is readable.
  func sysctl(_ id: String, _ path: String, _ title: String, failure: String, context: String? = nil, pass: (Int) -> Bool) -> HostCheck {
    var properties: [String: HostValue] = ["file": .string(path)]
    guard let value = files.value(path) else { return check(id, title, .unknown, ["\(path): not readable"], properties) }
    guard let number = Int(value) else {
      properties["value"] = .string(value)
      return check(id, title, .unknown, ["\(path): \(value)", "not a number"], properties)
    }
    properties["value"] = .int(number)
    guard !pass(number) else { return check(id, title, .pass, ["\(path): \(number)"], properties) }
    let related = context.flatMap { path in files.value(path).map { "\(path): \($0)" } }
    return check(id, title, .fail, ["\(path): \(number)"] + (related.map { [$0] } ?? []) + [failure], properties)
  }

  func userfaultfd() -> HostCheck {
    sysctl(
      "userfaultfd", "/proc/sys/vm/unprivileged_userfaultfd", "unprivileged users cannot use userfaultfd (vm.unprivileged_userfaultfd = 0)",
      failure: "any user can stall the kernel at a page fault of their choice, which turns kernel races into reliable exploits"
    ) { $0 == 0 }
  }

  func kptrRestrict() -> HostCheck {
    sysctl(
      "kptr-restrict", "/proc/sys/kernel/kptr_restrict", "kernel pointers are hidden from users (kernel.kptr_restrict >= 1)",
      failure: "with kptr_restrict 0, any user reads real addresses in /proc/kallsyms and /proc/modules, and so the KASLR base, whenever kernel.perf_event_paranoid is 1 or less",
      context: "/proc/sys/kernel/perf_event_paranoid"
    ) { $0 >= 1 }
  }

  func dmesgRestrict() -> HostCheck {
    sysctl(
      "dmesg-restrict", "/proc/sys/kernel/dmesg_restrict", "only privileged users read the kernel log (kernel.dmesg_restrict = 1)",
      failure: "any user can read the kernel log, where addresses and oops dumps give away the KASLR base"
    ) { $0 == 1 }
  }

  func randomizeMemory(config: KernelConfig?) -> HostCheck {
    let title = "the kernel's memory regions are randomised too (CONFIG_RANDOMIZE_MEMORY)"
    var properties: [String: HostValue] = ["option": .string("CONFIG_RANDOMIZE_MEMORY")]
    guard let config else {
      return check(
        "randomize-memory", title, .unknown, [KernelConfig.unreadable(release: release)], properties)
    }
    let value = config["CONFIG_RANDOMIZE_MEMORY"]
    properties["value"] = .string(value ?? "not set")
    var evidence = ["kernel config: CONFIG_RANDOMIZE_MEMORY=\(value ?? "(not set)")"]
    if value != "y" {
      evidence.append("the direct map, vmalloc and vmemmap sit at fixed addresses: one leaked pointer locates them all")
    }
    return check("randomize-memory", title, value == "y" ? .pass : .fail, evidence, properties)
  }

  /// Kernel lockdown: the bracketed word of /sys/kernel/security/lockdown.
  func lockdown(config: KernelConfig?) -> HostCheck {
    let path = "/sys/kernel/security/lockdown"
    let title = "kernel lockdown keeps root from reading or changing the running kernel"
    var properties: [String: HostValue] = ["file": .string(path)]
    let advice = "root can read kernel memory (/dev/mem, kcore, kprobes) and so the KASLR base; lockdown=integrity on the kernel command line"
    if let value = files.value(path) {
      let mode = value.split(separator: " ").first { $0.hasPrefix("[") && $0.hasSuffix("]") }.map { String($0.dropFirst().dropLast()) }
      guard let mode else { return check("lockdown", title, .unknown, ["\(path): \(value)", "no bracketed mode"], properties) }
      properties["value"] = .string(mode)
      let status: HostCheck.Status = mode == "none" ? .warn : (mode == "integrity" || mode == "confidentiality" ? .pass : .unknown)
      return check("lockdown", title, status, ["\(path): \(value)"] + (status == .warn ? [advice] : []), properties)
    }
    var evidence = ["\(path): not readable"]
    if let lsms = files.value("/sys/kernel/security/lsm") {
      evidence.append("/sys/kernel/security/lsm: \(lsms)")
      if !lsms.split(separator: ",").contains("lockdown") {
        properties["value"] = .string("none")
        return check("lockdown", title, .warn, evidence + ["the lockdown LSM is not active", advice], properties)
      }
      return check("lockdown", title, .unknown, evidence, properties)
    }
    evidence.append("/sys/kernel/security/lsm: not readable")
    if let config, config["CONFIG_SECURITY_LOCKDOWN_LSM"] != "y" {
      properties["value"] = .string("none")
      return check("lockdown", title, .warn, evidence + ["kernel config: CONFIG_SECURITY_LOCKDOWN_LSM is not set", advice], properties)
    }
    return check("lockdown", title, .unknown, evidence + ["is securityfs mounted on /sys/kernel/security?"], properties)
  }
}
