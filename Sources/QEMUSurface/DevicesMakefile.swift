public import QEMUProbe

/// A devices file for QEMU's `--without-default-devices --with-devices-x86_64=NAME`: the
/// device symbols the fleet's models and machine types need, each with the models that need
/// it. Kconfig (minikconf) then adds what those symbols select. Refused, never guessed, when a
/// model or machine is not in the table, the table is for another QEMU version, or a domain's
/// use is unknown.
public struct DevicesMakefile: Sendable {
  /// One symbol to set.
  public struct Entry: Sendable, Equatable {
    /// `CONFIG_*`.
    public let symbol: String
    /// The models and machines (`machine pc-i440fx-7.2`) that need it, sorted.
    public let neededBy: [String]
  }

  /// Why no devices file can be written.
  public struct Refusal: Error, Sendable, CustomStringConvertible {
    /// Every reason, one line each.
    public let reasons: [String]
    /// One paragraph.
    public var description: String { "no devices file:\n" + reasons.map { "  " + $0 }.joined(separator: "\n") }
  }

  /// The symbols, sorted.
  public let entries: [Entry]
  /// Host features the chosen rows need (configure decides them), each with its models.
  public let host: [Entry]
  /// Models that need no device symbol (always built, or CPU models of the target), sorted.
  public let alwaysBuilt: [String]
  /// The table's provenance line.
  public let provenance: String
  /// The machine types, sorted.
  public let machines: [String]

  /// Judges the fleet against the table.
  public init(fleet: QEMUFleet, table: DeviceTable = .shipped) throws(Refusal) {
    var reasons = fleet.problems
    if fleet.domains.isEmpty { reasons.append("no domain to judge") }
    for surface in fleet.surfaces.values.sorted(by: { $0.emulator < $1.emulator }) where surface.version != table.version {
      reasons.append(
        "\(surface.emulator) is QEMU \(surface.version) but the table is for QEMU \(table.version.isEmpty ? "?" : table.version): regenerate it with scripts/qemu-device-table")
    }
    var needs: [String: Set<String>] = [:]
    var host: [String: Set<String>] = [:]
    var always: Set<String> = []
    var machines: Set<String> = []
    let models = fleet.domains.reduce(into: Set<String>()) { $0.formUnion($1.models) }
    func choose(_ rows: [DeviceTable.Row]?) -> DeviceTable.Row? {
      // Of the x86_64 rows, the one with the fewest symbols not already chosen.
      (rows ?? []).filter(\.x86_64).min { lhs, rhs in
        let left = lhs.symbols.filter { needs[$0] == nil }.count
        let right = rhs.symbols.filter { needs[$0] == nil }.count
        return left != right ? left < right : lhs.symbols.joined() < rhs.symbols.joined()
      }
    }
    for machine in Set(fleet.domains.compactMap { $0.commandLine?.machine }).sorted() {
      machines.insert(machine)
      guard let row = choose(table.machines[machine]) else {
        reasons.append("machine type \(machine) is not in the table (\(table.provenance))")
        continue
      }
      for symbol in row.symbols { needs[symbol, default: []].insert("machine \(machine)") }
      for feature in row.host { host[feature, default: []].insert("machine \(machine)") }
    }
    for model in models.sorted() {
      if model.hasSuffix("-cpu") {
        always.insert(model)
        continue
      }
      guard let row = choose(table.devices[model]) else {
        reasons.append("device model \(model) is not in the table (\(table.provenance)): a devices file could leave it out")
        continue
      }
      if row.symbols.isEmpty { always.insert(model) }
      for symbol in row.symbols { needs[symbol, default: []].insert(model) }
      for feature in row.host { host[feature, default: []].insert(model) }
    }
    guard reasons.isEmpty else { throw Refusal(reasons: reasons) }
    entries = needs.keys.sorted().map { Entry(symbol: $0, neededBy: needs[$0, default: []].sorted()) }
    self.host = host.keys.sorted().map { Entry(symbol: $0, neededBy: host[$0, default: []].sorted()) }
    alwaysBuilt = always.sorted()
    provenance = table.provenance
    self.machines = machines.sorted()
  }
}
