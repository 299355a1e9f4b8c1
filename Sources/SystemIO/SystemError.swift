#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A system call on a file failed: the file, what was being done, and why.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file concerned.
  public let path: String
  /// What was being done: `open`, `write`, `rename into place` ...
  public let operation: String
  /// The errno, when the failure came from one.
  public let errno: Int32?
  /// The reason in words (strerror, or a sentence of ours).
  public let reason: String

  /// A failure with errno `code`.
  public init(path: String, operation: String, errno code: Int32) {
    self.path = path
    self.operation = operation
    self.errno = code
    reason = String(cString: strerror(code))
  }

  /// A failure that is not an errno.
  public init(path: String, operation: String, reason: String) {
    self.path = path
    self.operation = operation
    self.errno = nil
    self.reason = reason
  }

  /// `path: cannot operation: reason`.
  public var description: String { "\(path): cannot \(operation): \(reason)" }
}
