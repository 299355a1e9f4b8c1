import ArgumentParser
import Foundation
import Hook
import Policy

#if canImport(Glibc)
  import Glibc
#endif

/// `kvmpolicy hook`: the libvirt hook logic, for trying it by hand (the installed hook is the
/// lean `kvmpolicy-hook` binary, which runs the same code).
struct HookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hook",
    abstract: "Run the libvirt QEMU hook by hand: domain XML on standard input.",
    discussion: """
      Example: kvmpolicy hook --policy policies/baseline.yaml web-01 prepare begin - < web-01.xml Exit 0 lets libvirt go on; 1 refuses the operation, one line per violation on stderr.
      """
  )

  @Option(help: ArgumentHelp("The policy file.", valueName: "file"))
  var policy: String = HookRequest.defaultPolicyPath

  @Option(help: "When the policy is missing, unsafe or invalid: refuse (fail closed) or allow (fail open).")
  var onPolicyError: String = HookRequest.PolicyErrorMode.refuse.rawValue

  @Argument(help: "libvirt's arguments: DOMAIN OPERATION SUB-OPERATION [EXTRA].")
  var arguments: [String] = []

  func run() throws {
    let request: HookRequest
    switch HookRequest.parse(["--policy", policy, "--on-policy-error", onPolicyError] + arguments) {
    case .success(let value): request = value
    case .failure(let error): throw ValidationError(error.message)
    }
    let outcome = HookRunner.run(
      request, xml: { Array(FileHandle.standardInput.readDataToEndOfFile()) }, loadPolicy: HookPolicyLoader.load)
    for line in outcome.messages { StandardError.print(line) }
    if !outcome.output.isEmpty { print(outcome.output, terminator: "") }
    if outcome.status != 0 { throw ExitCode(outcome.status) }
  }
}

/// `kvmpolicy install-hook`: install the policy and the hook for libvirt's QEMU driver.
struct InstallHookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install-hook",
    abstract: "Install a policy and the pre-start hook into libvirt's hooks directory (libvirt >= 6.5).",
    discussion: """
      Copies the policy to /etc/kvmpolicy/policy.yaml and the hook to /etc/libvirt/hooks/qemu.d/kvmpolicy. An existing /etc/libvirt/hooks/qemu is left alone.

      libvirtd reads its hooks only when it starts: restart it afterwards.
      """
  )

  @Option(help: ArgumentHelp("The policy to install (validated first).", valueName: "file"))
  var policy: String

  @Option(help: "When the installed policy is missing, unsafe or invalid: refuse (fail closed) or allow (fail open).")
  var onPolicyError: String = HookRequest.PolicyErrorMode.refuse.rawValue

  @Option(help: ArgumentHelp("Install below this directory instead of / (for packaging and tests).", valueName: "dir"))
  var root: String = "/"

  @Option(help: ArgumentHelp("The hook binary to install (default: kvmpolicy-hook beside this program).", valueName: "file"))
  var hookBinary: String?

  func validate() throws {
    guard HookRequest.PolicyErrorMode(rawValue: onPolicyError) != nil else {
      throw ValidationError("--on-policy-error must be 'refuse' or 'allow'.")
    }
  }

  func run() throws {
    _ = try PolicyOptions(path: policy).load()
    let files = FileManager.default
    let binary = hookBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
      .deletingLastPathComponent().appendingPathComponent("kvmpolicy-hook").path
    guard files.isExecutableFile(atPath: binary) else {
      StandardError.print("\(binary): error: no kvmpolicy-hook binary there; build it (swift build --product kvmpolicy-hook) or pass --hook-binary")
      throw ExitCode(ExitStatus.badInput)
    }
    let base = URL(fileURLWithPath: root)
    let policyTarget = base.appendingPathComponent(String(HookRequest.defaultPolicyPath.dropFirst()))
    let hooksDirectory = base.appendingPathComponent("etc/libvirt/hooks/qemu.d")
    let binaryTarget = base.appendingPathComponent("usr/local/libexec/kvmpolicy/kvmpolicy-hook")
    let hookTarget = hooksDirectory.appendingPathComponent("kvmpolicy")
    do {
      for directory in [policyTarget.deletingLastPathComponent(), hooksDirectory, binaryTarget.deletingLastPathComponent()] {
        try files.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
      }
      try install(Data(contentsOf: URL(fileURLWithPath: policy)), at: policyTarget, mode: 0o644)
      // The hook reads the compiled form instead of parsing the YAML on every start.
      if case .failure(let failure) = PolicyLoader.compile(path: policyTarget.path, as: HookRequest.defaultPolicyPath) {
        throw FileError(description: "compiling the installed policy failed: \(failure)")
      }
      try install(Data(contentsOf: URL(fileURLWithPath: binary)), at: binaryTarget, mode: 0o755)
      let wrapper = """
        #!/bin/sh
        # Installed by kvmpolicy install-hook: refuses to start domains that break the policy.
        exec '\(Self.unrooted(binaryTarget.path, root: root))' --policy '\(HookRequest.defaultPolicyPath)' --on-policy-error \(onPolicyError) "$@"

        """
      try install(Data(wrapper.utf8), at: hookTarget, mode: 0o755)
    } catch {
      StandardError.print("error: installing the hook failed: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    let legacy = base.appendingPathComponent("etc/libvirt/hooks/qemu").path
    print("installed the policy: \(policyTarget.path) (compiled: \(CompiledPolicy.path(for: policyTarget.path)))")
    print("installed the hook:   \(hookTarget.path) -> \(binaryTarget.path) (on policy errors: \(onPolicyError))")
    if files.fileExists(atPath: legacy) { print("left alone: \(legacy) (libvirt runs it as well)") }
    print("libvirtd reads hooks only when it starts: restart it now (systemctl restart libvirtd, or scripts/restart-libvirtd)")
  }

  /// Writes `data` to a temporary file beside `target`, sets its mode, and renames it over.
  private func install(_ data: Data, at target: URL, mode: Int) throws {
    let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).kvmpolicy-new")
    try data.write(to: temporary)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary.path)
    guard rename(temporary.path, target.path) == 0 else {
      throw FileError(description: "cannot rename \(temporary.path) to \(target.path): \(String(cString: strerror(errno)))")
    }
  }

  /// The path as the installed system will see it (without the --root prefix).
  static func unrooted(_ path: String, root: String) -> String {
    let prefix = root.hasSuffix("/") ? String(root.dropLast()) : root
    return prefix.isEmpty || !path.hasPrefix(prefix) ? path : String(path.dropFirst(prefix.count))
  }
}

/// `kvmpolicy uninstall-hook`: remove the hook (the policy stays).
struct UninstallHookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall-hook",
    abstract: "Remove the hook from libvirt's hooks directory (the policy stays); restart libvirtd afterwards."
  )

  @Option(help: ArgumentHelp("Remove below this directory instead of / (for packaging and tests).", valueName: "dir"))
  var root: String = "/"

  func run() throws {
    let base = URL(fileURLWithPath: root)
    let hook = base.appendingPathComponent("etc/libvirt/hooks/qemu.d/kvmpolicy")
    guard let text = try? String(contentsOf: hook, encoding: .utf8) else {
      print("no kvmpolicy hook at \(hook.path)")
      return
    }
    guard text.contains("Installed by kvmpolicy install-hook") else {
      StandardError.print("\(hook.path): error: not installed by kvmpolicy; left alone")
      throw ExitCode(ExitStatus.badInput)
    }
    try FileManager.default.removeItem(at: hook)
    try? FileManager.default.removeItem(at: base.appendingPathComponent("usr/local/libexec/kvmpolicy/kvmpolicy-hook"))
    print("removed \(hook.path); restart libvirtd so it stops calling it")
  }
}
