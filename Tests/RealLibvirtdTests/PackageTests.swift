import Foundation
import TestSupport
import Testing

/// The Debian package that `scripts/package` built, installed for real: it runs with the Swift
/// toolchain hidden, its hook guards starts on the real libvirtd, and removing it leaves no hook.
@Suite(.serialized, .requiresRealLibvirtd, .requiresPackage)
struct PackageTests {
  /// The toolchain's root (`/opt/swift` for `/opt/swift/usr/bin/swiftc`), from PATH.
  static var toolchain: String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") where access("\(directory)/swiftc", X_OK) == 0 {
      let resolved = URL(fileURLWithPath: "\(directory)/swiftc").resolvingSymlinksInPath()
      return resolved.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
    return nil
  }

  static func dpkg(_ arguments: String...) throws -> Command.Result {
    try Command.run("/usr/bin/dpkg", arguments, environment: ["DEBIAN_FRONTEND": "noninteractive"])
  }

  @Test func runsWithoutTheToolchainGuardsStartsAndLeavesNoHookWhenRemoved() throws {
    let deb = try #require(Requirements.package)
    let toolchain = try #require(Self.toolchain, "swiftc is not on PATH")
    let root = KVMPolicyProcess.repositoryRoot
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-package-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      _ = try? Self.dpkg("--purge", "kvmpolicy")
      // libvirtd was restarted inside the namespace without the toolchain: bring it back here.
      try? TestGuests.restartLibvirtd()
      try? FileManager.default.removeItem(at: scratch)
    }
    #expect(try Self.dpkg("-s", "kvmpolicy").status != 0, "kvmpolicy was installed before the test")
    let installed = try Self.dpkg("-i", deb)
    try #require(installed.status == 0, "\(installed.output)")
    #expect(!FileManager.default.fileExists(atPath: "/etc/libvirt/hooks/qemu.d/kvmpolicy"), "installing the package installs no hook")

    // In a mount namespace with a tmpfs over the toolchain: the programs, and a libvirtd started
    // there, which then runs the installed hook without the toolchain too.
    let violating = try TestGuests.xml(name: "kvmpolicy-test-pkg")
    try violating.write(to: scratch.appendingPathComponent("violating.xml"), atomically: true, encoding: .utf8)
    let script = """
      set -u
      mount -t tmpfs kvmpolicy-hides-the-toolchain '\(toolchain)' || exit 99
      test -e '\(toolchain)/usr/bin/swiftc' && exit 98
      echo "version=$(/usr/bin/kvmpolicy --version)"
      /usr/bin/kvmpolicy check --policy /usr/share/kvmpolicy/policies/baseline.yaml --connect 'test://\(root.path)/scripts/fleet/demo.xml' >/dev/null 2>&1
      echo "check=$?"
      /usr/bin/kvmpolicy host -c test:///default >/dev/null 2>&1
      echo "host=$?"
      /usr/libexec/kvmpolicy/kvmpolicy-hook --policy /usr/share/kvmpolicy/policies/baseline.yaml kvmpolicy-test-pkg prepare begin - < '\(scratch.path)/violating.xml' 2>'\(scratch.path)/hook.txt'
      echo "hook=$?"
      /usr/bin/kvmpolicy install-hook --policy /usr/share/kvmpolicy/policies/baseline.yaml >/dev/null
      echo "install=$?"
      '\(root.path)/scripts/restart-libvirtd' >/dev/null 2>&1
      echo "restart=$?"
      /usr/bin/kvmpolicy host -c qemu:///system --probe-hook --format json > '\(scratch.path)/host.json' 2>&1
      echo "probe=$?"
      """
    let run = try Command.run("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script])
    let lines = Set(run.output.split(separator: "\n").map(String.init))
    let version = try KVMPolicyProcess.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(lines.contains("version=\(version)"), "\(run.output)")
    #expect(lines.contains("check=1"), "violations in the demo fleet, not 127 (cannot load) or 2")
    #expect(lines.contains("host=0") || lines.contains("host=1"), "\(run.output)")
    #expect(lines.contains("hook=1"), "\(run.output)")
    #expect(try String(contentsOf: scratch.appendingPathComponent("hook.txt"), encoding: .utf8).hasPrefix("kvmpolicy: refusing to start kvmpolicy-test-pkg: "))
    #expect(lines.contains("install=0") && lines.contains("restart=0"), "\(run.output)")
    let wrapper = try String(contentsOfFile: "/etc/libvirt/hooks/qemu.d/kvmpolicy", encoding: .utf8)
    #expect(wrapper.contains("exec '/usr/libexec/kvmpolicy/kvmpolicy-hook' "), "the packaged binary is used in place")
    let report = try String(contentsOf: scratch.appendingPathComponent("host.json"), encoding: .utf8)
    let checks = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any], "\(report)")["checks"] as? [[String: Any]]
    let veto = checks?.first { $0["id"] as? String == "hook-veto" }
    #expect(veto?["status"] as? String == "PASS", "\(veto ?? [:])")
    let installedCheck = checks?.first { $0["id"] as? String == "hook-installed" }
    #expect(installedCheck?["status"] as? String == "PASS", "\(installedCheck ?? [:])")

    // Removing the package removes the hook it guarded with; a guest then starts.
    let removed = try Self.dpkg("-r", "kvmpolicy")
    #expect(removed.status == 0, "\(removed.output)")
    #expect(!FileManager.default.fileExists(atPath: "/etc/libvirt/hooks/qemu.d/kvmpolicy"))
    #expect(!FileManager.default.fileExists(atPath: "/usr/libexec/kvmpolicy/kvmpolicy-hook"))
    let guest = try TestGuests.define("pkg-after", start: true) { $0.replacingOccurrences(of: "<sound model='ich6'/>", with: "") }
    guests.append(guest)
    #expect(try TestGuests.virsh("domstate", guest).output.contains("running"))
  }
}
