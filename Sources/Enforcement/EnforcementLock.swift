import Foundation
import SystemIO

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

  /// The lock file cannot be used: its path and why.
  public struct Unusable: Error, CustomStringConvertible {
    /// What the user sees: the path, then the reason.
    public let description: String
  }

  /// Takes the lock; with `wait`, blocks until the other enforcer is done.
  ///
  /// Only its owner can open the lock file (0600, in a 0700 directory when the directory is
  /// ours to create), so no other local user can hold it and block `enforce` (`flock` works on a
  /// read-only descriptor). A symbolic link at its path is refused, not followed, and nothing is
  /// truncated before the lock is held.
  public init(path: String = EnforcementLock.defaultPath, wait: Bool) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !FileManager.default.fileExists(atPath: directory) {
      do { try Directories.create(directory, mode: 0o700) } catch { throw Unusable(description: error.description) }
    }
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard descriptor >= 0 else {
      let code = errno
      let reason = code == ELOOP ? "a symbolic link; refusing to follow it" : String(cString: strerror(code))
      throw Unusable(description: "\(path): cannot open the lock file: \(reason)")
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
      close(descriptor)
      throw Unusable(description: "\(path): the lock file is not a regular file owned by uid \(geteuid()); remove it")
    }
    // An older lock file may still be 0644: only its owner may open it from now on.
    fchmod(descriptor, 0o600)
    if flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
      let holder = (try? FileContents.text(path, limit: 4096).get())?.trimmingCharacters(in: .whitespacesAndNewlines)
      close(descriptor)
      throw Busy(path: path, holder: holder?.isEmpty == false ? holder : nil)
    }
    ftruncate(descriptor, 0)
    let pid = Array("\(getpid())\n".utf8)
    _ = pid.withUnsafeBytes { FileDescriptorIO.writeAll(descriptor, $0) }
    self.descriptor = descriptor
  }

  deinit {
    ftruncate(descriptor, 0)
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
