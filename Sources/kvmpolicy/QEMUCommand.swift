import ArgumentParser
import Inventory
import QEMUProbe
import QEMUSurface
import Reporting

/// `kvmpolicy qemu`: the QEMU device surface of the host's domains, and what to cut from it.
struct QEMUCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "qemu",
    abstract: "The QEMU device surface: what the emulator offers, in layers, against what the domains use; and how to cut it.",
    discussion: """
      Every subcommand reads each domain's QEMU command line from libvirt (virConnectDomainXMLToNative, which needs a read-write connection: root) and asks a throwaway paused QEMU which devices each machine type makes by itself.

      Exit codes: 0 done, 2 bad input, or a domain or emulator whose use is unknown (then exclude-modules and devices-mak print nothing).
      """,
    subcommands: [QEMUSurfaceCommand.self, ExcludeModulesCommand.self, DevicesMakCommand.self]
  )
}

/// What every `qemu` subcommand reads: the hosts and the emulator.
struct QEMUFleetOptions: ParsableArguments {
  @Option(
    name: [.customShort("c"), .customLong("connect")],
    help: ArgumentHelp("A libvirt URI such as qemu:///system; repeat for several hosts (default: libvirt's default).", valueName: "uri"))
  var connect: [String] = []

  @Option(help: ArgumentHelp("Judge every domain against this QEMU binary instead of its <emulator>.", valueName: "path"))
  var emulator: String?

  @Option(help: ArgumentHelp("Where the emulator's loadable modules are.", valueName: "dir"))
  var moduleDir: String = EmulatorProbe.defaultModuleDirectory

  func validate() throws {
    if let emulator, !emulator.hasPrefix("/") { throw ValidationError("--emulator needs an absolute path, e.g. /usr/bin/qemu-system-x86_64.") }
  }

  /// Collects the fleet.
  func collect() -> QEMUFleet {
    let sources = InventoryCollector.collect(uris: connect.isEmpty ? [nil] : connect.map { $0 }, options: QEMUFleetCollector.inventoryOptions)
    // With no domain, the default emulator still shows its layers.
    let extra = sources.allSatisfy { $0.domains.isEmpty } && emulator == nil ? ["/usr/bin/qemu-system-x86_64"] : []
    return QEMUFleetCollector.collect(sources: sources, emulator: emulator, extraEmulators: extra, moduleDirectory: moduleDir)
  }
}

/// `kvmpolicy qemu surface`.
struct QEMUSurfaceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "surface",
    abstract: "Device models per emulator in layers (built in, per module) against those the domains use; unused count and share per layer.",
    discussion: "Exits 2 when some use is UNKNOWN (the report says which); the rest is still shown."
  )

  @OptionGroup var fleet: QEMUFleetOptions

  @Option(help: "Output format: text or json (schema kvmpolicy.qemu-surface v1).")
  var format: String = "text"

  func validate() throws {
    try ReportFormat.validate(format, among: QEMUSurfaceReporters.identifiers)
  }

  func run() throws {
    let collected = fleet.collect()
    let report = QEMUSurfaceReport(fleet: collected)
    guard let reporter = QEMUSurfaceReporters.reporter(for: format) else { throw ExitCode(ExitStatus.badInput) }
    print(reporter.render(report), terminator: "")
    for problem in collected.problems { StandardError.print("error: " + problem) }
    if !report.isComplete { throw ExitCode(ExitStatus.badInput) }
  }
}

/// `kvmpolicy qemu exclude-modules`.
struct ExcludeModulesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exclude-modules",
    abstract: "Print a dpkg path-exclude fragment naming every QEMU module file no domain needs.",
    discussion: """
      Install it as /etc/dpkg/dpkg.cfg.d/kvmpolicy-qemu-modules, then reinstall the package that ships the modules (dpkg -S /usr/lib/x86_64-linux-gnu/qemu; qemu-system-common on Debian 12). Nothing is printed, and the exit status is 2, unless every domain's use is known.
      """
  )

  @OptionGroup var fleet: QEMUFleetOptions

  func run() throws {
    do throws(ModuleExclusion.Refusal) {
      print(ModuleExclusionReporter().render(try ModuleExclusion(fleet: fleet.collect())), terminator: "")
    } catch {
      StandardError.print("error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
  }
}

/// `kvmpolicy qemu devices-mak`.
struct DevicesMakCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "devices-mak",
    abstract: "Print a QEMU devices file (--without-default-devices --with-devices-x86_64=NAME) with the CONFIG_* symbols the fleet needs.",
    discussion: """
      The symbols come from the table scripts/qemu-device-table generated from QEMU's sources (shipped in kvmpolicy). Nothing is printed, and the exit status is 2, when a model or machine type is not in the table, the emulator is another QEMU version, or a domain's use is unknown.
      """
  )

  @OptionGroup var fleet: QEMUFleetOptions

  func run() throws {
    do throws(DevicesMakefile.Refusal) {
      print(DevicesMakefileReporter().render(try DevicesMakefile(fleet: fleet.collect())), terminator: "")
    } catch {
      StandardError.print("error: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
  }
}
