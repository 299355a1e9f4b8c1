/// What the collecting layer read about the QEMU side of one or more hosts: each domain's
/// command line and the devices its machine type makes, and each emulator binary's surface.
public struct QEMUFleet: Sendable {
  /// One domain as QEMU would run it.
  public struct Domain: Sendable {
    /// The libvirt source (URI as given) it came from.
    public let source: String
    /// The domain's name.
    public let name: String
    /// The emulator binary that would run it.
    public let emulator: String
    /// The parsed command line; `nil` when libvirt would not build it (see ``error``).
    public let commandLine: QEMUCommandLine?
    /// The models the machine type instantiates by itself (from `info qtree`); `nil` when the
    /// command line or the probe is missing.
    public let machineDevices: [String]?
    /// Why this domain's use is not known completely, if it is not.
    public let error: String?

    /// Creates an entry.
    public init(source: String, name: String, emulator: String, commandLine: QEMUCommandLine?, machineDevices: [String]?, error: String?) {
      self.source = source
      self.name = name
      self.emulator = emulator
      self.commandLine = commandLine
      self.machineDevices = machineDevices
      self.error = error
    }

    /// Every model the domain uses: its `-device` drivers and its machine's own devices.
    public var models: Set<String> { Set(commandLine?.devices ?? []).union(machineDevices ?? []) }
  }

  /// Sources that could not be read at all (`URI: error: message`).
  public let sourceErrors: [String]
  /// Every domain, by source then name.
  public let domains: [Domain]
  /// The probed emulators by path.
  public let surfaces: [String: EmulatorSurface]
  /// Emulators that could not be probed, by path.
  public let emulatorErrors: [String: QEMUProbeError]

  /// Creates a fleet.
  public init(sourceErrors: [String], domains: [Domain], surfaces: [String: EmulatorSurface], emulatorErrors: [String: QEMUProbeError]) {
    self.sourceErrors = sourceErrors
    self.domains = domains
    self.surfaces = surfaces
    self.emulatorErrors = emulatorErrors
  }

  /// Whether anything is unknown: a source, a domain or an emulator.
  public var isIncomplete: Bool { !sourceErrors.isEmpty || !emulatorErrors.isEmpty || domains.contains { $0.error != nil } }

  /// Every problem, one line each.
  public var problems: [String] {
    sourceErrors + emulatorErrors.sorted { $0.key < $1.key }.map { "\($0.value)" }
      + domains.compactMap { domain in domain.error.map { "\(domain.source): \(domain.name): \($0)" } }
  }
}
