import DomainModel
import Foundation
import HostAudit
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The "QEMU processes" section on fixture /proc, /run and /etc trees.
@Suite struct VMProcessAuditTests {
  static let confIDs = [
    "qemu-conf-seccomp-sandbox", "qemu-conf-user", "qemu-conf-namespaces", "qemu-conf-clear-emulator-capabilities",
    "qemu-conf-cgroup-device-acl",
  ]
  static let hostNamespace = "mnt:[4026531832]"
  static let sandbox = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
  /// The boot time of the fixture hosts, and when their qemu.conf last changed.
  static let boot = 1_700_000_000
  static let confChanged = boot + 500
  static let ticks = Int(sysconf(Int32(_SC_CLK_TCK)))

  static func ids(_ name: String) -> [String] { ["vm-user", "vm-seccomp", "vm-privileges", "vm-namespace"].map { "\($0):\(name)" } }

  /// A host with the accounts Debian's libvirt creates and libvirtd (pid 50, root, the host's
  /// mount namespace) started 100 s after boot.
  static func host(libvirtd: Bool = true, libvirtdStartedAfter: Int = 100) throws -> FakeHost {
    let host = try FakeHost()
    try host.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nlibvirt-qemu:x:999:994:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin\n")
    try host.write("/etc/group", "root:x:0:\nlibvirt-qemu:x:994:\n")
    try host.write("/proc/stat", "cpu  1 2 3\nbtime \(boot)\n")
    try host.link("/proc/1/ns/mnt", to: hostNamespace)
    if libvirtd {
      try host.write("/run/libvirtd.pid", "50\n")
      try process(on: host, pid: 50, comm: "libvirtd", status: status(uid: 0, gid: 0, seccomp: 0, filters: 0, noNewPrivs: 0, caps: "000001ffffffffff"),
        namespace: hostNamespace, startedAfter: libvirtdStartedAfter)
    }
    return host
  }

  /// /proc/PID/status as the kernel writes it.
  static func status(uid: Int, gid: Int, seccomp: Int?, filters: Int?, noNewPrivs: Int, caps: String, permitted: String? = nil) -> String {
    var lines = ["Name:\tqemu-system-x86", "Uid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)", "Gid:\t\(gid)\t\(gid)\t\(gid)\t\(gid)"]
    lines += ["CapInh:\t0000000000000000", "CapPrm:\t\(permitted ?? caps)", "CapEff:\t\(caps)", "CapBnd:\t000001ffffffffff", "NoNewPrivs:\t\(noNewPrivs)"]
    if let seccomp { lines.append("Seccomp:\t\(seccomp)") }
    if let filters { lines.append("Seccomp_filters:\t\(filters)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// /proc/PID: status, comm, stat (started `startedAfter` seconds after boot), ns/mnt and cmdline.
  static func process(
    on host: FakeHost, pid: Int, comm: String = "qemu-system-x86", status: String, namespace: String, startedAfter: Int = 1000,
    arguments: [String] = ["/usr/bin/qemu-system-x86_64", "-name", "guest=vm", "-sandbox", VMProcessAuditTests.sandbox]
  ) throws {
    try host.write("/proc/\(pid)/status", status)
    try host.write("/proc/\(pid)/comm", comm + "\n")
    let fields = ["S"] + Array(repeating: "0", count: 18) + [String(startedAfter * ticks)] + Array(repeating: "0", count: 10)
    try host.write("/proc/\(pid)/stat", "\(pid) (\(comm)) " + fields.joined(separator: " ") + "\n")
    try host.link("/proc/\(pid)/ns/mnt", to: namespace)
    try host.write("/proc/\(pid)/cmdline", arguments.joined(separator: "\u{0}") + "\u{0}")
  }

  /// A running guest `name` whose QEMU has pid `pid`, as libvirt's defaults run it unless told.
  static func guest(
    _ name: String, pid: Int, on host: FakeHost, uid: Int = 999, gid: Int = 994, seccomp: Int? = 2, filters: Int? = 1, noNewPrivs: Int = 1,
    caps: String = "0000000000000000", permitted: String? = nil, namespace: String = "mnt:[4026532177]", startedAfter: Int = 1000,
    sandbox: String = VMProcessAuditTests.sandbox, seclabel: String = ""
  ) throws -> SVirtAudit.RunningDomain {
    try host.write("/run/libvirt/qemu/\(name).pid", "\(pid)")
    try process(
      on: host, pid: pid,
      status: status(uid: uid, gid: gid, seccomp: seccomp, filters: filters, noNewPrivs: noNewPrivs, caps: caps, permitted: permitted),
      namespace: namespace, startedAfter: startedAfter, arguments: ["/usr/bin/qemu-system-x86_64", "-sandbox", sandbox])
    let xml = "<domain type='qemu' id='1'><name>\(name)</name><devices/>\(seclabel)</domain>"
    return SVirtAudit.RunningDomain(name: name, domain: try DomainDocument(xml: xml, source: name).domain)
  }

  /// Writes qemu.conf and dates its last change `confChanged`.
  static func conf(_ text: String, on host: FakeHost) throws {
    try host.write("/etc/libvirt/qemu.conf", text)
    let date = Date(timeIntervalSince1970: TimeInterval(confChanged))
    try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: host.files.path("/etc/libvirt/qemu.conf"))
  }

  static func check(_ id: String, in checks: [HostCheck]) throws -> HostCheck {
    try #require(checks.first { $0.id == id }, "no check \(id)")
  }

  @Test func libvirtsDefaultsPassEveryCheckWithTypedProperties() throws {
    let host = try Self.host()
    let running = [try Self.guest("vm", pid: 101, on: host)]
    let checks = VMProcessAudit(files: host.files, running: running).checks()
    #expect(statuses(checks) == (Self.confIDs + Self.ids("vm")).map { "\($0) PASS" })
    #expect(checks.allSatisfy { $0.section == "QEMU processes" })
    let user = try Self.check("vm-user:vm", in: checks)
    #expect(user.evidence == ["/proc/101/status: Uid 999 999 999 999, Gid 994 994 994 994 (libvirt-qemu:libvirt-qemu)", "/proc/50/status (libvirtd): uid 0"])
    #expect(user.properties == [
      "pid": .int(101), "uid": .int(999), "gid": .int(994), "user": .string("libvirt-qemu"), "group": .string("libvirt-qemu"), "libvirtd-uid": .int(0),
    ])
    let seccomp = try Self.check("vm-seccomp:vm", in: checks)
    #expect(seccomp.evidence == ["/proc/101/status: Seccomp: 2, Seccomp_filters: 1", "/proc/101/cmdline: -sandbox \(Self.sandbox)"])
    #expect(seccomp.properties == ["pid": .int(101), "seccomp": .int(2), "seccomp-filters": .int(1), "sandbox": .string(Self.sandbox)])
    let privileges = try Self.check("vm-privileges:vm", in: checks)
    #expect(privileges.properties["cap-eff"] == .string("0000000000000000") && privileges.properties["no-new-privs"] == .int(1))
    #expect(privileges.properties["cap-eff-names"] == .strings([]))
    let namespace = try Self.check("vm-namespace:vm", in: checks)
    #expect(namespace.evidence == ["/proc/101/ns/mnt: mnt:[4026532177]", "/proc/50/ns/mnt (libvirtd): mnt:[4026531832]"])
    #expect(namespace.properties["mnt-ns"] == .string("mnt:[4026532177]") && namespace.properties["reference-mnt-ns"] == .string(Self.hostNamespace))
    let conf = try Self.check("qemu-conf-seccomp-sandbox", in: checks)
    #expect(conf.evidence == ["/etc/libvirt/qemu.conf: absent, so seccomp_sandbox has libvirt's default: on whenever QEMU has the sandbox, as with 1"])
    #expect(try Self.check("qemu-conf-user", in: checks).properties == [
      "file": .string("/etc/libvirt/qemu.conf"), "user": .string("libvirt-qemu"), "group": .string("libvirt-qemu"), "uid": .int(999), "gid": .int(994),
    ])
  }

  @Test func aRootQEMUWithoutSandboxOrNamespaceFailsEachCheckAsQemuConfAsks() throws {
    let host = try Self.host()
    try Self.conf("seccomp_sandbox = 0\nnamespaces = []\nuser = \"root\"\ngroup = \"+0\"\n", on: host)
    let running = [
      try Self.guest(
        "vm", pid: 102, on: host, uid: 0, gid: 0, seccomp: 0, filters: 0, noNewPrivs: 0, caps: "000001fffeffffff", namespace: Self.hostNamespace,
        startedAfter: 1000, sandbox: "off")
    ]
    let checks = VMProcessAudit(files: host.files, running: running).checks()
    #expect(statuses(checks) == [
      "qemu-conf-seccomp-sandbox FAIL", "qemu-conf-user FAIL", "qemu-conf-namespaces FAIL", "qemu-conf-clear-emulator-capabilities PASS",
      "qemu-conf-cgroup-device-acl PASS",
    ] + Self.ids("vm").map { "\($0) FAIL" })
    #expect(try Self.check("qemu-conf-seccomp-sandbox", in: checks).evidence.first == "/etc/libvirt/qemu.conf:1: seccomp_sandbox = 0")
    #expect(try Self.check("qemu-conf-user", in: checks).properties["gid"] == .int(0))
    let user = try Self.check("vm-user:vm", in: checks)
    #expect(user.evidence.contains("it runs as root: a guest that breaks out of device emulation is root on the host"))
    #expect(user.evidence.contains("it has libvirtd's uid: a compromised QEMU may signal, trace or rewrite the daemon that manages every guest"))
    let seccomp = try Self.check("vm-seccomp:vm", in: checks)
    #expect(seccomp.evidence == [
      "/proc/102/status: Seccomp: 0, Seccomp_filters: 0", "/proc/102/cmdline: -sandbox off",
      "no seccomp filter: a compromised QEMU may use every system call its uid allows",
    ])
    let privileges = try Self.check("vm-privileges:vm", in: checks)
    #expect(privileges.evidence.contains("no_new_privs is off: a setuid or file-capability program QEMU executes gains privileges"))
    #expect(privileges.evidence.contains(
      "qemu.conf switches the sandbox off (/etc/libvirt/qemu.conf:1: seccomp_sandbox = 0): QEMU's sandbox is what sets no_new_privs"))
    #expect(privileges.evidence.contains(
      "effective capabilities: 40 capabilities, among them cap_sys_admin, cap_sys_module, cap_sys_rawio, cap_sys_ptrace, cap_dac_override, cap_net_admin, cap_setuid (all named in properties)"
    ))
    var names: [String] = []
    if case .strings(let list)? = privileges.properties["cap-eff-names"] { names = list }
    #expect(names.count == 40 && names.contains("cap_sys_admin") && !names.contains("cap_sys_resource"))
    #expect(privileges.properties["cap-eff"] == .string("000001fffeffffff"))
    let namespace = try Self.check("vm-namespace:vm", in: checks)
    #expect(namespace.evidence.last
      == "it shares libvirtd's mount namespace: it sees the host's /dev and every mount, instead of a private /dev with only its guest's devices")
  }

  @Test func aGuestStartedBeforeTheQemuConfChangeKeepsWhatItHadAndSaysWhy() throws {
    // The file switched the sandbox and the namespace off after the guest started; libvirtd
    // restarted since: the guest's next start gets the file's settings.
    let host = try Self.host(libvirtdStartedAfter: 600)
    try Self.conf("seccomp_sandbox = 0\nnamespaces = []\nuser = \"root\"\n", on: host)
    let running = [try Self.guest("vm", pid: 103, on: host, startedAfter: 400)]
    let checks = VMProcessAudit(files: host.files, running: running).checks()
    #expect(statuses(checks).filter { $0.hasPrefix("vm-") } == Self.ids("vm").map { "\($0) PASS" })
    let started = "it started 2023-11-14 22:20:00 UTC, before the qemu.conf change (/etc/libvirt/qemu.conf last changed 2023-11-14 22:21:40 UTC)"
    #expect(try Self.check("vm-seccomp:vm", in: checks).evidence.last
      == "qemu.conf switches the sandbox off (/etc/libvirt/qemu.conf:1: seccomp_sandbox = 0), but this QEMU still has its filter: \(started); its next start follows the file")
    #expect(try Self.check("vm-namespace:vm", in: checks).evidence.last
      == "qemu.conf asks for none (/etc/libvirt/qemu.conf:2: namespaces = []), but this QEMU still has one: \(started); its next start follows the file")
    #expect(try Self.check("vm-user:vm", in: checks).evidence.last
      == "qemu.conf runs QEMU as uid 0 (/etc/libvirt/qemu.conf:3: user = \"root\"), but this QEMU runs as uid 999: \(started); its next start follows the file")
  }

  @Test func aGuestWithoutWhatQemuConfAsksForNamesTheStaleLibvirtd() throws {
    // libvirtd started before the file was fixed and started the guest after: both must restart.
    let host = try Self.host(libvirtdStartedAfter: 100)
    try Self.conf("# sandbox back on\nseccomp_sandbox = 1\n", on: host)
    let running = [try Self.guest("vm", pid: 104, on: host, seccomp: 0, filters: 0, startedAfter: 1000, sandbox: "off")]
    let check = try Self.check("vm-seccomp:vm", in: VMProcessAudit(files: host.files, running: running).checks())
    #expect(check.status == .fail)
    #expect(check.evidence.last
      == "qemu.conf asks for the sandbox (/etc/libvirt/qemu.conf:2: seccomp_sandbox = 1), but this QEMU runs without one: libvirtd (pid 50) started 2023-11-14 22:15:00 UTC, before the qemu.conf change (/etc/libvirt/qemu.conf last changed 2023-11-14 22:21:40 UTC), and reads the file only when it starts; restart libvirtd, then the guest to apply the file")
  }

  @Test func seccompModesAndFilterCounts() throws {
    let host = try Self.host()
    let running = [
      try Self.guest("no-filter", pid: 201, on: host, seccomp: 2, filters: 0),
      try Self.guest("old-kernel", pid: 202, on: host, seccomp: 2, filters: nil),
      try Self.guest("strict", pid: 203, on: host, seccomp: 1, filters: 0),
      try Self.guest("no-seccomp", pid: 204, on: host, seccomp: nil, filters: nil),
    ]
    let checks = VMProcessAudit(files: host.files, running: running).checks().filter { $0.id.hasPrefix("vm-seccomp:") }
    #expect(statuses(checks) == [
      "vm-seccomp:no-filter FAIL", "vm-seccomp:no-seccomp FAIL", "vm-seccomp:old-kernel PASS", "vm-seccomp:strict WARN",
    ])
    #expect(checks[1].evidence == ["/proc/204/status: no Seccomp: line: this kernel has no seccomp, so QEMU can have no filter"])
    #expect(checks[2].properties["seccomp-filters"] == nil)
  }

  @Test func capabilitiesWithoutRootAndPermittedOnlyAreNamed() throws {
    let host = try Self.host()
    // CAP_NET_ADMIN (12) effective, CAP_SYS_ADMIN (21) permitted only.
    let running = [try Self.guest("vm", pid: 301, on: host, caps: "0000000000001000", permitted: "0000000000201000")]
    let check = try Self.check("vm-privileges:vm", in: VMProcessAudit(files: host.files, running: running).checks())
    #expect(check.status == .fail)
    #expect(check.evidence.dropLast() == [
      "/proc/301/status: NoNewPrivs: 1, CapEff: 0000000000001000, CapPrm: 0000000000201000", "effective capabilities: cap_net_admin",
      "permitted, and so available to it: cap_sys_admin", "capabilities without root: something gave them to this process on purpose",
    ])
    #expect(check.properties["cap-prm-names"] == .strings(["cap_net_admin", "cap_sys_admin"]))
  }

  @Test func aStaticDACLabelExplainsAUserOtherThanQemuConfs() throws {
    let host = try Self.host()
    let seclabel = "<seclabel type='static' model='dac' relabel='yes'><label>+0:+0</label></seclabel>"
    let running = [try Self.guest("vm", pid: 401, on: host, uid: 0, gid: 0, seclabel: seclabel)]
    let check = try Self.check("vm-user:vm", in: VMProcessAudit(files: host.files, running: running).checks())
    #expect(check.status == .fail)
    #expect(check.evidence.last == "the live XML's <seclabel type='static' model='dac'> runs this guest as +0:+0, whatever qemu.conf's user says")
  }

  @Test func withoutLibvirtdOrAPidFileWhatCannotBeComparedIsUnknown() throws {
    let host = try Self.host(libvirtd: false)
    var running = [try Self.guest("vm", pid: 501, on: host)]
    let xml = "<domain type='qemu' id='2'><name>gone</name><devices/></domain>"
    running.append(SVirtAudit.RunningDomain(name: "gone", domain: try DomainDocument(xml: xml, source: "gone").domain))
    let checks = VMProcessAudit(files: host.files, running: running).checks().filter { $0.id.hasPrefix("vm-") }
    #expect(statuses(checks) == Self.ids("gone").map { "\($0) UNKNOWN" } + [
      "vm-user:vm UNKNOWN", "vm-seccomp:vm PASS", "vm-privileges:vm PASS", "vm-namespace:vm PASS",
    ])
    #expect(checks[0].evidence == ["/run/libvirt/qemu/gone.pid: not readable"])
    #expect(checks[4].evidence.last == "no libvirtd or virqemud found by its pid file: its uid was not compared")
    // PID 1's namespace stands in for libvirtd's.
    #expect(checks[7].evidence.last == "/proc/1/ns/mnt (PID 1): mnt:[4026531832]")
  }

  @Test(arguments: [
    ("cgroup_device_acl = [ \"/dev/null\", \"/dev/kvm\" ]\n", "PASS", [] as [String]),
    ("cgroup_device_acl = [\n  \"/dev/null\", \"/dev/full\", \"/dev/zero\",\n  \"/dev/random\", \"/dev/urandom\",\n  \"/dev/ptmx\", \"/dev/kvm\",\n  \"/dev/rtc\", \"/dev/hpet\",\n]\n", "WARN", ["/dev/rtc", "/dev/hpet"]),
    ("cgroup_device_acl = [ \"/dev/null\", \"/dev/mem\", \"/dev/sda1\", \"/dev/vfio/vfio\" ]\n", "FAIL", ["/dev/mem", "/dev/sda1", "/dev/vfio/vfio"]),
  ])
  func aWidenedDeviceACLNamesTheExtraDevices(text: String, status: String, extra: [String]) throws {
    let host = try Self.host()
    try Self.conf(text, on: host)
    let check = try Self.check("qemu-conf-cgroup-device-acl", in: QEMUConfAudit(files: host.files).checks())
    #expect(check.status.rawValue == status)
    #expect(check.properties["extra"] == .strings(extra))
    if !extra.isEmpty {
      #expect(check.evidence[1] == "beyond libvirt's default list: \(extra.joined(separator: ", ")): every guest's QEMU may open these, not only a guest that needs one")
    }
    if status == "FAIL" {
      #expect(check.evidence.last == "/dev/mem, /dev/sda1: host memory, I/O ports, disks or CPU registers, which no QEMU should reach")
    }
  }

  @Test func qemuConfSettingsEachWithLibvirtsDefault() throws {
    let host = try Self.host()
    try Self.conf("clear_emulator_capabilities = 0\nnamespaces = [ \"mount\", \"ipc\" ]\nuser = \"nobody-here\"\nseccomp_sandbox = \"1\"\n", on: host)
    let checks = QEMUConfAudit(files: host.files).checks()
    #expect(statuses(checks) == [
      "qemu-conf-seccomp-sandbox UNKNOWN", "qemu-conf-user UNKNOWN", "qemu-conf-namespaces PASS", "qemu-conf-clear-emulator-capabilities WARN",
      "qemu-conf-cgroup-device-acl PASS",
    ])
    #expect(checks[0].evidence.last == "libvirt expects a number here: libvirtd does not start with this file")
    #expect(checks[1].evidence == [
      "/etc/libvirt/qemu.conf:3: user = \"nobody-here\"", "/etc/libvirt/qemu.conf: group unset (libvirt's default: libvirt-qemu, as Debian builds it)",
      "user nobody-here: not in /etc/passwd: libvirtd cannot start QEMU as it",
    ])
    #expect(checks[3].evidence.first == "/etc/libvirt/qemu.conf:1: clear_emulator_capabilities = 0")
    #expect(checks[4].evidence == [
      "/etc/libvirt/qemu.conf: cgroup_device_acl unset (libvirt's default: [ \"/dev/null\", \"/dev/full\", \"/dev/zero\", \"/dev/random\", \"/dev/urandom\", \"/dev/ptmx\", \"/dev/kvm\" ])"
    ])
    #expect(checks[2].properties == [
      "file": .string("/etc/libvirt/qemu.conf"), "key": .string("namespaces"), "set": .bool(true), "value": .strings(["mount", "ipc"]),
    ])
  }

  @Test func aQemuConfLibvirtCannotParseMakesEverySettingUnknown() throws {
    let host = try Self.host()
    try Self.conf("cgroup_device_acl = [\n  \"/dev/null\", # comment\n  \"/dev/kvm\"\n]\n", on: host)
    let checks = QEMUConfAudit(files: host.files).checks()
    #expect(statuses(checks) == Self.confIDs.map { "\($0) UNKNOWN" })
    #expect(checks.allSatisfy { $0.evidence == ["/etc/libvirt/qemu.conf: line 2: expecting a value: libvirtd does not start with this file"] })
    // sVirt's qemu.conf checks read the same file the same way.
    let svirt = SVirtAudit(files: host.files, securityModels: nil, running: []).checks().filter { $0.id.hasPrefix("qemu-conf-") }
    #expect(svirt.map(\.status) == [.unknown, .unknown, .unknown])
  }

  @Test func capabilityNamesFollowTheKernelsNumbers() {
    #expect(ProcessStatus.capabilityNames(1 << 21) == ["cap_sys_admin"])
    #expect(ProcessStatus.capabilityNames(1 | 1 << 40 | 1 << 50) == ["cap_chown", "cap_checkpoint_restore", "cap_50"])
    #expect(ProcessStatus.capabilityNames(0x1ff_ffff_ffff).count == 41)
    #expect(ProcessStatus.hex(0x1000) == "0000000000001000")
    let status = ProcessStatus("Uid:\t999\t999\t999\t999\nGid:\t994\t994\t994\t994\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\nCapEff:\t0000000000000000\n")
    #expect(status.uids == [999, 999, 999, 999] && status.seccomp == 2 && status.seccompFilters == 1 && status.capEff == 0 && status.capPrm == nil)
  }
}

/// CET as the kernel enforces it for a running QEMU: shown with the privileges, never judged.
@Suite struct VMThreadFeaturesTests {
  @Test func aKernelThatEnforcesAShadowStackSaysSoAndOneThatDoesNotSaysThat() throws {
    let host = try VMProcessAuditTests.host()
    let running = [try VMProcessAuditTests.guest("vm", pid: 101, on: host), try VMProcessAuditTests.guest("cet", pid: 102, on: host)]
    let status = try #require(host.files.text("/proc/102/status"))
    try host.write("/proc/102/status", status + "x86_Thread_features:\tshstk wrss\nx86_Thread_features_locked:\tshstk\n")
    let checks = VMProcessAudit(files: host.files, running: running).checks()
    let plain = try VMProcessAuditTests.check("vm-privileges:vm", in: checks)
    #expect(plain.status == .pass)
    #expect(plain.properties["thread-features-reported"] == .bool(false))
    #expect(plain.evidence.last?.hasPrefix("/proc/101/status: no x86_Thread_features line: this kernel enforces no user-space shadow stack") == true)
    let cet = try VMProcessAuditTests.check("vm-privileges:cet", in: checks)
    #expect(cet.status == .pass)
    #expect(cet.properties["shstk-enforced"] == .bool(true))
    #expect(cet.properties["thread-features"] == .strings(["shstk", "wrss"]))
    #expect(cet.evidence.last == "/proc/102/status: x86_Thread_features: shstk wrss (locked: shstk): the kernel enforces a shadow stack")
  }
}
