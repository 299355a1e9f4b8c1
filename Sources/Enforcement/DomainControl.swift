/// The small surface enforcement needs from libvirt, so planning and applying can be tested
/// without it (and are also tested with it: ``LibvirtDomainControl``).
public protocol DomainControl: AnyObject {
  /// Every domain with what enforcement needs to know about it.
  func domains() throws -> [ControlledDomain]
  /// The live XML of a domain (its only XML when it is shut off).
  func liveXML(of domain: String) throws -> String
  /// The persistent definition, with secrets (a redefinition must not lose them).
  func definitionXML(of domain: String) throws -> String
  /// Detaches a device from the running domain and waits until it is gone, refused, or the
  /// timeout passes; with a timeout of 0 it only asks (``DetachOutcome/pending`` unless the
  /// device is already gone). `deviceXML` is used when the device has no alias.
  func detach(from domain: String, alias: String?, deviceXML: String, timeout: Double) throws -> DetachOutcome
  /// Defines the domain from XML with schema validation.
  func define(_ xml: String) throws
  /// Asks the guest to shut down.
  func shutdown(_ domain: String) throws
  /// Creates and starts a transient domain, paused before its first instruction, and destroys it
  /// at once if it started (being transient, it leaves no definition).
  func startTransient(_ xml: String) throws -> TransientStart
}

/// What became of a transient start.
public enum TransientStart: Equatable, Sendable {
  /// libvirt started it (and it was destroyed at once).
  case started
  /// libvirt refused to start it, with this message (e.g. a hook's refusal).
  case refused(String)
}

/// A domain as enforcement sees it.
public struct ControlledDomain: Equatable, Sendable {
  /// The name.
  public let name: String
  /// The UUID.
  public let uuid: String
  /// Whether it runs.
  public let isActive: Bool
  /// Whether it has a persistent definition.
  public let isPersistent: Bool

  /// Creates a domain description.
  public init(name: String, uuid: String, isActive: Bool, isPersistent: Bool) {
    self.name = name
    self.uuid = uuid
    self.isActive = isActive
    self.isPersistent = isPersistent
  }
}

/// How a detach ended.
public enum DetachOutcome: Equatable, Sendable {
  /// libvirt reported DEVICE_REMOVED and the live XML no longer has it.
  case removed
  /// The guest refused or failed to release it (DEVICE_REMOVAL_FAILED); it is still there.
  case refused
  /// No event within the timeout, and the live XML still has it.
  case timedOut
  /// Asked without waiting (timeout 0), and the guest has not released it yet.
  case pending
}

/// A ``DomainControl`` that also streams libvirt's events and can lose and regain its
/// connection: what `kvmpolicy watch` runs on (``LibvirtDomainControl``, or a fake in tests).
public protocol WatchableControl: DomainControl {
  /// Whether the connection still stands.
  var isConnected: Bool { get }
  /// Opens a new connection (and event subscription) once; throws when the daemon does not answer.
  func reconnectOnce() throws
  /// The next event not taken by a detach, waiting at most `timeout` seconds.
  func nextEvent(timeout: Double) -> ControlEvent?
}

/// An event the watcher reacts to.
public enum ControlEvent: Equatable, Sendable {
  /// A domain was defined or redefined.
  case defined(domain: String)
  /// A domain started.
  case started(domain: String)
  /// A device was hot-plugged into a running domain.
  case deviceAdded(domain: String, alias: String)
  /// The guest released a device (DEVICE_REMOVED).
  case deviceRemoved(domain: String, alias: String)
  /// The guest refused to release a device (DEVICE_REMOVAL_FAILED).
  case deviceRemovalFailed(domain: String, alias: String)
  /// Anything else (other lifecycle changes): nothing to enforce.
  case other
}
