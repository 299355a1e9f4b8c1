import HookInstallation

/// Each running guest's QEMU process as it really runs, read from `/proc/PID` of the pid in
/// `/run/libvirt/qemu/<name>.pid`: its uid and gid, seccomp filter, `no_new_privs` and
/// capabilities, and mount namespace, against what libvirt's defaults give; and the qemu.conf
/// settings that decide them (``QEMUConfAudit``). A process that differs from what qemu.conf
/// asks for now says why, e.g. that it started before the file changed.
public struct VMProcessAudit: Sendable {
  /// The section these checks appear under.
  public static let section = "QEMU processes"

  private let files: HostFiles
  private let running: [SVirtAudit.RunningDomain]
  private let conf: QEMUConfAudit

  /// Creates the audit of the running domains (their live XML, read by the collecting layer).
  public init(files: HostFiles, running: [SVirtAudit.RunningDomain]) {
    self.files = files
    self.running = running
    conf = QEMUConfAudit(files: files)
  }

  /// The qemu.conf checks, then `vm-user`, `vm-seccomp`, `vm-privileges` and `vm-namespace`
  /// for each running domain, by name.
  public func checks() -> [HostCheck] {
    let daemon = LibvirtDaemon.find(root: files.root)
    return conf.checks() + running.sorted { $0.name < $1.name }.flatMap { process($0, daemon: daemon) }
  }
}

private extension VMProcessAudit {
  /// The four checks' ids and titles.
  static let kinds = [
    ("vm-user", "the QEMU process runs as neither root nor libvirtd's user"),
    ("vm-seccomp", "the QEMU process runs under a seccomp filter"),
    ("vm-privileges", "the QEMU process has no_new_privs and no capabilities"),
    ("vm-namespace", "the QEMU process has a mount namespace of its own"),
  ]

  func check(_ kind: Int, _ name: String, _ status: HostCheck.Status, _ evidence: [String], _ properties: [String: HostValue]) -> HostCheck {
    HostCheck(
      id: "\(Self.kinds[kind].0):\(name)", section: Self.section, title: "\(name): \(Self.kinds[kind].1)", status: status, evidence: evidence,
      properties: properties)
  }

  func process(_ entry: SVirtAudit.RunningDomain, daemon: LibvirtDaemon?) -> [HostCheck] {
    let name = entry.name
    let pidFile = "/run/libvirt/qemu/\(name).pid"
    guard let text = files.value(pidFile), let pid = Int32(text), pid > 0 else {
      return Self.kinds.indices.map { check($0, name, .unknown, ["\(pidFile): not readable"], [:]) }
    }
    let properties: [String: HostValue] = ["pid": .int(Int(pid))]
    guard let text = files.text("/proc/\(pid)/status") else {
      return Self.kinds.indices.map { check($0, name, .unknown, ["\(pidFile): \(pid)", "/proc/\(pid)/status: not readable (has the guest stopped?)"], properties) }
    }
    let process = Process(
      pid: pid, name: name, domain: entry, status: ProcessStatus(text), threadFeatures: X86ThreadFeatures.parse(status: text), daemon: daemon,
      properties: properties)
    return [user(process), seccomp(process), privileges(process), namespace(process)]
  }

  /// One QEMU process and what was read about it.
  struct Process {
    let pid: Int32
    let name: String
    let domain: SVirtAudit.RunningDomain
    let status: ProcessStatus
    /// CET as the kernel enforces it for this process; `nil` when the kernel does not say.
    let threadFeatures: X86ThreadFeatures?
    let daemon: LibvirtDaemon?
    let properties: [String: HostValue]
  }

  /// Why a process differs from what qemu.conf asks for now, from when each last changed or
  /// started (the process started before the file changed, or libvirtd did, and it reads the
  /// file only when it starts), and what follows: `toFile` when the file asks for better than
  /// the process has, so restarting applies it; otherwise the guest's next start gets worse.
  func mismatch(_ process: Process, toFile: Bool) -> String {
    let path = LibvirtConf.qemuConf
    guard let changed = files.modified(path) else {
      return "\(path) is absent now: whether it said otherwise when the guest started is not known"
    }
    let change = "\(path) last changed \(HookAudit.timestamp(changed))"
    let daemon = process.daemon.flatMap { $0.startTime + $0.startUncertainty < changed ? $0 : nil }
    let reason: String
    if let started = LibvirtDaemon.startTime(pid: process.pid, root: files.root), started.time + started.uncertainty < changed {
      reason =
        "it started \(HookAudit.timestamp(started.time)), before the qemu.conf change (\(change))"
        + (daemon.map { ", and so did \($0.name) (pid \($0.pid)), which reads the file only when it starts" } ?? "")
    } else if let daemon {
      reason =
        "\(daemon.name) (pid \(daemon.pid)) started \(HookAudit.timestamp(daemon.startTime)), before the qemu.conf change (\(change)), and reads the file only when it starts"
    } else {
      return "qemu.conf last changed \(HookAudit.timestamp(changed)), before this process and \(process.daemon?.name ?? "libvirtd") started: something else decided it"
    }
    if toFile { return reason + "; restart \(daemon.map { "\($0.name), then " } ?? "")the guest to apply the file" }
    return reason + (daemon == nil ? "; its next start follows the file" : "; once \(daemon?.name ?? "libvirtd") restarts, its next start follows the file")
  }

  // MARK: The checks

  func user(_ process: Process) -> HostCheck {
    let status = process.status
    let pid = process.pid
    var properties = process.properties
    guard status.uids.count == 4, status.gids.count == 4 else {
      return check(0, process.name, .unknown, ["/proc/\(pid)/status: no Uid: and Gid: lines"], properties)
    }
    let accounts = Accounts(files: files)
    let uid = UInt32(status.uids[1])
    let gid = UInt32(status.gids[1])
    properties["uid"] = .int(status.uids[1])
    properties["gid"] = .int(status.gids[1])
    properties["user"] = .string(accounts.user(uid))
    properties["group"] = .string(accounts.group(gid))
    let ids = { (values: [Int]) in values.map(String.init).joined(separator: " ") }
    var evidence = [
      "/proc/\(pid)/status: Uid \(ids(status.uids)), Gid \(ids(status.gids)) (\(accounts.user(uid)):\(accounts.group(gid)))"
    ]
    var verdict = HostCheck.Status.pass
    var reasons: [String] = []
    func fail(_ reason: String) {
      verdict = .fail
      reasons.append(reason)
    }
    if status.uids.contains(0) { fail("it runs as root: a guest that breaks out of device emulation is root on the host") }
    if status.gids.contains(0) { fail("it runs with group root: it may read and write whatever group root may") }
    if let daemon = process.daemon, let daemonStatus = files.text("/proc/\(daemon.pid)/status").map(ProcessStatus.init),
      daemonStatus.uids.count == 4
    {
      let daemonUID = daemonStatus.uids[1]
      properties["libvirtd-uid"] = .int(daemonUID)
      evidence.append("/proc/\(daemon.pid)/status (\(daemon.name)): uid \(daemonUID)")
      if status.uids.contains(daemonUID) {
        fail("it has \(daemon.name)'s uid: a compromised QEMU may signal, trace or rewrite the daemon that manages every guest")
      }
    } else if verdict == .pass {
      verdict = .unknown
      reasons.append("no libvirtd or virqemud found by its pid file: its uid was not compared")
    }
    evidence += reasons
    // What qemu.conf asks for now, unless the domain sets its own DAC label.
    if let dac = process.domain.domain.seclabels.first(where: { $0.model == "dac" }), dac.type == "static", let label = dac.label {
      evidence.append("the live XML's <seclabel type='static' model='dac'> runs this guest as \(label), whatever qemu.conf's user says")
    } else if let configured = conf.userName, let configuredUID = accounts.uid(of: configured), configuredUID != uid {
      evidence.append(
        "qemu.conf runs QEMU as uid \(configuredUID) (\(conf.shown("user", default: QEMUConfAudit.defaultUser))), but this QEMU runs as uid \(uid): \(mismatch(process, toFile: configuredUID != 0))")
    }
    return check(0, process.name, verdict, evidence, properties)
  }

  func seccomp(_ process: Process) -> HostCheck {
    let status = process.status
    let pid = process.pid
    var properties = process.properties
    let sandbox = files.bytes("/proc/\(pid)/cmdline").flatMap(Self.sandboxArgument)
    guard let mode = status.seccomp else {
      return check(1, process.name, .fail, ["/proc/\(pid)/status: no Seccomp: line: this kernel has no seccomp, so QEMU can have no filter"], properties)
    }
    properties["seccomp"] = .int(mode)
    var line = "/proc/\(pid)/status: Seccomp: \(mode)"
    if let filters = status.seccompFilters {
      properties["seccomp-filters"] = .int(filters)
      line += ", Seccomp_filters: \(filters)"
    }
    var evidence = [line]
    if let sandbox {
      properties["sandbox"] = .string(sandbox)
      evidence.append("/proc/\(pid)/cmdline: -sandbox \(sandbox)")
    } else if files.exists("/proc/\(pid)/cmdline") {
      evidence.append("/proc/\(pid)/cmdline: no -sandbox argument")
    }
    let filtered = mode == 2 && (status.seccompFilters ?? 1) >= 1
    var verdict: HostCheck.Status
    switch mode {
    case 2 where filtered: verdict = .pass
    case 1:
      verdict = .warn
      evidence.append("strict seccomp, not QEMU's sandbox: unexpected for QEMU")
    default:
      verdict = .fail
      evidence.append("no seccomp filter: a compromised QEMU may use every system call its uid allows")
    }
    if let sandboxed = conf.sandboxed, sandboxed != filtered {
      let setting = conf.shown("seccomp_sandbox", default: "on")
      evidence.append(
        sandboxed
          ? "qemu.conf asks for the sandbox (\(setting)), but this QEMU runs without one: \(mismatch(process, toFile: true))"
          : "qemu.conf switches the sandbox off (\(setting)), but this QEMU still has its filter: \(mismatch(process, toFile: false))")
    }
    return check(1, process.name, verdict, evidence, properties)
  }

  func privileges(_ process: Process) -> HostCheck {
    let status = process.status
    let pid = process.pid
    var properties = process.properties
    guard let noNewPrivs = status.noNewPrivs, let effective = status.capEff, let permitted = status.capPrm else {
      return check(2, process.name, .unknown, ["/proc/\(pid)/status: no NoNewPrivs:, CapEff: or CapPrm: line"], properties)
    }
    properties["no-new-privs"] = .int(noNewPrivs)
    properties["cap-eff"] = .string(ProcessStatus.hex(effective))
    properties["cap-prm"] = .string(ProcessStatus.hex(permitted))
    properties["cap-eff-names"] = .strings(ProcessStatus.capabilityNames(effective))
    properties["cap-prm-names"] = .strings(ProcessStatus.capabilityNames(permitted))
    var evidence = [
      "/proc/\(pid)/status: NoNewPrivs: \(noNewPrivs), CapEff: \(ProcessStatus.hex(effective)), CapPrm: \(ProcessStatus.hex(permitted))"
    ]
    var verdict = HostCheck.Status.pass
    if noNewPrivs != 1 {
      verdict = .fail
      evidence.append("no_new_privs is off: a setuid or file-capability program QEMU executes gains privileges")
      if conf.sandboxed == false {
        evidence.append("qemu.conf switches the sandbox off (\(conf.shown("seccomp_sandbox", default: "on"))): QEMU's sandbox is what sets no_new_privs")
      }
    }
    if effective != 0 {
      verdict = .fail
      evidence.append("effective capabilities: \(Self.summary(ProcessStatus.capabilityNames(effective)))")
    }
    if permitted & ~effective != 0 {
      verdict = .fail
      evidence.append("permitted, and so available to it: \(Self.summary(ProcessStatus.capabilityNames(permitted & ~effective)))")
    }
    if effective | permitted != 0, let uid = status.uids.dropFirst().first {
      if uid != 0 {
        evidence.append("capabilities without root: something gave them to this process on purpose")
      } else if let configured = conf.userName, let configuredUID = Accounts(files: files).uid(of: configured), configuredUID != 0 {
        evidence.append(
          "qemu.conf runs QEMU as uid \(configuredUID) (\(conf.shown("user", default: QEMUConfAudit.defaultUser))), but this QEMU runs as root: \(mismatch(process, toFile: true))")
      }
    }
    // CET as enforced, not as marked: shown, not judged (no kernel of Debian 12 enforces it).
    if let features = process.threadFeatures {
      properties.merge(features.properties) { _, new in new }
      evidence.append(
        "/proc/\(pid)/status: \(features.evidence): "
          + (features.shadowStack ? "the kernel enforces a shadow stack" : "no shadow stack enforced, whatever the binary's CET marking"))
    } else {
      properties["thread-features-reported"] = .bool(false)
      evidence.append(
        "/proc/\(pid)/status: no x86_Thread_features line: this kernel enforces no user-space shadow stack (Linux 6.6 and later can), whatever the binary's CET marking")
    }
    return check(2, process.name, verdict, evidence, properties)
  }

  func namespace(_ process: Process) -> HostCheck {
    let pid = process.pid
    var properties = process.properties
    let path = "/proc/\(pid)/ns/mnt"
    guard let own = files.link(path) else {
      return check(3, process.name, .unknown, ["\(path): not readable (needs root)"], properties)
    }
    properties["mnt-ns"] = .string(own)
    var evidence = ["\(path): \(own)"]
    let reference: (path: String, who: String)? =
      process.daemon.map { ("/proc/\($0.pid)/ns/mnt", $0.name) } ?? (files.exists("/proc/1") ? ("/proc/1/ns/mnt", "PID 1") : nil)
    guard let reference, let theirs = files.link(reference.path) else {
      return check(3, process.name, .unknown, evidence + ["no libvirtd (by its pid file) or PID 1 mount namespace to compare with"], properties)
    }
    properties["reference-mnt-ns"] = .string(theirs)
    evidence.append("\(reference.path) (\(reference.who)): \(theirs)")
    let separate = own != theirs
    if !separate {
      evidence.append(
        "it shares \(reference.who)'s mount namespace: it sees the host's /dev and every mount, instead of a private /dev with only its guest's devices")
    }
    if let configured = conf.privateMountNamespace, configured != separate {
      let setting = conf.shown("namespaces", default: "[ \"mount\" ]")
      evidence.append(
        configured
          ? "qemu.conf asks for one (\(setting)), but this QEMU has none: \(mismatch(process, toFile: true))"
          : "qemu.conf asks for none (\(setting)), but this QEMU still has one: \(mismatch(process, toFile: false))")
    }
    return check(3, process.name, separate ? .pass : .fail, evidence, properties)
  }

  /// The argument after `-sandbox` in a NUL-separated command line.
  static func sandboxArgument(_ cmdline: [UInt8]) -> String? {
    let arguments = cmdline.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    guard let index = arguments.firstIndex(of: "-sandbox"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
  }

  /// Capability names, shortened when many: the most dangerous are named, the rest counted.
  static func summary(_ names: [String]) -> String {
    guard names.count > 8 else { return names.joined(separator: ", ") }
    let notable = ["cap_sys_admin", "cap_sys_module", "cap_sys_rawio", "cap_sys_ptrace", "cap_dac_override", "cap_net_admin", "cap_setuid"]
      .filter(names.contains)
    let among = notable.isEmpty ? "" : ", among them \(notable.joined(separator: ", "))"
    return "\(names.count) capabilities\(among) (all named in properties)"
  }
}
