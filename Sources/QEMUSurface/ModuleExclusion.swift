public import QEMUProbe

/// The QEMU module files no domain needs, for a dpkg `path-exclude` fragment: dpkg then leaves
/// them out when it unpacks the package, so their models are not there for anyone to reach.
///
/// A module is needed when a domain uses a model that needs it (``EmulatorSurface/needs``), or
/// when its command line asks for what the module provides: the accelerator (`accel-tcg-ARCH`),
/// an audio driver (`audio-DRIVER`), a character device (`chardev-spice` for spicevmc and
/// spiceport, `chardev-baum` for braille), a display (`ui-TYPE`; `ui-spice-core` for spice,
/// `ui-opengl` for gl=on) or a block driver (`block-DRIVER`); and every module a needed one
/// imports from. Nothing is excluded unless every domain's use and every emulator is known.
public struct ModuleExclusion: Sendable {
  /// One module file to leave out.
  public struct Entry: Sendable, Equatable {
    /// The file.
    public let path: String
    /// The module's name.
    public let module: String
    /// The models that go with it (those needing it), sorted.
    public let models: [String]
  }

  /// Why no fragment can be written.
  public struct Refusal: Error, Sendable, CustomStringConvertible {
    /// Every reason, one line each.
    public let reasons: [String]
    /// One paragraph.
    public var description: String { "no fragment: what the domains need is not known completely:\n" + reasons.map { "  " + $0 }.joined(separator: "\n") }
  }

  /// The module directory.
  public let moduleDirectory: String
  /// The modules to leave out, by name.
  public let excluded: [Entry]
  /// The modules kept, each with why (`model usb-tablet`, `accelerator tcg`, `needed by X`).
  public let kept: [(module: String, reasons: [String])]
  /// How many domains were judged.
  public let domainCount: Int

  /// Judges the fleet; refuses unless everything is known and every emulator loads its modules
  /// from one directory.
  public init(fleet: QEMUFleet) throws(Refusal) {
    var reasons = fleet.problems
    if fleet.domains.isEmpty { reasons.append("no domain to judge: with none, every module would go") }
    let directories = Set(fleet.surfaces.values.map(\.moduleDirectory))
    if directories.count > 1 { reasons.append("the emulators load modules from several directories: \(directories.sorted().joined(separator: ", "))") }
    guard reasons.isEmpty, let directory = directories.first, let any = fleet.surfaces.values.first else { throw Refusal(reasons: reasons) }
    var why: [String: Set<String>] = [:]
    let names = Set(any.modules.map(\.name))
    for domain in fleet.domains {
      guard let surface = fleet.surfaces[domain.emulator], let line = domain.commandLine else { continue }
      for model in domain.models {
        for module in surface.needs[model] ?? [] { why[module, default: []].insert("model \(model) (\(domain.name))") }
      }
      for (module, reason) in Self.features(line, emulator: domain.emulator) where names.contains(module) {
        why[module, default: []].insert("\(reason) (\(domain.name))")
      }
    }
    // Every module a needed one imports from is needed too.
    let dependencies = Dictionary(uniqueKeysWithValues: any.modules.map { ($0.name, $0.dependencies) })
    var queue = Array(why.keys)
    while let module = queue.popLast() {
      for dependency in dependencies[module] ?? [] {
        if why[dependency] == nil { queue.append(dependency) }
        why[dependency, default: []].insert("needed by \(module)")
      }
    }
    moduleDirectory = directory
    excluded = any.modules.filter { why[$0.name] == nil }.map { Entry(path: $0.path, module: $0.name, models: any.models(of: $0.name)) }
    kept = why.keys.sorted().map { ($0, why[$0, default: []].sorted()) }
    domainCount = fleet.domains.count
  }

  /// The modules a command line asks for besides its models, each with the reason.
  static func features(_ line: QEMUCommandLine, emulator: String) -> [(String, String)] {
    var result: [(String, String)] = []
    let arch = emulator.split(separator: "/").last.map { String($0.replacingOccurrences(of: "qemu-system-", with: "")) } ?? ""
    let accelerator = line.accelerator ?? "tcg"
    result.append(("accel-\(accelerator)-\(arch)", "accelerator \(accelerator)"))
    result += line.audioDrivers.map { ("audio-\($0)", "audio driver \($0)") }
    for backend in line.chardevBackends {
      switch backend {
      case "spicevmc", "spiceport": result.append(("chardev-spice", "chardev \(backend)"))
      case "braille": result.append(("chardev-baum", "chardev braille"))
      default: result.append(("chardev-\(backend)", "chardev \(backend)"))
      }
    }
    for display in line.displays {
      switch display {
      case "spice": result.append(("ui-spice-core", "display spice"))
      default: result.append(("ui-\(display)", "display \(display)"))
      }
    }
    result += line.blockDrivers.map { ("block-\($0)", "block driver \($0)") }
    return result
  }
}
