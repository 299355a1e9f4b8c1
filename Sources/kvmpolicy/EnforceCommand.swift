import ArgumentParser
import Enforcement
import Engine
import Policy
import Reporting
import SystemIO

/// `kvmpolicy enforce`: apply each finding's action to the domains of a host.
struct EnforceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enforce",
    abstract: "Apply the policy: detach devices from running domains, rewrite definitions (backed up first).",
    discussion: """
      detach: the device leaves the running domain (by alias, waiting for libvirt's DEVICE_REMOVED). rewrite: the device is removed from (or changed in) the persistent definition, which is backed up first and defined with validation. refuse: reported; the hook blocks the next start (--shutdown also stops it now). warn: reported.

      Run with --dry-run first: it prints the plan and a diff of each definition, changing nothing.

      Exit codes: 0 nothing left to do, 1 violations remain (refusals, or a dry run with work to do), 2 bad input, unreachable libvirt, another enforce running, or a domain that could not be enforced.
      """
  )

  @OptionGroup var connection: ConnectionOption

  @OptionGroup var policyOptions: PolicyOptions

  @OptionGroup var domainFilter: DomainFilterOptions

  @Flag(help: "Print the plan and a unified diff of each definition that would be rewritten; change nothing.")
  var dryRun = false

  @Flag(help: "Also shut down running domains that have refuse findings.")
  var shutdown = false

  @Flag(help: "Also remove detached devices from the persistent definition.")
  var detachFromDefinition = false

  @OptionGroup var backups: BackupOptions

  @Option(help: ArgumentHelp("The lock file that keeps enforcers apart.", valueName: "file"))
  var lockFile: String = EnforcementLock.defaultPath

  @Flag(help: "Wait for another running enforce instead of exiting 2.")
  var wait = false

  @Option(help: ArgumentHelp("Seconds to wait for a guest to release a device.", valueName: "seconds"))
  var detachTimeout: Double = 10

  @Option(help: "Output format: \(EnforcementReporters.identifiers.joined(separator: ", ")) (schema kvmpolicy.enforce v1).")
  var format: String = "text"

  func validate() throws {
    try ReportFormat.validate(format, among: EnforcementReporters.identifiers)
  }

  func run() throws {
    let policy = try policyOptions.load()
    let options = ReportOptions(toolVersion: KVMPolicy.configuration.version)
    guard let reporter = EnforcementReporters.reporter(for: format, options: options) else { throw ExitCode(ExitStatus.badInput) }
    let lock: EnforcementLock?
    do {
      lock = dryRun ? nil : try EnforcementLock(path: lockFile, wait: wait)
    } catch {
      StandardError.print("error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    defer { withExtendedLifetime(lock) {} }
    let control: LibvirtDomainControl
    do {
      control = try LibvirtDomainControl(uri: connection.connect)
    } catch {
      StandardError.print("\(connection.connect ?? "default"): error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    let enforcer = Enforcer(
      control: control, policy: policy, backups: backups.store,
      options: .init(detachTimeout: detachTimeout, shutdown: shutdown, detachFromDefinition: detachFromDefinition))
    let plans: [DomainPlan]
    do {
      plans = try enforcer.plan(selecting: domainFilter.selects)
    } catch {
      StandardError.print("\(connection.connect ?? "default"): error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    if dryRun {
      print(reporter.render(plans: plans), terminator: "")
      if plans.contains(where: { $0.error != nil }) { throw ExitCode(ExitStatus.badInput) }
      if plans.contains(where: { $0.changesSomething || !$0.refusals.isEmpty }) { throw ExitCode(ExitStatus.violations) }
      return
    }
    let outcomes = enforcer.apply(plans)
    print(reporter.render(outcomes: outcomes), terminator: "")
    if outcomes.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(ExitStatus.badInput) }
    if outcomes.contains(where: { !$0.plan.refusals.isEmpty }) { throw ExitCode(ExitStatus.violations) }
  }
}

/// `kvmpolicy restore`: redefine a domain from a backup taken by enforce.
struct RestoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore",
    abstract: "Redefine a domain from a definition enforce backed up (the newest, or --backup ID).",
    discussion: "Lists the backups when the one asked for does not exist."
  )

  @Argument(help: ArgumentHelp("The domain's name or UUID.", valueName: "domain"))
  var domain: String

  @Option(help: ArgumentHelp("The backup to restore (an ID enforce printed); default: the newest.", valueName: "id"))
  var backup: String?

  @OptionGroup var connection: ConnectionOption

  @Option(help: ArgumentHelp("Where the backups are.", valueName: "dir"))
  var backupDir: String = BackupStore.defaultDirectory

  func run() throws {
    let store = BackupStore(directory: backupDir)
    let backups = store.backups(of: domain)
    guard let chosen = backup.map({ id in backups.first { $0.id == id } }) ?? backups.last else {
      StandardError.print("error: no backup \(backup.map { "'\($0)' " } ?? "")of \(domain) in \(backupDir)")
      if !backups.isEmpty { StandardError.print("backups: " + backups.map(\.id).joined(separator: ", ")) }
      throw ExitCode(ExitStatus.badInput)
    }
    do {
      let xml = try FileContents.text(chosen.path, limit: 64 << 20).get()
      let control = try LibvirtDomainControl(uri: connection.connect)
      try control.define(xml)
      print("restored \(chosen.name) (\(chosen.uuid)) from backup \(chosen.id)")
    } catch {
      StandardError.print("error: restoring \(domain) from \(chosen.path) failed: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
  }
}
