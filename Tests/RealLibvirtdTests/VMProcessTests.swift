import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `kvmpolicy host`'s "QEMU processes" section on a running TCG guest: every `vm-*` check passes
/// under libvirt's defaults; once qemu.conf switches the seccomp sandbox, the mount namespace and
/// the unprivileged user off, a guest started before the change keeps what it had (and says
/// why), and the restarted guest fails each check with its evidence. qemu.conf is put back byte
/// for byte, and libvirtd restarted, whatever happens.
@Suite(.serialized, .requiresRealLibvirtd)
struct VMProcessTests {
  static let path = "/etc/libvirt/qemu.conf"
  /// What the test puts before qemu.conf's own text: libvirt uses a name's first statement.
  static let settings = "seccomp_sandbox = 0\nnamespaces = []\nuser = \"root\"\ngroup = \"root\"\n"

  /// One check of `kvmpolicy host --format json`.
  struct Check {
    let status: String
    let evidence: [String]
    let properties: [String: Any]

    var description: String { "\(status): \(evidence.joined(separator: " | "))" }
  }

  /// The checks of `kvmpolicy host -c qemu:///system --format json`, by id.
  static func hostChecks() throws -> [String: Check] {
    let result = try KVMPolicyProcess.run(["host", "-c", TestGuests.uri, "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    var checks: [String: Check] = [:]
    for check in root["checks"] as? [[String: Any]] ?? [] {
      guard let id = check["id"] as? String else { continue }
      checks[id] = Check(
        status: check["status"] as? String ?? "", evidence: check["evidence"] as? [String] ?? [],
        properties: check["properties"] as? [String: Any] ?? [:])
    }
    return checks
  }

  /// qemu.conf as it was: its bytes, mode and owner, or `nil` when there was none.
  struct Original {
    let bytes: Data?
    let attributes: [FileAttributeKey: Any]

    init() throws {
      if FileManager.default.fileExists(atPath: VMProcessTests.path) {
        bytes = try Data(contentsOf: URL(fileURLWithPath: VMProcessTests.path))
        let all = try FileManager.default.attributesOfItem(atPath: VMProcessTests.path)
        attributes = all.filter { [.posixPermissions, .ownerAccountID, .groupOwnerAccountID].contains($0.key) }
      } else {
        bytes = nil
        attributes = [:]
      }
    }

    /// Puts it back: the same bytes, mode and owner, or no file.
    func restore() throws {
      guard let bytes else {
        if FileManager.default.fileExists(atPath: VMProcessTests.path) { try FileManager.default.removeItem(atPath: VMProcessTests.path) }
        return
      }
      try bytes.write(to: URL(fileURLWithPath: VMProcessTests.path))
      try FileManager.default.setAttributes(attributes, ofItemAtPath: VMProcessTests.path)
    }

    /// Whether the file is as it was.
    var isRestored: Bool {
      guard let bytes else { return !FileManager.default.fileExists(atPath: VMProcessTests.path) }
      return (try? Data(contentsOf: URL(fileURLWithPath: VMProcessTests.path))) == bytes
    }
  }

  @Test func vmChecksPassUnderLibvirtsDefaultsAndFailAsQemuConfAsks() throws {
    let original = try Original()
    var changed = false
    defer {
      if changed {
        #expect(throws: Never.self) { try original.restore() }
        #expect(original.isRestored, "\(Self.path) is not as it was")
        #expect(throws: Never.self) { try TestGuests.restartLibvirtd() }
      }
    }
    let name = try TestGuests.define("vmproc", start: true)
    defer { TestGuests.remove([name]) }
    let ids = ["vm-user", "vm-seccomp", "vm-privileges", "vm-namespace"].map { "\($0):\(name)" }
    // Debian's libvirt runs QEMU as libvirt-qemu.
    let qemuUID = try #require(getpwnam("libvirt-qemu")).pointee.pw_uid

    // libvirt's defaults (this host's qemu.conf sets none of these): every process check passes.
    var checks = try Self.hostChecks()
    for id in ids { #expect(checks[id]?.status == "PASS", "\(id) \(checks[id]?.description ?? "missing")") }
    #expect(checks["vm-user:\(name)"]?.properties["uid"] as? Int == Int(qemuUID))
    #expect(checks["vm-seccomp:\(name)"]?.properties["seccomp"] as? Int == 2)
    #expect(checks["vm-privileges:\(name)"]?.properties["cap-eff"] as? String == "0000000000000000")
    #expect(checks["vm-privileges:\(name)"]?.properties["no-new-privs"] as? Int == 1)
    let namespace = checks["vm-namespace:\(name)"]?.properties
    #expect((namespace?["mnt-ns"] as? String)?.hasPrefix("mnt:[") == true)
    #expect(namespace?["mnt-ns"] as? String != namespace?["reference-mnt-ns"] as? String)

    // qemu.conf switches them off, libvirtd reads it; the guest started before the change keeps
    // its sandbox, namespace and user, and says so. (The host run above took far longer than
    // the 30 ms to which a process's start time is known.)
    changed = true
    let text = Self.settings + (original.bytes.map { String(decoding: $0, as: UTF8.self) } ?? "")
    try Data(text.utf8).write(to: URL(fileURLWithPath: Self.path))
    try TestGuests.restartLibvirtd()
    checks = try Self.hostChecks()
    for id in ["qemu-conf-seccomp-sandbox", "qemu-conf-namespaces", "qemu-conf-user"] {
      #expect(checks[id]?.status == "FAIL", "\(id) \(checks[id]?.description ?? "missing")")
    }
    #expect(checks["qemu-conf-seccomp-sandbox"]?.evidence.first == "\(Self.path):1: seccomp_sandbox = 0")
    let before = "before the qemu.conf change (\(Self.path) last changed "
    for (id, said) in [
      ("vm-seccomp", "qemu.conf switches the sandbox off (\(Self.path):1: seccomp_sandbox = 0), but this QEMU still has its filter: it started "),
      ("vm-namespace", "qemu.conf asks for none (\(Self.path):2: namespaces = []), but this QEMU still has one: it started "),
      ("vm-user", "qemu.conf runs QEMU as uid 0 (\(Self.path):3: user = \"root\"), but this QEMU runs as uid \(qemuUID): it started "),
    ] {
      let check = checks["\(id):\(name)"]
      #expect(check?.status == "PASS", "\(id) \(check?.description ?? "missing")")
      let last = check?.evidence.last ?? ""
      #expect(last.hasPrefix(said) && last.contains(before) && last.hasSuffix("; its next start follows the file"), "\(last)")
    }

    // Restarted, the guest runs as qemu.conf says: every process check fails.
    try TestGuests.virsh("destroy", name)
    let started = try TestGuests.virsh("start", name)
    try #require(started.status == 0, "virsh start: \(started.output)")
    checks = try Self.hostChecks()
    for id in ids { #expect(checks[id]?.status == "FAIL", "\(id) \(checks[id]?.description ?? "missing")") }
    let user = checks["vm-user:\(name)"]
    #expect(user?.properties["uid"] as? Int == 0)
    #expect(user?.evidence.contains("it runs as root: a guest that breaks out of device emulation is root on the host") == true)
    let seccomp = checks["vm-seccomp:\(name)"]
    #expect(seccomp?.properties["seccomp"] as? Int == 0 && seccomp?.properties["sandbox"] as? String == "off")
    #expect(seccomp?.evidence.last == "no seccomp filter: a compromised QEMU may use every system call its uid allows")
    let privileges = checks["vm-privileges:\(name)"]
    #expect(privileges?.properties["no-new-privs"] as? Int == 0)
    #expect((privileges?.properties["cap-eff-names"] as? [String])?.contains("cap_sys_admin") == true)
    #expect(privileges?.evidence.contains("no_new_privs is off: a setuid or file-capability program QEMU executes gains privileges") == true)
    let shared = checks["vm-namespace:\(name)"]
    #expect(shared?.properties["mnt-ns"] as? String == shared?.properties["reference-mnt-ns"] as? String)
    #expect(shared?.evidence.last?.hasPrefix("it shares libvirtd's mount namespace") == true)
  }
}
