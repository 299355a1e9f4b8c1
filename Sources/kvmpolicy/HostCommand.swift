import ArgumentParser
import Enforcement
import Foundation
import HostAudit
import Inventory
import Policy
import Reporting

/// `kvmpolicy host`: audit the host itself against the hardening guide.
struct HostCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "host",
    abstract: "Audit the host: sVirt, binary hardening of QEMU/libvirt and the KVM modules, kernel ASLR, the pre-start hook.",
    discussion: """
      Each check prints PASS, FAIL, WARN or UNKNOWN with the evidence read (file and value) and the guide's section. Checks that need root are UNKNOWN without it, never a guess.

      Exit codes: 0 no FAIL, 1 a check failed, 2 bad usage.
      """
  )

  @OptionGroup var connection: ConnectionOption

  @Option(
    name: .customLong("elf"), parsing: .upToNextOption,
    help: ArgumentHelp("Audit just these files' ELF hardening (absolute paths).", valueName: "file"))
  var elf: [String] = []

  @Flag(help: "Prove the pre-start hook is live: ask libvirt to start a transient canary domain the installed policy refuses (needs root).")
  var probeHook = false

  @Option(help: "Output format: text, json (schema kvmpolicy.host v2), junit, html, prometheus (node_exporter textfile).")
  var format: String = "text"

  @OptionGroup var output: OutputOptions

  func validate() throws {
    try ReportFormat.validate(format, among: HostReporters.identifiers)
  }

  func run() throws {
    let checks =
      elf.isEmpty
      ? HostAuditor.run(
        libvirt: InventoryCollector.collect(uri: connection.connect, options: HostAuditor.inventoryOptions),
        veto: probeHook ? HookProbe(uri: connection.connect).check() : HookAudit.notProbed)
      : HostAuditor.run(elfTargets: elf.map(Self.absolute))
    let options = ReportOptions(
      colors: output.useColors(), toolVersion: KVMPolicy.configuration.version,
      policyFingerprint: PolicyLoader.fingerprint(ofFile: PolicyOptions.installedPath), timestamp: WallClock.now())
    guard let reporter = HostReporters.reporter(for: format, options: options) else { throw ExitCode(ExitStatus.badInput) }
    try output.write(reporter.render(checks))
    if checks.contains(where: { $0.status == .fail }) { throw ExitCode(ExitStatus.violations) }
  }

  private static func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  }
}
