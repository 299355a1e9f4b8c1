internal import CLibvirt

#if canImport(Glibc)
  internal import Glibc
#endif

/// A domain event libvirt delivered on the default event loop.
public enum DomainEvent: Equatable, Sendable {
  /// A device finished leaving a running domain (QEMU's DEVICE_DELETED).
  case deviceRemoved(domain: String, alias: String)
  /// The guest refused or failed to release a device.
  case deviceRemovalFailed(domain: String, alias: String)
  /// A device was hot-plugged into a running domain.
  case deviceAdded(domain: String, alias: String)
  /// A lifecycle change: `event` is `virDomainEventType` (0 defined, 1 undefined, 2 started, ...).
  case lifecycle(domain: String, event: Int32, detail: Int32)
}

/// libvirt's default event loop, run on a thread of its own.
///
/// Must be started before the connections whose events are wanted are opened.
public enum EventLoop {
  /// Registers the default implementation and starts the thread that runs it; idempotent.
  public static func start() throws(LibvirtError) {
    if let failure = started { throw failure }
  }

  private static let started: LibvirtError? = {
    do throws(LibvirtError) {
      try Call.initialize()
      try Call.status("virEventRegisterDefaultImpl", virEventRegisterDefaultImpl())
    } catch {
      return error
    }
    var thread = pthread_t()
    let result = pthread_create(
      &thread, nil,
      { _ in
        while true { _ = virEventRunDefaultImpl() }
      }, nil)
    if result != 0 {
      return LibvirtError(code: .internalError, domain: 0, message: "cannot start the libvirt event loop thread")
    }
    pthread_detach(thread)
    return nil
  }()
}

/// Keeps a domain event subscription alive; deregisters it when released.
public final class EventSubscription: @unchecked Sendable {
  private let connection: Connection
  private let callbackIDs: [Int32]

  init(connection: Connection, callbackIDs: [Int32]) {
    self.connection = connection
    self.callbackIDs = callbackIDs
  }

  deinit {
    for id in callbackIDs { virConnectDomainEventDeregisterAny(connection.pointer, id) }
  }
}

/// The Swift handler behind the C callbacks, kept alive by libvirt until its free callback.
private final class EventHandlerBox {
  let handler: @Sendable (DomainEvent) -> Void
  init(_ handler: @escaping @Sendable (DomainEvent) -> Void) { self.handler = handler }
}

private typealias DeviceCallback = @convention(c) (
  OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?
) -> Void
private typealias LifecycleCallback = @convention(c) (
  OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Void

private func domainName(_ domain: OpaquePointer?) -> String {
  domain.flatMap { virDomainGetName($0) }.map { String(cString: $0) } ?? ""
}

private func deliver(_ opaque: UnsafeMutableRawPointer?, _ event: DomainEvent) {
  guard let opaque else { return }
  Unmanaged<EventHandlerBox>.fromOpaque(opaque).takeUnretainedValue().handler(event)
}

private let deviceRemoved: DeviceCallback = { _, domain, alias, opaque in
  deliver(opaque, .deviceRemoved(domain: domainName(domain), alias: alias.map { String(cString: $0) } ?? ""))
}
private let deviceRemovalFailed: DeviceCallback = { _, domain, alias, opaque in
  deliver(opaque, .deviceRemovalFailed(domain: domainName(domain), alias: alias.map { String(cString: $0) } ?? ""))
}
private let deviceAdded: DeviceCallback = { _, domain, alias, opaque in
  deliver(opaque, .deviceAdded(domain: domainName(domain), alias: alias.map { String(cString: $0) } ?? ""))
}
private let lifecycle: LifecycleCallback = { _, domain, event, detail, opaque in
  deliver(opaque, .lifecycle(domain: domainName(domain), event: event, detail: detail))
}

extension Connection {
  /// Delivers device and lifecycle events of every domain to `handler`, on the event loop's
  /// thread, until the returned subscription is released. Needs ``EventLoop/start()`` first.
  public func subscribe(_ handler: @escaping @Sendable (DomainEvent) -> Void) throws(LibvirtError) -> EventSubscription {
    let registrations: [(Int32, virConnectDomainEventGenericCallback)] = [
      (Int32(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED.rawValue), unsafeBitCast(deviceRemoved, to: virConnectDomainEventGenericCallback.self)),
      (
        Int32(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED.rawValue),
        unsafeBitCast(deviceRemovalFailed, to: virConnectDomainEventGenericCallback.self)
      ),
      (Int32(VIR_DOMAIN_EVENT_ID_DEVICE_ADDED.rawValue), unsafeBitCast(deviceAdded, to: virConnectDomainEventGenericCallback.self)),
      (Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue), unsafeBitCast(lifecycle, to: virConnectDomainEventGenericCallback.self)),
    ]
    var ids: [Int32] = []
    for (event, callback) in registrations {
      let box = Unmanaged.passRetained(EventHandlerBox(handler)).toOpaque()
      let id = virConnectDomainEventRegisterAny(pointer, nil, event, callback, box) { opaque in
        if let opaque { Unmanaged<EventHandlerBox>.fromOpaque(opaque).release() }
      }
      guard id >= 0 else {
        let error = LibvirtError.takeLast(orDescribe: "virConnectDomainEventRegisterAny")
        Unmanaged<EventHandlerBox>.fromOpaque(box).release()
        for registered in ids { virConnectDomainEventDeregisterAny(pointer, registered) }
        throw error
      }
      ids.append(id)
    }
    return EventSubscription(connection: self, callbackIDs: ids)
  }
}
