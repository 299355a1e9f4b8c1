import DomainModel

/// The guide's "Ensure sVirt framework is active": the host's LSM, libvirt's security settings,
/// and the label each running QEMU process really has.
public struct SVirtAudit: Sendable {
  /// A running domain as the audit needs it.
  public struct RunningDomain: Sendable {
    /// The name.
    public let name: String
    /// Its live XML, read from libvirt.
    public let domain: Domain

    /// Creates an entry.
    public init(name: String, domain: Domain) {
      self.name = name
      self.domain = domain
    }
  }

  private let files: HostFiles
  private let securityModels: [String]?
  private let running: [RunningDomain]

  /// Creates the audit.
  ///
  /// - Parameters:
  ///   - securityModels: the node's models from libvirt's capabilities, `nil` when libvirt
  ///     could not be asked.
  ///   - running: the running domains with their live XML.
  public init(files: HostFiles, securityModels: [String]?, running: [RunningDomain]) {
    self.files = files
    self.securityModels = securityModels
    self.running = running
  }

  /// Every sVirt check.
  public func checks() -> [HostCheck] {
    var checks = [lsm(), driver()]
    checks += qemuConf()
    checks += processes()
    return checks
  }

  private func lsm() -> HostCheck {
    let lsms = files.value("/sys/kernel/security/lsm") ?? ""
    var evidence = ["/sys/kernel/security/lsm: \(lsms.isEmpty ? "not readable" : lsms)"]
    let enforce = files.value("/sys/fs/selinux/enforce")
    if let enforce { evidence.append("/sys/fs/selinux/enforce: \(enforce)") }
    let apparmor = files.value("/sys/module/apparmor/parameters/enabled")
    if let apparmor { evidence.append("/sys/module/apparmor/parameters/enabled: \(apparmor)") }
    let status: HostCheck.Status
    if enforce == "1" || (apparmor == "Y" && files.exists("/sys/kernel/security/apparmor")) {
      status = .pass
    } else if enforce == "0" {
      evidence.append("SELinux is permissive: it logs but does not confine")
      status = .warn
    } else {
      if enforce == nil && apparmor == nil {
        evidence.append("/sys/fs/selinux/enforce and /sys/module/apparmor/parameters/enabled: absent (neither LSM is in this kernel)")
      }
      evidence.append("neither SELinux nor AppArmor is active: sVirt has nothing to confine QEMU with")
      status = .fail
    }
    return HostCheck(id: "lsm-active", section: "sVirt", title: "SELinux enforcing or AppArmor enabled", status: status, evidence: evidence)
  }

  private func driver() -> HostCheck {
    let title = "libvirt confines guests with SELinux or AppArmor"
    guard let models = securityModels else {
      return HostCheck(id: "libvirt-security-model", section: "sVirt", title: title, status: .unknown, evidence: ["libvirt capabilities: not readable"])
    }
    let mac = models.filter { $0 == "selinux" || $0 == "apparmor" }
    var evidence = ["libvirt capabilities <secmodel>: \(models.isEmpty ? "none" : models.joined(separator: ", "))"]
    if mac.isEmpty {
      evidence.append(models.contains("dac") ? "DAC alone is not sVirt: every VM runs as the same uid:gid" : "no security driver at all")
    }
    return HostCheck(id: "libvirt-security-model", section: "sVirt", title: title, status: mac.isEmpty ? .fail : .pass, evidence: evidence)
  }

  private func qemuConf() -> [HostCheck] {
    let path = LibvirtConf.qemuConf
    let reading = LibvirtConf.read(path, files: files)
    // No file means libvirt's defaults; a file we cannot read or parse means we cannot tell.
    let conf = reading.conf
    let driver = conf?["security_driver"]
    let defaultConfined = conf?["security_default_confined"]
    let requireConfined = conf?["security_require_confined"]
    let shown = { (key: String, value: LibvirtConf.Value?) in
      switch reading {
      case .unreadable: "\(path): not readable"
      case .invalid(let error): "\(path): \(error): libvirtd does not start with this file"
      case .absent, .parsed: "\(path): \(key) = \(value?.description ?? "(unset)")"
      }
    }
    let unset = { (value: LibvirtConf.Value?) in conf != nil && value == nil }
    var checks: [HostCheck] = []
    checks.append(
      HostCheck(
        id: "qemu-conf-security-driver", section: "sVirt", title: "qemu.conf does not switch the security driver off",
        status: conf == nil ? .unknown : (Self.names(driver).contains("none") ? .fail : .pass),
        evidence: [reading == .absent ? "\(path): absent, so libvirt's defaults apply" : shown("security_driver", driver)]))
    checks.append(
      HostCheck(
        id: "qemu-conf-default-confined", section: "sVirt", title: "guests are confined by default (security_default_confined)",
        status: conf == nil ? .unknown : (defaultConfined == .number(0) ? .fail : .pass),
        evidence: [shown("security_default_confined", defaultConfined) + (unset(defaultConfined) ? " (libvirt's default: 1)" : "")]))
    checks.append(
      HostCheck(
        id: "qemu-conf-require-confined", section: "sVirt",
        title: "a guest cannot ask to run unconfined (security_require_confined)",
        status: conf == nil ? .unknown : (requireConfined == .number(1) ? .pass : .warn),
        evidence: [
          shown("security_require_confined", requireConfined)
            + (unset(requireConfined) ? " (libvirt's default: 0, <seclabel type='none'> is honoured)" : "")
        ]))
    return checks
  }

  /// `security_driver`'s names: a string or a list of strings, as libvirt reads it.
  private static func names(_ value: LibvirtConf.Value?) -> [String] {
    if case .string(let name)? = value { return [name] }
    return value?.strings ?? []
  }

  private func processes() -> [HostCheck] {
    var checks: [HostCheck] = []
    var holders: [String: [String]] = [:]
    for entry in running.sorted(by: { $0.name < $1.name }) {
      let pidFile = "/run/libvirt/qemu/\(entry.name).pid"
      guard let pid = files.value(pidFile), !pid.isEmpty else {
        checks.append(
          HostCheck(id: "vm-confined:\(entry.name)", section: "sVirt", title: "\(entry.name): the QEMU process is confined", status: .unknown, evidence: ["\(pidFile): not readable"]))
        continue
      }
      let label = files.value("/proc/\(pid)/attr/apparmor/current") ?? files.value("/proc/\(pid)/attr/current") ?? ""
      let ids = (files.text("/proc/\(pid)/status") ?? "").split(separator: "\n").filter { $0.hasPrefix("Uid:") || $0.hasPrefix("Gid:") }
        .map { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.map(String.init) ?? "?" }
      var evidence = ["\(pidFile): \(pid)", "/proc/\(pid)/attr/current: \(label.isEmpty ? "(empty)" : label)"]
      if ids.count == 2 { evidence.append("/proc/\(pid)/status: uid \(ids[0]) gid \(ids[1])") }
      let claimed = entry.domain.seclabels.first { $0.model == "selinux" || $0.model == "apparmor" }
      let confined = !label.isEmpty && label != "unconfined" && !label.hasPrefix("unconfined ") && !label.contains(":unconfined_t:")
      var status: HostCheck.Status = confined ? .pass : .fail
      if !confined {
        evidence.append(
          entry.domain.seclabels.contains { $0.model == "dac" }
            ? "only DAC: the process runs as the uid:gid every other VM runs as; that is not sVirt" : "the QEMU process runs unconfined")
      } else if let claimed, let expected = claimed.label, !label.hasPrefix(expected.split(separator: " ").first.map(String.init) ?? expected) {
        evidence.append("the live XML claims \(expected)")
        status = .fail
      }
      // What the live XML says about confinement, beside what the process really has.
      for seclabel in entry.domain.seclabels where seclabel.model != "dac" {
        if seclabel.type == "none" {
          evidence.append("the live XML has <seclabel type='none'>: sVirt is switched off for this VM")
          status = .fail
        } else if seclabel.relabel == "no" {
          evidence.append("the live XML has relabel='no': the VM's images keep labels other VMs may use")
          if status == .pass { status = .warn }
        }
      }
      if confined { holders[label, default: []].append(entry.name) }
      checks.append(
        HostCheck(id: "vm-confined:\(entry.name)", section: "sVirt", title: "\(entry.name): the QEMU process is confined with its own label", status: status, evidence: evidence))
    }
    let shared = holders.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
    if !running.isEmpty {
      checks.append(
        HostCheck(
          id: "vm-labels-unique", section: "sVirt", title: "no two running VMs share a label",
          status: shared.isEmpty ? (holders.isEmpty ? .unknown : .pass) : .fail,
          evidence: shared.isEmpty
            ? ["\(holders.count) confined process label\(holders.count == 1 ? "" : "s"), all different"]
            : shared.map { "label \($0.key) is shared by \($0.value.joined(separator: ", "))" }))
    }
    return checks
  }
}
