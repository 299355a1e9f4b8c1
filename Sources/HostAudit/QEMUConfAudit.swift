/// The `/etc/libvirt/qemu.conf` settings that decide how libvirt runs each QEMU process:
/// `seccomp_sandbox`, `user` and `group`, `namespaces`, `clear_emulator_capabilities` and
/// `cgroup_device_acl`, each judged with libvirt's default when unset (libvirt 9.0, Debian 12).
/// ``VMProcessAudit`` compares what they ask for with what each process really has.
public struct QEMUConfAudit: Sendable {
  /// libvirt's `cgroup_device_acl` when qemu.conf does not set it (`defaultDeviceACL` in
  /// `src/qemu/qemu_cgroup.c`): what every QEMU may open besides its own guest's devices.
  public static let defaultDeviceACL = ["/dev/null", "/dev/full", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/ptmx", "/dev/kvm"]

  /// The user and group Debian builds libvirt with (`-Dqemu_user`, `-Dqemu_group`).
  public static let defaultUser = "libvirt-qemu"

  /// Device nodes no guest's QEMU should be able to open: host memory and I/O ports, whole
  /// disks and partitions, SCSI generic devices, CPU MSRs.
  static let hostDevicePrefixes = [
    "/dev/mem", "/dev/kmem", "/dev/port", "/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/dm-", "/dev/mapper/",
    "/dev/md", "/dev/loop", "/dev/disk/", "/dev/sg", "/dev/cpu/",
  ]

  private let files: HostFiles
  /// What reading qemu.conf gave.
  let reading: LibvirtConf.Reading

  /// Reads `/etc/libvirt/qemu.conf` below `files`' root.
  public init(files: HostFiles) {
    self.files = files
    reading = LibvirtConf.read(LibvirtConf.qemuConf, files: files)
  }

  /// `qemu-conf-seccomp-sandbox`, `qemu-conf-user`, `qemu-conf-namespaces`,
  /// `qemu-conf-clear-emulator-capabilities` and `qemu-conf-cgroup-device-acl`.
  public func checks() -> [HostCheck] {
    [seccompSandbox(), user(), namespaces(), clearEmulatorCapabilities(), cgroupDeviceACL()]
  }

  // MARK: What the file asks for, for VMProcessAudit

  /// Whether libvirt starts QEMU with its seccomp sandbox; `nil` when the file cannot be read.
  var sandboxed: Bool? {
    guard let conf = reading.conf else { return nil }
    return conf["seccomp_sandbox"] != .number(0)
  }

  /// Whether libvirt gives each QEMU a mount namespace of its own; `nil` when not known.
  var privateMountNamespace: Bool? {
    guard let conf = reading.conf else { return nil }
    guard let value = conf["namespaces"] else { return true }
    return value.strings?.contains("mount")
  }

  /// The `user` libvirt runs QEMU as, as written (Debian's default when unset); `nil` when the
  /// file cannot be read.
  var userName: String? {
    guard let conf = reading.conf else { return nil }
    guard let value = conf["user"] else { return Self.defaultUser }
    if case .string(let name) = value { return name }
    return nil
  }

  /// `key = value` as the file has it, or `key unset (libvirt's default: …)`.
  func shown(_ key: String, default fallback: String) -> String {
    let path = LibvirtConf.qemuConf
    switch reading {
    case .unreadable: return "\(path): not readable"
    case .invalid(let error): return "\(path): \(error): libvirtd does not start with this file"
    case .absent: return "\(path): absent, so \(key) has libvirt's default: \(fallback)"
    case .parsed(let conf):
      guard let entry = conf.entry(key) else { return "\(path): \(key) unset (libvirt's default: \(fallback))" }
      return "\(path):\(entry.line): \(key) = \(entry.value)"
    }
  }
}

private extension QEMUConfAudit {
  static let section = VMProcessAudit.section

  /// A setting's check: UNKNOWN when the file cannot be read or parsed, otherwise `judge`'s
  /// verdict on the value (`nil` when unset) with the setting's evidence line first.
  func setting(
    _ id: String, key: String, title: String, default fallback: String, judge: (LibvirtConf.Value?) -> (HostCheck.Status, [String])
  ) -> HostCheck {
    var properties: [String: HostValue] = ["file": .string(LibvirtConf.qemuConf), "key": .string(key)]
    let line = shown(key, default: fallback)
    guard let conf = reading.conf else {
      return HostCheck(id: id, section: Self.section, title: title, status: .unknown, evidence: [line], properties: properties)
    }
    let value = conf[key]
    properties["set"] = .bool(value != nil)
    if let value { properties["value"] = Self.property(value) }
    let (status, reasons) = judge(value)
    return HostCheck(id: id, section: Self.section, title: title, status: status, evidence: [line] + reasons, properties: properties)
  }

  static func property(_ value: LibvirtConf.Value) -> HostValue {
    switch value {
    case .number(let number): .int(number)
    case .string(let text): .string(text)
    case .list: value.strings.map { .strings($0) } ?? .string(value.description)
    }
  }

  static func wrongType(_ expected: String) -> (HostCheck.Status, [String]) {
    (.unknown, ["libvirt expects \(expected) here: libvirtd does not start with this file"])
  }

  func seccompSandbox() -> HostCheck {
    setting(
      "qemu-conf-seccomp-sandbox", key: "seccomp_sandbox", title: "QEMU runs in its seccomp sandbox (seccomp_sandbox)",
      default: "on whenever QEMU has the sandbox, as with 1"
    ) { value in
      switch value {
      case nil: return (.pass, [])
      case .number(0)?:
        return (.fail, [
          "QEMU starts with -sandbox off: a compromised QEMU may use every system call its uid allows (spawn programs, change its privileges), and it also runs without no_new_privs"
        ])
      case .number?: return (.pass, [])
      case .string?, .list?: return Self.wrongType("a number")
      }
    }
  }

  func user() -> HostCheck {
    let title = "QEMU does not run as root (user, group)"
    let fallback = "\(Self.defaultUser), as Debian builds it"
    var properties: [String: HostValue] = ["file": .string(LibvirtConf.qemuConf)]
    guard let conf = reading.conf else {
      return HostCheck(
        id: "qemu-conf-user", section: Self.section, title: title, status: .unknown, evidence: [shown("user", default: fallback)],
        properties: properties)
    }
    let accounts = Accounts(files: files)
    var evidence = [shown("user", default: fallback), shown("group", default: fallback)]
    var status = HostCheck.Status.pass
    for key in ["user", "group"] {
      guard case .string(let name) = conf[key] ?? .string(Self.defaultUser) else {
        status = .unknown
        evidence += Self.wrongType("a string for \(key)").1
        continue
      }
      properties[key] = .string(name)
      guard let id = key == "user" ? accounts.uid(of: name) : accounts.gid(of: name) else {
        if conf[key] != nil {
          status = max(status, .unknown)
          evidence.append("\(key) \(name): not in /etc/\(key == "user" ? "passwd" : "group"): libvirtd cannot start QEMU as it")
        }
        continue
      }
      properties[key == "user" ? "uid" : "gid"] = .int(Int(id))
      guard id == 0 else { continue }
      status = .fail
      evidence.append(
        key == "user"
          ? "QEMU runs as root: a guest that breaks out of device emulation is root on the host, and libvirt 9.0 leaves a root QEMU all its capabilities"
          : "QEMU runs with group root: it may read and write whatever group root may")
    }
    return HostCheck(id: "qemu-conf-user", section: Self.section, title: title, status: status, evidence: evidence, properties: properties)
  }

  func namespaces() -> HostCheck {
    setting(
      "qemu-conf-namespaces", key: "namespaces", title: "each QEMU gets a mount namespace of its own (namespaces)",
      default: "[ \"mount\" ]"
    ) { value in
      guard let value else { return (.pass, []) }
      guard let names = value.strings else { return Self.wrongType("a list of strings") }
      if names.contains("mount") { return (.pass, []) }
      return (.fail, [
        "without \"mount\", QEMU shares the host's mount namespace: it sees the host's /dev and every mount, instead of a private /dev with only its guest's devices"
      ])
    }
  }

  func clearEmulatorCapabilities() -> HostCheck {
    let obsolete =
      "libvirt 9.0 no longer reads this setting: a QEMU run as root keeps all its capabilities whatever it says, one run as another user has none (qemu-conf-user decides)"
    return setting(
      "qemu-conf-clear-emulator-capabilities", key: "clear_emulator_capabilities",
      title: "libvirt is not told to leave QEMU its capabilities (clear_emulator_capabilities)", default: "1"
    ) { value in
      switch value {
      case nil, .number(1)?: return (.pass, [obsolete])
      case .number(0)?:
        return (.warn, ["0 asks libvirt to leave a root QEMU its capabilities, which older libvirt releases do", obsolete])
      case .number?, .string?, .list?: return Self.wrongType("0 or 1")
      }
    }
  }

  func cgroupDeviceACL() -> HostCheck {
    let paths = reading.conf?["cgroup_device_acl"]?.strings
    var extra: [String] = []
    for path in paths ?? [] where !Self.defaultDeviceACL.contains(path) && !extra.contains(path) { extra.append(path) }
    let title = "QEMU may open no host devices beyond libvirt's default list (cgroup_device_acl)"
    let check = setting(
      "qemu-conf-cgroup-device-acl", key: "cgroup_device_acl", title: title,
      default: LibvirtConf.Value.list(Self.defaultDeviceACL.map { .string($0) }).description
    ) { value in
      guard value != nil else { return (.pass, []) }
      guard paths != nil else { return Self.wrongType("a list of strings") }
      guard !extra.isEmpty else { return (.pass, ["no device beyond libvirt's default list"]) }
      var reasons = ["beyond libvirt's default list: \(extra.joined(separator: ", ")): every guest's QEMU may open these, not only a guest that needs one"]
      let host = extra.filter { path in Self.hostDevicePrefixes.contains { path.hasPrefix($0) } }
      guard !host.isEmpty else { return (.warn, reasons) }
      reasons.append("\(host.joined(separator: ", ")): host memory, I/O ports, disks or CPU registers, which no QEMU should reach")
      return (.fail, reasons)
    }
    guard paths != nil else { return check }
    var properties = check.properties
    properties["extra"] = .strings(extra)
    return HostCheck(id: check.id, section: check.section, title: title, status: check.status, evidence: check.evidence, properties: properties)
  }
}
