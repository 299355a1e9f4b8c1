public import DomainModel

/// Everything read from one place: a libvirt connection or a domain XML file.
public struct InventorySource: Sendable {
  /// Where domains came from.
  public enum Kind: String, Sendable {
    /// A libvirt connection URI.
    case libvirt
    /// A domain XML file (or `-` for standard input).
    case file
  }

  /// Whether this is a connection or a file.
  public let kind: Kind
  /// The URI or path as the user gave it (`default` for libvirt's default URI).
  public let name: String
  /// The URI libvirt resolved the connection to; `nil` for files and failed connections.
  public let uri: String?
  /// The host's security models from its capabilities (libvirt only).
  public let securityModels: [HostCapabilities.SecurityModel]
  /// The domains, sorted by name.
  public let domains: [InventoryDomain]
  /// Why the source could not be read at all, with a position for malformed files.
  public let error: InputError?

  /// Creates a source.
  public init(
    kind: Kind, name: String, uri: String? = nil, securityModels: [HostCapabilities.SecurityModel] = [],
    domains: [InventoryDomain] = [], error: InputError? = nil
  ) {
    self.kind = kind
    self.name = name
    self.uri = uri
    self.securityModels = securityModels
    self.domains = domains.sorted { $0.name < $1.name }
    self.error = error
  }

  /// Whether anything in this source failed (the source itself or one of its domains).
  public var hasErrors: Bool { error != nil || domains.contains { $0.error != nil } }
}
