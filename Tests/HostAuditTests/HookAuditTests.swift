import Foundation
import HostAudit
import Policy
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `hook-installed`, `hook-loaded` and the probe's parts, on a fake root.
@Suite struct HookAuditTests {
  static let wrapper = "/etc/libvirt/hooks/qemu.d/kvmpolicy"
  static let baseline = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path

  /// A hook as install-hook leaves it: wrapper, `binary` copied to /usr/local/libexec, the policy.
  static func install(on host: FakeHost, binary: String, mode: String = "refuse") throws {
    try host.write(
      wrapper,
      "#!/bin/sh\n# Installed by kvmpolicy install-hook: refuses to start domains that break the policy.\n"
        + "exec '/usr/local/libexec/kvmpolicy/kvmpolicy-hook' --policy '/etc/kvmpolicy/policy.yaml' --on-policy-error \(mode) -- \"$@\"\n")
    chmod(host.files.path(wrapper), 0o755)
    let target = host.files.path("/usr/local/libexec/kvmpolicy/kvmpolicy-hook")
    try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: binary, toPath: target)
    try host.write("/etc/kvmpolicy/policy.yaml", try String(contentsOfFile: baseline, encoding: .utf8))
    // The fake root's system library directories are the real host's.
    for directory in ["lib", "usr/lib", "lib64"] {
      let link = host.root.appendingPathComponent(directory)
      try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
      if !FileManager.default.fileExists(atPath: link.path) { try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/" + directory) }
    }
  }

  /// libvirtd as /run/libvirtd.pid and /proc show it: pid 4242, started `started` seconds after boot.
  static func daemon(on host: FakeHost, bootTime: Int, startedTicks: Int) throws {
    try host.write("/run/libvirtd.pid", "4242\n")
    try host.write("/proc/4242/comm", "libvirtd\n")
    let fields = (3...52).map { $0 == 22 ? String(startedTicks) : "0" }
    try host.write("/proc/4242/stat", "4242 (libvirtd) " + fields.joined(separator: " ") + "\n")
    try host.write("/proc/stat", "cpu  1 2 3\nbtime \(bootTime)\n")
  }

  static func setModificationTime(_ path: String, _ seconds: Int, nanoseconds: Int = 0) {
    var times = [timespec(tv_sec: seconds, tv_nsec: nanoseconds), timespec(tv_sec: seconds, tv_nsec: nanoseconds)]
    utimensat(AT_FDCWD, path, &times, 0)
  }

  @Test func noHookFailsAndSaysHowToInstallOne() throws {
    let host = try FakeHost()
    let checks = HookAuditDriver.checks(host)
    #expect(statuses(checks) == ["hook-installed FAIL", "hook-loaded UNKNOWN", "hook-veto UNKNOWN"])
    #expect(checks[0].evidence[1] == "install it: kvmpolicy install-hook --policy FILE --reload")
    #expect(checks[2].evidence == ["not probed: run kvmpolicy host --probe-hook (as root; starts and refuses a transient canary domain)"])
  }

  @Test(.requiresRoot) func aWholeSelfContainedHookPasses() throws {
    let host = try FakeHost()
    try Self.install(on: host, binary: "/usr/bin/true")
    let checks = HookAuditDriver.checks(host)
    #expect(checks[0].status == .pass, "\(checks[0].evidence)")
    #expect(checks[0].evidence[1].hasSuffix("all in the system library directories)"))
    let fingerprint = try #require(PolicyLoader.fingerprint(ofFile: Self.baseline))
    #expect(checks[0].evidence[2] == "/etc/kvmpolicy/policy.yaml: valid, owned by root and writable by nobody else (\(fingerprint))")
  }

  @Test func aToolchainBoundBinaryAWritablePolicyAndFailingOpenAreCalledOut() throws {
    let host = try FakeHost()
    // The test runner itself needs the Swift toolchain's libraries.
    try Self.install(on: host, binary: "/proc/self/exe", mode: "allow")
    chmod(host.files.path("/etc/kvmpolicy/policy.yaml"), 0o666)
    let check = HookAuditDriver.checks(host)[0]
    #expect(check.status == .fail)
    #expect(check.evidence.contains { $0.contains("fails open (--on-policy-error allow)") })
    #expect(check.evidence.contains { $0.hasPrefix("/usr/local/libexec/kvmpolicy/kvmpolicy-hook needs ") && $0.contains("libswiftCore.so") })
    #expect(check.evidence.contains { $0.hasPrefix("/etc/kvmpolicy/policy.yaml: fails the hook's StrictModes check: ") })
  }

  @Test func aWrapperWithoutItsBinaryFails() throws {
    let host = try FakeHost()
    try Self.install(on: host, binary: "/usr/bin/true")
    unlink(host.files.path("/usr/local/libexec/kvmpolicy/kvmpolicy-hook"))
    let check = HookAuditDriver.checks(host)[0]
    #expect(check.status == .fail)
    #expect(check.evidence.contains("/usr/local/libexec/kvmpolicy/kvmpolicy-hook: missing or not executable: libvirt fails every VM start"))
  }

  @Test func loadedOnlyWhenLibvirtdStartedAfterTheWrapperChangedOrTheProbeProvesIt() throws {
    let host = try FakeHost()
    try Self.install(on: host, binary: "/usr/bin/true")
    let ticks = Int(sysconf(Int32(_SC_CLK_TCK)))
    // Booted at 1,700,000,000; libvirtd started 100 s later.
    try Self.daemon(on: host, bootTime: 1_700_000_000, startedTicks: 100 * ticks)
    Self.setModificationTime(host.files.path(Self.wrapper), 1_700_000_050)
    var loaded = HookAuditDriver.checks(host)[1]
    #expect(loaded.status == .pass)
    #expect(loaded.evidence == [
      "libvirtd (pid 4242): started 2023-11-14 22:15:00 UTC", "/etc/libvirt/hooks/qemu.d/kvmpolicy: last changed 2023-11-14 22:14:10 UTC",
      "libvirtd started after the hook was installed: it calls it",
    ])
    Self.setModificationTime(host.files.path(Self.wrapper), 1_700_000_200)
    loaded = HookAuditDriver.checks(host)[1]
    #expect(loaded.status == .warn)
    #expect(loaded.evidence[2] == "libvirtd started before the hook was last changed: the hook is inactive unless libvirtd was reloaded (SIGHUP) since")
    let proven = HostCheck(id: "hook-veto", section: "Pre-start hook", title: "probe", status: .pass, evidence: [])
    #expect(HookAudit(files: host.files).checks(veto: proven)[1].status == .pass)
    // btime is whole seconds: a change half a second after the computed start may have come
    // before the real one, or after it. Not proven loaded.
    Self.setModificationTime(host.files.path(Self.wrapper), 1_700_000_100, nanoseconds: 500_000_000)
    loaded = HookAuditDriver.checks(host)[1]
    #expect(loaded.status == .warn)
    #expect(loaded.evidence[2].hasPrefix("libvirtd started within 10"))
    #expect(loaded.evidence[2].hasSuffix(" ms of the hook's change: the clocks cannot tell which came first"))
  }
}

/// The hook checks as `kvmpolicy host` runs them without `--probe-hook`.
enum HookAuditDriver {
  static func checks(_ host: FakeHost) -> [HostCheck] { HookAudit(files: host.files).checks(veto: HookAudit.notProbed) }
}
