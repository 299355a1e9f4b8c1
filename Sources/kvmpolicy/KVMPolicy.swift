import ArgumentParser

/// The `kvmpolicy` command: makes a KVM host obey a written hardening policy.
///
/// The root only configures; each subcommand parses its arguments, calls a module, and maps the
/// result to an exit code: 0 clean, 1 violations found, 2 bad input or unreachable source.
struct KVMPolicy: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kvmpolicy",
    abstract: "Make a KVM host obey a written hardening policy.",
    discussion: """
      Exit codes: 0 clean, 1 violations found, 2 bad input, unreadable file or unreachable libvirt.
      """,
    version: "0.1.0",
    subcommands: [
      CheckCommand.self, EnforceCommand.self, WatchCommand.self, RestoreCommand.self, HostCommand.self, QEMUCommand.self, InventoryCommand.self,
      PolicyCommand.self,
      HookCommand.self, InstallHookCommand.self, UninstallHookCommand.self,
    ]
  )
}

/// Exit statuses shared by every subcommand.
enum ExitStatus {
  /// Nothing wrong.
  static let clean: Int32 = 0
  /// Policy violations were found.
  static let violations: Int32 = 1
  /// Usage error, bad input, unreadable file, or a source that could not be reached.
  static let badInput: Int32 = 2
}
