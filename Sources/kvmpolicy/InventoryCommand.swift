import ArgumentParser
import Inventory
import Reporting

/// `kvmpolicy inventory`: what domains a host has, their labels and devices.
struct InventoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inventory",
    abstract: "List domains with their state, security labels and devices per class.",
    discussion: """
      Reads every domain of each --connect URI (live XML, state, process labels), or the domain XML files given with --xml (use - for standard input).

      With neither, connects to libvirt's default URI as virsh does (LIBVIRT_DEFAULT_URI, then libvirt's configuration).

      Exits 2 if any source could not be read; the others are still listed.
      """
  )

  @OptionGroup var sources: SourceOptions

  @Option(help: "Output format: text or json (schema kvmpolicy.inventory v1, see README).")
  var format: InventoryFormat = .text

  @Flag(help: "In text output, list every device under its domain.")
  var devices = false

  func run() throws {
    let collected = sources.collect()
    let reporter: any InventoryReporter =
      switch format {
      case .text: InventoryTextReporter(showDevices: devices)
      case .json: InventoryJSONReporter()
      }
    print(reporter.render(collected), terminator: "")
    let errors = collected.flatMap { source in
      (source.error.map { ["\($0)"] } ?? [])
        + source.domains.compactMap { domain in domain.error.map { "\(source.name): \(domain.name): error: \($0)" } }
    }
    for error in errors { StandardError.print(error) }
    if !errors.isEmpty { throw ExitCode(ExitStatus.badInput) }
  }
}

/// The formats `inventory` writes.
enum InventoryFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}
