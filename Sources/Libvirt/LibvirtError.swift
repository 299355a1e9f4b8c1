internal import CLibvirt

/// A failure reported by libvirt, copied out of its thread-local error right after the call.
public struct LibvirtError: Error, Equatable, Sendable, CustomStringConvertible {
  /// libvirt's error code (`virErrorNumber`), e.g. ``Code/noDomain``.
  public let code: Code
  /// The libvirt subsystem that raised it (`virErrorDomain`), e.g. 10 for the QEMU driver.
  public let domain: Int32
  /// libvirt's message, as `virsh` would print it after `error: `.
  public let message: String

  /// A libvirt error number with names for the codes kvmpolicy reacts to.
  public struct Code: RawRepresentable, Hashable, Sendable {
    /// The `virErrorNumber` value.
    public let rawValue: Int32
    /// Wraps a `virErrorNumber` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `VIR_ERR_INTERNAL_ERROR`.
    public static let internalError = Code(rawValue: Int32(VIR_ERR_INTERNAL_ERROR.rawValue))
    /// `VIR_ERR_NO_SUPPORT`: the driver does not implement the call.
    public static let noSupport = Code(rawValue: Int32(VIR_ERR_NO_SUPPORT.rawValue))
    /// `VIR_ERR_NO_CONNECT`: no driver or daemon for the URI.
    public static let noConnect = Code(rawValue: Int32(VIR_ERR_NO_CONNECT.rawValue))
    /// `VIR_ERR_NO_DOMAIN`: the domain does not exist (any more).
    public static let noDomain = Code(rawValue: Int32(VIR_ERR_NO_DOMAIN.rawValue))
    /// `VIR_ERR_OPERATION_INVALID`: not possible in the domain's current state.
    public static let operationInvalid = Code(rawValue: Int32(VIR_ERR_OPERATION_INVALID.rawValue))
    /// `VIR_ERR_OPERATION_DENIED`: e.g. a write on a read-only connection.
    public static let operationDenied = Code(rawValue: Int32(VIR_ERR_OPERATION_DENIED.rawValue))
    /// `VIR_ERR_XML_ERROR`: libvirt rejected a document.
    public static let xmlError = Code(rawValue: Int32(VIR_ERR_XML_ERROR.rawValue))
    /// `VIR_ERR_XML_INVALID_SCHEMA`: a define with validation failed the schema.
    public static let invalidSchema = Code(rawValue: Int32(VIR_ERR_XML_INVALID_SCHEMA.rawValue))
    /// `VIR_ERR_SYSTEM_ERROR`: an OS call failed (socket missing, permission denied, ...).
    public static let systemError = Code(rawValue: Int32(VIR_ERR_SYSTEM_ERROR.rawValue))
  }

  /// Creates an error from its parts.
  public init(code: Code, domain: Int32, message: String) {
    self.code = code
    self.domain = domain
    self.message = message
  }

  /// The message alone, as libvirt formats it.
  public var description: String { message }
}

extension LibvirtError {
  /// Copies and clears the calling thread's last libvirt error.
  ///
  /// Must run right after the failing call, before any other libvirt call on the thread.
  static func takeLast(orDescribe call: String) -> LibvirtError {
    defer { virResetLastError() }
    guard let error = virGetLastError() else {
      return LibvirtError(code: .internalError, domain: 0, message: "\(call) failed without a libvirt error")
    }
    let message = error.pointee.message.map { String(cString: $0) } ?? "\(call) failed"
    return LibvirtError(
      code: Code(rawValue: error.pointee.code), domain: error.pointee.domain, message: message)
  }
}
