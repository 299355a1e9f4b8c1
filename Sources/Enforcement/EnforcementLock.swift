import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One enforcer at a time per host: an exclusive `flock` on a lock file holding the pid.
public final class EnforcementLock {
  /// The default lock file.
  public static let defaultPath = "/run/kvmpolicy/enforce.lock"

  /// Why the lock could not be taken.
  public struct Busy: Error, CustomStringConvertible {
    /// The lock file.
    public let path: String
    /// The pid written by the holder, if readable.
    public let holder: String?

    /// What the user sees.
    public var description: String {
      "another kvmpolicy enforce is running (\(holder.map { "pid \($0), " } ?? "")lock \(path)); wait for it or pass --wait"
    }
  }

  private let descriptor: Int32

  /// Takes the lock; with `wait`, blocks until the other enforcer is done.
  public init(path: String = EnforcementLock.defaultPath, wait: Bool) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
    if flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
      let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
      close(descriptor)
      throw Busy(path: path, holder: holder?.isEmpty == false ? holder : nil)
    }
    ftruncate(descriptor, 0)
    let pid = "\(getpid())\n"
    _ = pid.withCString { Glibc.write(descriptor, $0, strlen($0)) }
    self.descriptor = descriptor
  }

  deinit {
    ftruncate(descriptor, 0)
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
