import Foundation
import TestSupport
import Testing

/// `kvmpolicy qemu exclude-modules` for real: the fragment installed, the package that ships
/// the modules reinstalled, the excluded models gone from `-device help`, the fleet's TCG guest
/// still starting, QEMU refusing the excluded models and libvirt a guest that needs one; then the fragment
/// removed, the package reinstalled, and the machine exactly as before. Run it under
/// /tmp/kvmpolicy-real-libvirtd.lock: it reinstalls QEMU's modules under everyone's guests.
@Suite(.serialized, .requiresRealLibvirtd, .requiresExecutable("/usr/bin/apt-get"))
struct QEMUModuleExclusionTests {
  static let moduleDirectory = "/usr/lib/x86_64-linux-gnu/qemu"
  static let fragment = "/etc/dpkg/dpkg.cfg.d/kvmpolicy-test-qemu-modules"

  /// What must be the same afterwards: every module file with its checksum, the package's file
  /// list and status, the dpkg configuration directory.
  static func snapshot() throws -> [String] {
    let sums = try Command.run("/bin/sh", ["-c", "cd \(moduleDirectory) && sha256sum * | sort"])
    let list = try Command.run("/usr/bin/dpkg", ["-L", "qemu-system-common"])
    let status = try Command.run("/usr/bin/dpkg-query", ["-W", "-f", "${Package} ${Version} ${db:Status-Abbrev}\n", "qemu-system-common"])
    let config = try Command.run("/bin/sh", ["-c", "cd /etc/dpkg/dpkg.cfg.d && sha256sum * | sort"])
    return [sums.output, list.output.split(separator: "\n").sorted().joined(separator: "\n"), status.output, config.output]
  }

  /// The package that owns the modules, by `dpkg -S`.
  static func owner() throws -> String {
    let result = try Command.run("/usr/bin/dpkg", ["-S", moduleDirectory + "/hw-usb-redirect.so"])
    return String(result.output.prefix { $0 != ":" })
  }

  static func reinstall(_ package: String) throws -> Command.Result {
    try Command.run(
      "/usr/bin/apt-get", ["install", "--reinstall", "-y", "-q", "-o", "Dpkg::Options::=--force-confold", package],
      environment: ["DEBIAN_FRONTEND": "noninteractive"])
  }

  static func models() throws -> Set<String> {
    let help = try Command.run("/usr/bin/qemu-system-x86_64", ["-device", "help"])
    return Set(help.output.split(separator: "\n").compactMap { line in
      line.range(of: "name \"").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
    })
  }

  /// A USB redirection over TCP: needs usb-redir, which only hw-usb-redirect.so provides.
  static let redirdev = "<devices>\n    <redirdev bus='usb' type='tcp'><source mode='bind' host='127.0.0.1' service='47913'/></redirdev>"

  @Test func theFragmentRemovesUnusedModulesAndTheMachineIsRestoredExactly() throws {
    let package = try Self.owner()
    #expect(package == "qemu-system-common")
    let before = try Self.snapshot()
    let modelsBefore = try Self.models()
    #expect(FileManager.default.fileExists(atPath: Self.fragment) == false)

    // Positive control: the redirecting guest starts while its module is there.
    let control = try TestGuests.define("redir-control", start: true) { (xml: String) in xml.replacingOccurrences(of: "<devices>", with: Self.redirdev) }
    TestGuests.remove([control])

    let fleet = try TestGuests.define("exclusion-fleet")
    var guests = [fleet]
    var restored = false
    func restore() throws {
      TestGuests.remove(guests)
      try? FileManager.default.removeItem(atPath: Self.fragment)
      let again = try Self.reinstall(package)
      #expect(again.status == 0, "apt-get install --reinstall: \(again.output)")
      restored = true
    }
    defer { if !restored { try? restore() } }

    let result = try KVMPolicyProcess.run(["qemu", "exclude-modules", "-c", TestGuests.uri])
    try #require(result.status == 0, "\(result.stderr)")
    let excluded = result.stdout.split(separator: "\n").filter { $0.hasPrefix("path-exclude=") }.map { line in
      String(line.dropFirst("path-exclude=".count))
    }
    #expect(excluded.contains(Self.moduleDirectory + "/hw-usb-redirect.so"))
    // The fleet guest runs on TCG: its accelerator module stays.
    #expect(!excluded.contains(Self.moduleDirectory + "/accel-tcg-x86_64.so"))
    #expect(result.stdout.contains("# kept accel-tcg-x86_64: accelerator tcg (\(fleet))"))
    try result.stdout.write(toFile: Self.fragment, atomically: false, encoding: .utf8)
    let reinstalled = try Self.reinstall(package)
    try #require(reinstalled.status == 0, "apt-get install --reinstall: \(reinstalled.output)")

    for path in excluded { #expect(!FileManager.default.fileExists(atPath: path), "\(path) still there") }
    let modelsAfter = try Self.models()
    #expect(!modelsAfter.contains("usb-redir"))
    #expect(!modelsAfter.contains("qxl"))
    #expect(modelsAfter.isSubset(of: modelsBefore))
    #expect(modelsAfter.contains("usb-tablet"))

    let started = try TestGuests.virsh("start", fleet)
    #expect(started.status == 0, "the fleet guest must still start: \(started.output)")
    let state = try TestGuests.virsh("domstate", fleet)
    #expect(state.output.hasPrefix("running"), "\(state.output)")

    // QEMU itself no longer knows the excluded models.
    for model in ["usb-redir", "qxl"] {
      let direct = try Command.run(
        "/usr/bin/qemu-system-x86_64", ["-machine", "pc", "-accel", "tcg", "-nodefaults", "-S", "-display", "none", "-device", model])
      #expect(direct.status != 0)
      #expect(direct.output.contains("'\(model)' is not a valid device model name"), "\(direct.output)")
    }
    // libvirt re-reads QEMU's capabilities when the module directory changes: a guest that
    // needs usb-redir is refused before QEMU is even asked.
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-test-redir.xml")
    let refused = TestGuests.name("redir-refused")
    guests.append(refused)
    try TestGuests.xml(name: refused) { $0.replacingOccurrences(of: "<devices>", with: Self.redirdev) }
      .write(to: file, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let refusal = try TestGuests.virsh("define", file.path)
    #expect(refusal.status != 0, "a guest needing usb-redir was accepted: \(refusal.output)")
    #expect(refusal.output.lowercased().contains("usb redirection") || refusal.output.contains("usb-redir"), "\(refusal.output)")

    try restore()
    #expect(try Self.snapshot() == before)
    #expect(try Self.models() == modelsBefore)
  }
}
