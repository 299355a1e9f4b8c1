/// What one QEMU binary offers, in layers: the device models built into it, and those each
/// loadable module adds, with which modules each model needs.
public struct EmulatorSurface: Sendable, Equatable {
  /// One loadable module (`hw-display-qxl.so`, ...).
  public struct Module: Sendable, Equatable {
    /// The name QEMU knows it by: the file name without `.so` (`hw-display-qxl`).
    public let name: String
    /// The file.
    public let path: String
    /// The other modules it imports symbols from (from its ELF dynamic symbols), sorted.
    public let dependencies: [String]

    /// Creates a module entry.
    public init(name: String, path: String, dependencies: [String]) {
      self.name = name
      self.path = path
      self.dependencies = dependencies
    }
  }

  /// The binary, as given.
  public let emulator: String
  /// Its version line (`QEMU emulator version 7.2.22 (Debian ...)`).
  public let versionLine: String
  /// Its version number (`7.2.22`).
  public let version: String
  /// The directory its modules are loaded from.
  public let moduleDirectory: String
  /// Every model `-device help` lists with every module present, sorted.
  public let models: [String]
  /// The models listed with no module present: built into the binary.
  public let builtin: Set<String>
  /// The modules in ``moduleDirectory``, sorted by name.
  public let modules: [Module]
  /// For each model that needs a module: the modules whose absence hides it, sorted.
  public let needs: [String: [String]]

  /// Creates a surface.
  public init(
    emulator: String, versionLine: String, version: String, moduleDirectory: String, models: [String], builtin: Set<String>,
    modules: [Module], needs: [String: [String]]
  ) {
    self.emulator = emulator
    self.versionLine = versionLine
    self.version = version
    self.moduleDirectory = moduleDirectory
    self.models = models
    self.builtin = builtin
    self.modules = modules
    self.needs = needs
  }

  /// The models a module adds (those that need it), sorted.
  public func models(of module: String) -> [String] {
    needs.filter { $0.value.contains(module) }.map(\.key).sorted()
  }
}
