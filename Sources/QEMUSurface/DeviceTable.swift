/// Which Kconfig symbols QEMU needs to build each device model and machine type, as
/// `scripts/qemu-device-table` read them from QEMU's own sources (meson.build source sets,
/// TypeInfo names, Kconfig). The table ships in the binary (`Resources/qemu-device-table.tsv`).
public struct DeviceTable: Sendable {
  /// One way to build a model or machine: all these symbols set.
  public struct Row: Sendable, Equatable {
    /// The device symbols (`CONFIG_*`), all needed; empty when always built.
    public let symbols: [String]
    /// Host features and libraries configure decides (`CONFIG_LINUX`, `spice`).
    public let host: [String]
    /// Whether the installed x86_64 build has these symbols.
    public let x86_64: Bool
    /// The source file that defines it.
    public let file: String
  }

  /// The QEMU version the table was generated from (`7.2.22`).
  public let version: String
  /// The first comment line, naming the source.
  public let provenance: String
  /// Device models by name.
  public let devices: [String: [Row]]
  /// Machine types by name.
  public let machines: [String: [Row]]

  /// The table shipped in the binary.
  public static let shipped = DeviceTable(text: String(decoding: PackageResources.qemu_device_table_tsv, as: UTF8.self))

  /// Parses the TSV (kind, name, symbols, host, x86_64, file; `-` for none; `#` comments).
  public init(text: String) {
    var devices: [String: [Row]] = [:]
    var machines: [String: [Row]] = [:]
    var provenance = ""
    for line in text.split(separator: "\n") {
      if line.hasPrefix("#") {
        if provenance.isEmpty { provenance = String(line.dropFirst(2)) }
        continue
      }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 6 else { continue }
      let list = { (field: String) in field == "-" ? [] : field.split(separator: " ").map(String.init) }
      let row = Row(symbols: list(fields[2]), host: list(fields[3]), x86_64: fields[4] == "yes", file: fields[5])
      if fields[0] == "machine" { machines[fields[1], default: []].append(row) } else { devices[fields[1], default: []].append(row) }
    }
    self.provenance = provenance
    let marker = "from QEMU "
    self.version = provenance.range(of: marker).map { String(provenance[$0.upperBound...].prefix { $0 != " " }) } ?? ""
    self.devices = devices
    self.machines = machines
  }
}
