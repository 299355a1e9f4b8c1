import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `install-hook` and `uninstall-hook` below a scratch root: what they write, and what they refuse.
@Suite struct HookInstallCommandTests {
  static let baseline = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path

  static func scratch() throws -> URL {
    let directory = try TemporaryDirectory.make("install")
    return directory
  }

  @Test func refusesAHookBinaryThatNeedsTheSwiftToolchain() throws {
    let root = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: root) }
    // The debug build beside the test runner links the toolchain's libswiftCore.so dynamically.
    let debugHook = KVMPolicyProcess.binary.deletingLastPathComponent().appendingPathComponent("kvmpolicy-hook").path
    let result = try KVMPolicyProcess.run(["install-hook", "--policy", Self.baseline, "--root", root.path, "--hook-binary", debugHook])
    #expect(result.status == 2)
    let firstLine = try #require(result.stderr.split(separator: "\n").first)
    #expect(firstLine.hasPrefix("error: \(debugHook) needs "))
    #expect(firstLine.contains("libswiftCore.so"))
    #expect(firstLine.contains(" from /") && firstLine.contains("/usr/lib/swift/linux, outside the system library directories (/lib/x86_64-linux-gnu, "))
    #expect(result.stderr.contains("refusing to install it: libvirt would fail every VM start on a host without that directory"))
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/libvirt/hooks/qemu.d/kvmpolicy").path))
  }

  @Test func installsAWrapperThatExecsTheCopiedBinaryAndUninstallRemovesBoth() throws {
    let root = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: root) }
    // Any self-contained ELF executable passes the check; the real hook is tested on libvirtd.
    let installed = try KVMPolicyProcess.run(["install-hook", "--policy", Self.baseline, "--root", root.path, "--hook-binary", "/usr/bin/true"])
    #expect(installed.status == 0, "\(installed.stderr)")
    #expect(installed.stdout.hasSuffix(
      "libvirtd looks up hooks only when it starts or reloads: run systemctl reload libvirtd (or pass --reload); then kvmpolicy host --probe-hook\n"))
    let wrapper = try String(contentsOf: root.appendingPathComponent("etc/libvirt/hooks/qemu.d/kvmpolicy"), encoding: .utf8)
    #expect(wrapper == """
      #!/bin/sh
      # Installed by kvmpolicy install-hook: refuses to start domains that break the policy.
      exec '/usr/local/libexec/kvmpolicy/kvmpolicy-hook' --policy '/etc/kvmpolicy/policy.yaml' --on-policy-error refuse -- "$@"

      """)
    let copied = root.appendingPathComponent("usr/local/libexec/kvmpolicy/kvmpolicy-hook").path
    #expect(FileManager.default.isExecutableFile(atPath: copied))
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/kvmpolicy/.policy.yaml.compiled").path))

    let removed = try KVMPolicyProcess.run(["uninstall-hook", "--root", root.path])
    #expect(removed.status == 0)
    #expect(removed.stdout.hasPrefix("removed \(root.path)/etc/libvirt/hooks/qemu.d/kvmpolicy\n"))
    #expect(!FileManager.default.fileExists(atPath: copied))
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/kvmpolicy/policy.yaml").path), "the policy stays")
    let again = try KVMPolicyProcess.run(["uninstall-hook", "--root", root.path])
    #expect(again.stdout.hasPrefix("no kvmpolicy hook at "))
  }

  @Test func thePackagedBinaryIsUsedInPlaceAndAForeignWrapperIsLeftAlone() throws {
    let root = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: root) }
    let packaged = root.appendingPathComponent("usr/libexec/kvmpolicy/kvmpolicy-hook")
    try FileManager.default.createDirectory(at: packaged.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "/usr/bin/true", toPath: packaged.path)
    let installed = try KVMPolicyProcess.run(["install-hook", "--policy", Self.baseline, "--root", root.path, "--hook-binary", packaged.path])
    #expect(installed.status == 0, "\(installed.stderr)")
    let wrapperPath = root.appendingPathComponent("etc/libvirt/hooks/qemu.d/kvmpolicy")
    #expect(try String(contentsOf: wrapperPath, encoding: .utf8).contains("exec '/usr/libexec/kvmpolicy/kvmpolicy-hook' "))
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("usr/local/libexec/kvmpolicy/kvmpolicy-hook").path))

    try "#!/bin/sh\nexit 0\n".write(to: wrapperPath, atomically: false, encoding: .utf8)
    let refused = try KVMPolicyProcess.run(["uninstall-hook", "--root", root.path])
    #expect(refused.status == 2)
    #expect(refused.stderr == "error: \(wrapperPath.path): not installed by kvmpolicy; left alone\n")
    #expect(FileManager.default.fileExists(atPath: wrapperPath.path))
  }
}

/// install-hook never silently replaces what it did not write.
@Suite struct HookInstallOverwriteTests {
  @Test func aForeignHookIsRefusedUnlessForcedAndAReplacedPolicyIsKept() throws {
    let root = try HookInstallCommandTests.scratch()
    defer { try? FileManager.default.removeItem(at: root) }
    let wrapper = root.appendingPathComponent("etc/libvirt/hooks/qemu.d/kvmpolicy")
    try FileManager.default.createDirectory(at: wrapper.deletingLastPathComponent(), withIntermediateDirectories: true)
    try "#!/bin/sh\n# the site's own hook\nexit 0\n".write(to: wrapper, atomically: false, encoding: .utf8)
    let arguments = ["install-hook", "--policy", HookInstallCommandTests.baseline, "--root", root.path, "--hook-binary", "/usr/bin/true"]
    let refused = try KVMPolicyProcess.run(arguments)
    #expect(refused.status == 2)
    #expect(refused.stderr == "error: \(wrapper.path): a hook that kvmpolicy install-hook did not write is there; move it away or pass --force\n")
    #expect(try String(contentsOf: wrapper, encoding: .utf8).contains("the site's own hook"))

    let forced = try KVMPolicyProcess.run(arguments + ["--force"])
    #expect(forced.status == 0, "\(forced.stderr)")
    // A different policy installed over the first one: the first is kept beside it.
    let desktop = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/desktop.yaml").path
    let replaced = try KVMPolicyProcess.run(["install-hook", "--policy", desktop, "--root", root.path, "--hook-binary", "/usr/bin/true"])
    #expect(replaced.status == 0, "\(replaced.stderr)")
    let previous = root.appendingPathComponent("etc/kvmpolicy/policy.yaml.previous")
    #expect(replaced.stdout.contains("kept the policy it replaced: \(previous.path)\n"))
    #expect(try String(contentsOf: previous, encoding: .utf8) == String(contentsOfFile: HookInstallCommandTests.baseline, encoding: .utf8))
  }
}

/// Temporary files are never where someone could plant a link.
@Suite struct TemporaryFileTests {
  @Test func policyCompileDoesNotWriteThroughALinkPlantedBesideTheTarget() throws {
    let root = try HookInstallCommandTests.scratch()
    defer { try? FileManager.default.removeItem(at: root) }
    let policy = root.appendingPathComponent("p.yaml").path
    try FileManager.default.copyItem(atPath: HookInstallCommandTests.baseline, toPath: policy)
    let victim = root.appendingPathComponent("victim").path
    try "private\n".write(toFile: victim, atomically: false, encoding: .utf8)
    #expect(chmod(victim, 0o600) == 0)
    // The names the old writers used for their temporary files.
    for planted in [".p.yaml.compiled.new", ".p.yaml.compiled.kvmpolicy-new", "p.yaml.compiled.new"] {
      try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(planted).path, withDestinationPath: victim)
    }
    let compiled = try KVMPolicyProcess.run(["policy", "compile", policy])
    #expect(compiled.status == 0, "\(compiled.stderr)")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "private\n")
    var info = stat()
    #expect(stat(victim, &info) == 0 && info.st_mode & 0o777 == 0o600)
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(".p.yaml.compiled").path))
  }
}

/// Options every command shares are declared and checked once.
@Suite struct SharedOptionTests {
  @Test(arguments: ["check", "enforce", "watch"])
  func aBadDomainGlobIsAUsageErrorEverywhere(command: String) throws {
    let result = try KVMPolicyProcess.run([command, "--domain", "web-[", "--policy", HookInstallCommandTests.baseline])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("Error: Invalid --domain pattern 'web-[': '[' is never closed with ']'.\n"))
  }
}

/// `kvmpolicy hook` takes its options typed, and libvirt's arguments as they are.
@Suite struct HookCommandTests {
  @Test func anUnknownModeAndTooFewArgumentsAreUsageErrors() throws {
    let mode = try KVMPolicyProcess.run(["install-hook", "--policy", HookInstallCommandTests.baseline, "--on-policy-error", "maybe"])
    #expect(mode.status == 2)
    #expect(mode.stderr.hasPrefix("Error: The value 'maybe' is invalid for '--on-policy-error <on-policy-error>'"))
    let few = try KVMPolicyProcess.run(["hook", "--policy", HookInstallCommandTests.baseline, "vm"])
    #expect(few.status == 2)
    #expect(few.stderr.hasPrefix("Error: Expected DOMAIN OPERATION SUB-OPERATION [EXTRA], as libvirt passes them.\n"))
  }

  @Test func aDomainNamedLikeAnOptionIsJudgedAfterTheSeparator() throws {
    let xml = "<domain type='qemu'><name>--policy</name><devices><sound model='ich6'/></devices></domain>"
    let result = try KVMPolicyProcess.run(
      ["hook", "--policy", HookInstallCommandTests.baseline, "--", "--policy", "prepare", "begin", "-"], stdin: xml)
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("kvmpolicy: refusing to start --policy: "))
  }
}
