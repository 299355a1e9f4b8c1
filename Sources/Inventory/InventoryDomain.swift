public import DomainModel

/// One domain as an inventory lists it: the typed model of its XML plus what only libvirt knows.
public struct InventoryDomain: Sendable {
  /// The domain's name (also when its XML could not be read).
  public let name: String
  /// The typed domain from the live XML (or the file), or `nil` when it could not be read.
  public let model: Domain?
  /// The persistent definition that boots next, read separately for running persistent domains
  /// when asked for (it can differ from the live XML); `nil` otherwise.
  public let definition: Domain?
  /// The run state; `nil` for a domain read from a file.
  public let state: RunState?
  /// Whether libvirt keeps a persistent definition; `nil` for a file.
  public let persistent: Bool?
  /// The labels libvirt reports for the running QEMU process (empty for files and shut-off domains).
  public let securityLabels: [ProcessLabel]
  /// The QEMU command line libvirt would run for the persistent definition
  /// (`virConnectDomainXMLToNative`), when asked for and allowed (root); `nil` otherwise.
  public let commandLine: String?
  /// Why the command line was asked for and not had (libvirt's message, or that the connection
  /// is read-only); `nil` when it was had or not asked for.
  public let commandLineError: String?
  /// Why this domain could not be read completely, if it could not.
  public let error: String?

  /// Creates an entry.
  public init(
    name: String, model: Domain?, definition: Domain? = nil, state: RunState? = nil, persistent: Bool? = nil,
    securityLabels: [ProcessLabel] = [], commandLine: String? = nil, commandLineError: String? = nil, error: String? = nil
  ) {
    self.name = name
    self.model = model
    self.definition = definition
    self.state = state
    self.persistent = persistent
    self.securityLabels = securityLabels
    self.commandLine = commandLine
    self.commandLineError = commandLineError
    self.error = error
  }
}
