import ArgumentParser
import Inventory

/// Where domains come from: libvirt connections or domain XML files.
struct SourceOptions: ParsableArguments {
  @Option(
    name: [.customShort("c"), .customLong("connect")],
    help: ArgumentHelp("A libvirt URI such as qemu:///system or test:///default; repeat for several hosts.", valueName: "uri"))
  var connect: [String] = []

  @Option(
    name: .customLong("xml"), parsing: .upToNextOption,
    help: ArgumentHelp(
      "Read domain XML files instead of libvirt (- for standard input; a directory stands for its *.xml files, e.g. /etc/libvirt/qemu).",
      valueName: "file"))
  var xml: [String] = []

  func validate() throws {
    if !connect.isEmpty && !xml.isEmpty {
      throw ValidationError("Use either --connect or --xml, not both: --xml reads files instead of libvirt.")
    }
    if xml.filter({ $0 == "-" }).count > 1 {
      throw ValidationError("Standard input (-) can be read only once; name it once in --xml.")
    }
  }

  /// The XML files to read, directories expanded.
  var files: [String] { InventoryCollector.expandingDirectories(xml) }

  /// Reads every source in the order given (connections concurrently).
  func collect(options: InventoryCollector.Options = .init()) -> [InventorySource] {
    if !xml.isEmpty { return files.map { InventoryCollector.collect(file: $0) } }
    return InventoryCollector.collect(uris: connect.isEmpty ? [nil] : connect.map { $0 }, options: options)
  }
}
