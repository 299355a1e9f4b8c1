import DomainModel
import Foundation
import Libvirt

/// ``DomainControl`` over a real libvirt connection, with device events for detaching.
///
/// If the daemon goes away mid-run (restart, crash), the next call reconnects once, waiting up
/// to `reconnectTimeout` seconds for it to come back.
public final class LibvirtDomainControl: WatchableControl {
  private let uri: String?
  private let reconnectTimeout: Double
  private var connection: Connection
  private var subscription: EventSubscription?
  private let events = EventQueue()

  /// Opens a read-write connection and subscribes to device events.
  public init(uri: String?, reconnectTimeout: Double = 30) throws {
    try EventLoop.start()
    self.uri = uri
    self.reconnectTimeout = reconnectTimeout
    connection = try Connection(uri: uri, readOnly: false)
    subscription = try connection.subscribe { [events] event in events.append(event) }
    try? connection.enableKeepAlive()
  }

  public func nextEvent(timeout: Double) -> ControlEvent? {
    guard let event = events.wait(until: Date().addingTimeInterval(timeout), where: { _ in true }) else { return nil }
    switch event {
    case .deviceAdded(let domain, let alias): return .deviceAdded(domain: domain, alias: alias)
    case .deviceRemoved(let domain, let alias): return .deviceRemoved(domain: domain, alias: alias)
    case .deviceRemovalFailed(let domain, let alias): return .deviceRemovalFailed(domain: domain, alias: alias)
    // virDomainEventType: 0 DEFINED, 2 STARTED.
    case .lifecycle(let domain, 0, _): return .defined(domain: domain)
    case .lifecycle(let domain, 2, _): return .started(domain: domain)
    default: return .other
    }
  }

  public var isConnected: Bool { connection.isAlive }

  public func reconnectOnce() throws {
    let fresh = try Connection(uri: uri, readOnly: false)
    subscription = try fresh.subscribe { [events] event in events.append(event) }
    try? fresh.enableKeepAlive()
    connection = fresh
  }

  public func domains() throws -> [ControlledDomain] {
    try retrying {
      try $0.domains().map { handle in
        ControlledDomain(name: handle.name, uuid: try handle.uuid(), isActive: try handle.isActive(), isPersistent: try handle.isPersistent())
      }
    }
  }

  public func liveXML(of domain: String) throws -> String {
    try retrying { try $0.domain(named: domain).xml() }
  }

  public func definitionXML(of domain: String) throws -> String {
    try retrying { try $0.domain(named: domain).xml(inactive: true, secure: true) }
  }

  public func detach(from domain: String, alias: String?, deviceXML: String, timeout: Double) throws -> DetachOutcome {
    let handle = try retrying { try $0.domain(named: domain) }
    events.removeAll { event in
      switch event {
      case .deviceRemoved(let name, let removed), .deviceRemovalFailed(let name, let removed): name == domain && removed == alias
      default: false
      }
    }
    if let alias {
      try handle.detachDevice(alias: alias, live: true, config: false)
    } else {
      try handle.detachDevice(xml: deviceXML, live: true, config: false)
    }
    let deadline = Date().addingTimeInterval(timeout)
    var refused = false
    while let alias, Date() < deadline {
      if let event = events.wait(until: deadline, where: { event in
        switch event {
        case .deviceRemoved(let name, let removed), .deviceRemovalFailed(let name, let removed): name == domain && removed == alias
        default: false
        }
      }) {
        if case .deviceRemovalFailed = event { refused = true }
        break
      }
    }
    if alias == nil && timeout > 0 { Thread.sleep(forTimeInterval: 0.2) }
    // Trust the live XML over the event: it says what the guest has now. Read as a domain,
    // not searched as text: the device by its alias, or (without one) by its element.
    let live = try DomainDocument(xml: handle.xml(), source: "\(domain) (live)")
    let devices = live.domain.devices
    let stillThere =
      alias.map { alias in devices.contains { $0.alias == alias } }
      ?? devices.contains { live.deviceXML(at: $0.index) == deviceXML }
    if !stillThere { return .removed }
    if timeout <= 0 { return .pending }
    return refused ? .refused : .timedOut
  }

  public func define(_ xml: String) throws {
    _ = try retrying { try $0.define(xml: xml, validate: true) }
  }

  public func shutdown(_ domain: String) throws {
    try retrying { try $0.domain(named: domain).shutdown() }
  }

  public func startTransient(_ xml: String) throws -> TransientStart {
    let started = Result { () throws(LibvirtError) in try connection.createTransient(xml: xml, paused: true) }
    switch started {
    case .success(let domain):
      try? domain.destroy()
      return .started
    case .failure(let error):
      // A refusal is an answer; a connection that went away is not.
      guard error.code != .noConnect, connection.isAlive else { throw error }
      return .refused(error.message)
    }
  }

  /// Runs `body`; if libvirtd went away, reconnects once and runs it again.
  private func retrying<T>(_ body: (Connection) throws -> T) throws -> T {
    do {
      return try body(connection)
    } catch let error as LibvirtError where error.code == .noConnect || !connection.isAlive {
      // Judged by the connection itself (virConnectIsAlive), not by the message's words.
      try reconnect()
      return try body(connection)
    }
  }

  private func reconnect() throws {
    let deadline = Date().addingTimeInterval(reconnectTimeout)
    var lastError: Error?
    while Date() < deadline {
      do {
        try reconnectOnce()
        return
      } catch {
        lastError = error
        Thread.sleep(forTimeInterval: 0.5)
      }
    }
    throw lastError ?? LibvirtError(code: .noConnect, domain: 0, message: "libvirtd did not come back")
  }
}

/// Events from libvirt's loop thread, waited for by the enforcing thread.
private final class EventQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private var pending: [DomainEvent] = []

  func append(_ event: DomainEvent) {
    condition.lock()
    pending.append(event)
    condition.broadcast()
    condition.unlock()
  }

  func removeAll(where matches: (DomainEvent) -> Bool) {
    condition.lock()
    pending.removeAll(where: matches)
    condition.unlock()
  }

  /// The first pending event `matches` accepts (removed from the queue), waiting until `deadline`.
  func wait(until deadline: Date, where matches: (DomainEvent) -> Bool) -> DomainEvent? {
    condition.lock()
    defer { condition.unlock() }
    while true {
      if let index = pending.firstIndex(where: matches) { return pending.remove(at: index) }
      if !condition.wait(until: deadline) { return nil }
    }
  }
}
