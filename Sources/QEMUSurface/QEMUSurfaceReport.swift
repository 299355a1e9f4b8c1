public import QEMUProbe

/// The guide's "minimal devices" seen from QEMU: per emulator, the device models in layers
/// (built into the binary, added by each module), which of them the host's domains use (on
/// their command line or made by their machine type), and what is reachable but unused, by
/// layer. Pure: it judges a collected ``QEMUFleet``.
public struct QEMUSurfaceReport: Sendable {
  /// The layer name of the models built into the binary.
  public static let builtinLayer = "built-in"
  /// The layer of a machine's own devices that `-device` does not offer (built in, made only
  /// by the machine).
  public static let machineLayer = "built-in, machine only"
  /// The layer of a model the binary does not have.
  public static let notOffered = "not offered"

  /// One layer of one emulator: the binary itself or one module.
  public struct Layer: Sendable, Equatable {
    /// ``QEMUSurfaceReport/builtinLayer`` or the module's name (`hw-display-qxl`).
    public let name: String
    /// The module file; `nil` for the binary.
    public let file: String?
    /// The modules this one imports from, sorted.
    public let dependencies: [String]
    /// The models this layer adds (`-device help`), sorted.
    public let models: [String]
    /// Those the domains use, sorted.
    public let used: [String]

    /// How many are reachable but unused.
    public var unusedCount: Int { models.count - used.count }
    /// The unused share in percent (0 for an empty layer), rounded down.
    public var unusedPercent: Int { models.isEmpty ? 0 : unusedCount * 100 / models.count }
  }

  /// One emulator binary.
  public struct Emulator: Sendable {
    /// Its path.
    public let path: String
    /// Its version line; `nil` when it could not be probed.
    public let versionLine: String?
    /// Why it could not be probed.
    public let error: String?
    /// The binary's layer first, then the modules by name.
    public let layers: [Layer]
    /// The domains run by it, by source then name.
    public let domains: [String]
    /// Used models QEMU makes but `-device` does not offer (a machine's own devices), sorted.
    public let machineOnly: [String]
    /// Used models this binary does not have at all, sorted.
    public let missing: [String]

    /// Every model `-device help` lists.
    public var offeredCount: Int { layers.reduce(0) { $0 + $1.models.count } }
    /// Those used.
    public var usedCount: Int { layers.reduce(0) { $0 + $1.used.count } }
    /// The unused share in percent, rounded down.
    public var unusedPercent: Int { offeredCount == 0 ? 0 : (offeredCount - usedCount) * 100 / offeredCount }
  }

  /// One domain's use.
  public struct DomainUse: Sendable {
    /// The source it came from.
    public let source: String
    /// Its name.
    public let name: String
    /// The emulator that runs it.
    public let emulator: String
    /// The machine type, when known.
    public let machine: String?
    /// Models on its command line, each with its layer (`model` → layer name).
    public let commandLine: [(model: String, layer: String)]
    /// Models its machine type makes by itself, each with its layer.
    public let machineDevices: [(model: String, layer: String)]
    /// Why its use is not known, if it is not (then the lists are empty or partial).
    public let error: String?
  }

  /// Every emulator, by path.
  public let emulators: [Emulator]
  /// Every domain.
  public let domains: [DomainUse]
  /// Sources that could not be read.
  public let sourceErrors: [String]

  /// Whether every domain's use and every emulator's surface is known.
  public var isComplete: Bool { sourceErrors.isEmpty && emulators.allSatisfy { $0.error == nil } && domains.allSatisfy { $0.error == nil } }

  /// Judges a fleet.
  public init(fleet: QEMUFleet) {
    sourceErrors = fleet.sourceErrors
    let paths = Set(fleet.surfaces.keys).union(fleet.emulatorErrors.keys).union(fleet.domains.map(\.emulator)).sorted()
    emulators = paths.map { path in
      let users = fleet.domains.filter { $0.emulator == path }
      let names = users.map { "\($0.source): \($0.name)" }
      guard let surface = fleet.surfaces[path] else {
        return Emulator(
          path: path, versionLine: nil, error: fleet.emulatorErrors[path].map { "\($0)" } ?? "not probed", layers: [], domains: names,
          machineOnly: [], missing: [])
      }
      let used = users.reduce(into: Set<String>()) { $0.formUnion($1.models) }
      let offered = Set(surface.models)
      var layers = [
        Layer(
          name: Self.builtinLayer, file: nil, dependencies: [], models: surface.builtin.sorted(),
          used: surface.builtin.intersection(used).sorted())
      ]
      for module in surface.modules {
        let own = surface.models.filter { Self.layer(of: $0, in: surface) == module.name }
        layers.append(
          Layer(name: module.name, file: module.path, dependencies: module.dependencies, models: own, used: own.filter(used.contains)))
      }
      let machineMade = users.reduce(into: Set<String>()) { $0.formUnion($1.machineDevices ?? []) }
      return Emulator(
        path: path, versionLine: surface.versionLine, error: nil, layers: layers, domains: names,
        machineOnly: machineMade.subtracting(offered).sorted(),
        missing: users.reduce(into: Set<String>()) { $0.formUnion($1.commandLine?.devices ?? []) }.subtracting(offered).sorted())
    }
    domains = fleet.domains.map { domain in
      let surface = fleet.surfaces[domain.emulator]
      func layered(_ models: [String], machine: Bool) -> [(model: String, layer: String)] {
        models.map { model in
          let layer = surface.map { Self.layer(of: model, in: $0) } ?? "unknown"
          return (model, machine && layer == Self.notOffered ? Self.machineLayer : layer)
        }
      }
      return DomainUse(
        source: domain.source, name: domain.name, emulator: domain.emulator, machine: domain.commandLine?.machine,
        commandLine: layered(domain.commandLine?.devices ?? [], machine: false),
        machineDevices: layered(domain.machineDevices ?? [], machine: true), error: domain.error)
    }
  }

  /// The layer a model belongs to: built-in, the module that adds it (of the modules it needs,
  /// the most specific: the one the fewest models need, then by name), or ``notOffered``.
  public static func layer(of model: String, in surface: EmulatorSurface) -> String {
    if surface.builtin.contains(model) { return builtinLayer }
    guard let needed = surface.needs[model], !needed.isEmpty else {
      return surface.models.contains(model) ? builtinLayer : notOffered
    }
    let dependents = { (module: String) in surface.needs.values.filter { $0.contains(module) }.count }
    return needed.min { (dependents($0), $0) < (dependents($1), $1) } ?? needed[0]
  }
}
