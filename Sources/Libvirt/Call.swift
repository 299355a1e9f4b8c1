internal import CLibvirt

#if canImport(Glibc)
  internal import Glibc
#endif

/// The funnel every libvirt call goes through: a failure becomes a ``LibvirtError`` at once.
///
/// Also performs the library's one-time set-up: `virInitialize` and silencing libvirt's
/// default error printer, so errors reach the user once, through kvmpolicy.
enum Call {
  /// Throws the thread's libvirt error when a status-returning call failed (`< 0`).
  @discardableResult
  static func status(_ name: String, _ result: Int32) throws(LibvirtError) -> Int32 {
    guard result >= 0 else { throw LibvirtError.takeLast(orDescribe: name) }
    return result
  }

  /// Throws the thread's libvirt error when a pointer-returning call returned `NULL`.
  static func value<T>(_ name: String, _ result: T?) throws(LibvirtError) -> T {
    guard let result else { throw LibvirtError.takeLast(orDescribe: name) }
    return result
  }

  /// Runs the one-time library set-up; cheap after the first call.
  static func initialize() throws(LibvirtError) {
    if let failure = libvirtInitialization { throw failure }
  }
}

/// `virInitialize` plus a no-op error handler, run once per process. Also ignores SIGPIPE, as
/// libvirt asks of its clients: a write to a daemon that went away must fail, not kill us.
private let libvirtInitialization: LibvirtError? = {
  signal(SIGPIPE, SIG_IGN)
  virSetErrorFunc(nil) { _, _ in }
  guard virInitialize() == 0 else { return LibvirtError.takeLast(orDescribe: "virInitialize") }
  return nil
}()
