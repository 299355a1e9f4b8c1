import ArgumentParser
import Foundation
import Hook
import HookInstallation
import Policy
import SystemIO

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
  var onPolicyError: HookRequest.PolicyErrorMode = .refuse

  @Argument(help: "libvirt's arguments: DOMAIN OPERATION SUB-OPERATION [EXTRA].")
  var arguments: [String] = []

  func validate() throws {
    guard (3...4).contains(arguments.count) else {
      throw ValidationError("Expected DOMAIN OPERATION SUB-OPERATION [EXTRA], as libvirt passes them.")
    }
  }

  func run() throws {
    let request = HookRequest(
      domain: arguments[0], operation: arguments[1], subOperation: arguments[2], extra: arguments.count == 4 ? arguments[3] : "-",
      policyPath: policy, onPolicyError: onPolicyError)
    let outcome = HookRunner.run(
      request, xml: { (try? FileDescriptorIO.readAll(0, name: "<stdin>").get()) ?? [] }, loadPolicy: HookPolicyLoader.load,
      today: PolicyDate.today)
    for line in outcome.messages { StandardError.print(line) }
    if !outcome.output.isEmpty { print(outcome.output, terminator: "") }
    if outcome.status != 0 { throw ExitCode(outcome.status) }
  }
}

extension HookRequest.PolicyErrorMode: ExpressibleByArgument {}

/// `kvmpolicy install-hook`: install the policy and the hook for libvirt's QEMU driver.
struct InstallHookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install-hook",
    abstract: "Install a policy and the pre-start hook into libvirt's hooks directory (libvirt >= 6.5).",
    discussion: """
      Copies the policy to /etc/kvmpolicy/policy.yaml (with its compiled form) and writes the wrapper /etc/libvirt/hooks/qemu.d/kvmpolicy, which runs the hook binary: the packaged /usr/libexec/kvmpolicy/kvmpolicy-hook where it is, any other copied to /usr/local/libexec/kvmpolicy/. An existing /etc/libvirt/hooks/qemu is left alone.

      A hook binary that needs a shared library outside the system library directories (a build linked against the Swift toolchain) is refused: libvirt would fail every VM start on a host without it.

      libvirtd looks up its hooks only when it starts or gets SIGHUP: pass --reload, or run systemctl reload libvirtd. kvmpolicy host --probe-hook then proves the hook refuses a violating domain.
      """
  )

  @Option(help: ArgumentHelp("The policy to install (validated first).", valueName: "file"))
  var policy: String

  @Option(help: "When the installed policy is missing, unsafe or invalid: refuse (fail closed) or allow (fail open).")
  var onPolicyError: HookRequest.PolicyErrorMode = .refuse

  @Option(help: ArgumentHelp("Install below this directory instead of / (for packaging and tests).", valueName: "dir"))
  var root: String = "/"

  @Option(help: ArgumentHelp("The hook binary to install (default: the packaged one, or kvmpolicy-hook beside this program).", valueName: "file"))
  var hookBinary: String?

  @Flag(help: "Send libvirtd (found by its pid file) SIGHUP afterwards, so it starts calling the hook.")
  var reload = false

  @Flag(help: "Replace a hook at /etc/libvirt/hooks/qemu.d/kvmpolicy that install-hook did not write.")
  var force = false

  func run() throws {
    _ = try PolicyOptions(path: policy).load()
    let layout = HookLayout(root: root)
    let installed: HookInstaller.Installed
    do {
      installed = try HookInstaller.install(
        policy: policy, binary: hookBinary ?? Self.defaultHookBinary(layout: layout), onPolicyError: onPolicyError,
        layout: layout, replacingForeignHook: force)
    } catch {
      StandardError.print("error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    print("installed the policy: \(installed.policy) (compiled: \(installed.compiledPolicy))")
    if let previous = installed.previousPolicy { print("kept the policy it replaced: \(previous)") }
    print("installed the hook:   \(installed.wrapper) -> \(installed.binary) (on policy errors: \(onPolicyError.rawValue))")
    if let legacy = installed.legacyHook { print("left alone: \(legacy) (libvirt runs it as well)") }
    try LibvirtdReload.afterChange(reload: reload, root: layout.root)
  }

  /// The packaged hook binary when it is installed, else `kvmpolicy-hook` beside this program.
  static func defaultHookBinary(layout: HookLayout) -> String {
    let packaged = layout.path(HookLayout.packagedBinary)
    let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    if program.path == layout.path("/usr/bin/kvmpolicy") || !FileManager.default.fileExists(atPath: program.deletingLastPathComponent().appendingPathComponent("kvmpolicy-hook").path) {
      return packaged
    }
    return program.deletingLastPathComponent().appendingPathComponent("kvmpolicy-hook").path
  }
}

/// `kvmpolicy uninstall-hook`: remove the hook (the policy stays).
struct UninstallHookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall-hook",
    abstract: "Remove the hook from libvirt's hooks directory (the policy stays).",
    discussion: "Removes only a wrapper kvmpolicy install-hook wrote. Pass --reload (or run systemctl reload libvirtd) so libvirtd stops looking for it."
  )

  @Option(help: ArgumentHelp("Remove below this directory instead of / (for packaging and tests).", valueName: "dir"))
  var root: String = "/"

  @Flag(help: "Send libvirtd (found by its pid file) SIGHUP afterwards.")
  var reload = false

  func run() throws {
    let layout = HookLayout(root: root)
    do {
      guard let removed = try HookInstaller.uninstall(layout: layout) else {
        print("no kvmpolicy hook at \(layout.wrapper)")
        return
      }
      print("removed \(removed)")
    } catch {
      StandardError.print("error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    try LibvirtdReload.afterChange(reload: reload, root: layout.root)
  }
}

/// What install-hook and uninstall-hook say (or do) about libvirtd's cached hook list.
enum LibvirtdReload {
  /// With `reload`, sends libvirtd SIGHUP (exit 2 when that fails); without, says what to run.
  static func afterChange(reload: Bool, root: String) throws {
    guard reload else {
      print("libvirtd looks up hooks only when it starts or reloads: run systemctl reload libvirtd (or pass --reload); then kvmpolicy host --probe-hook")
      return
    }
    guard let daemon = LibvirtDaemon.find(root: root) else {
      StandardError.print("error: no running libvirtd or virtqemud found by /run/libvirtd.pid or /run/virtqemud.pid; reload it by hand")
      throw ExitCode(ExitStatus.badInput)
    }
    do { try daemon.reload() } catch {
      StandardError.print("error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    print("sent SIGHUP to \(daemon.name) (pid \(daemon.pid)): it looks up its hooks again")
  }
}
