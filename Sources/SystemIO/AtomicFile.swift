#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A file that appears at its path only once it is complete: written to a temporary file beside
/// it, synced, given its mode, and renamed over the target. A reader (libvirt, node_exporter,
/// the hook) never sees half a file; a crash leaves the old file or the new one.
///
/// Only a regular file (or nothing) is ever replaced: a device node, FIFO, directory or symbolic
/// link at the target is refused, so `--output /dev/null` or a planted link cannot make root
/// replace something that is not a report.
public final class AtomicFile {
  /// The target.
  public let path: String
  private let temporary: String
  private let mode: mode_t
  private var descriptor: Int32
  private var buffer: [UInt8] = []
  private var failure: Int32 = 0

  /// Starts writing `path`, which will get `mode`.
  public init(path: String, mode: mode_t = 0o644) throws(SystemError) {
    var info = stat()
    if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
      throw SystemError(path: path, operation: "replace", reason: "not a regular file (\(FileContents.kind(info.st_mode))); refusing to replace it")
    }
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    // An unpredictable name, created exclusively and never through a link: nothing planted
    // beside the target can redirect the write.
    var random = SystemRandomNumberGenerator()
    temporary = (directory.isEmpty ? "" : directory) + "/.\(name).kvmpolicy-" + String(random.next() as UInt64, radix: 36) + ".tmp"
    self.path = path
    self.mode = mode
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard descriptor >= 0 else { throw SystemError(path: temporary, operation: "create", errno: errno) }
    buffer.reserveCapacity(1 << 16)
  }

  deinit {
    if descriptor >= 0 {
      close(descriptor)
      unlink(temporary)
    }
  }

  /// Appends bytes (buffered).
  public func write(_ bytes: some Collection<UInt8>) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Appends UTF-8 text (buffered).
  public func write(_ text: String) {
    var text = text
    text.withUTF8 { buffer.append(contentsOf: $0) }
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Writes what is buffered, syncs, sets the mode and renames the file into place.
  public func commit() throws(SystemError) {
    flush()
    if failure == 0, fchmod(descriptor, mode) != 0 || fsync(descriptor) != 0 { failure = errno }
    let closed = close(descriptor)
    descriptor = -1
    if failure == 0, closed != 0 { failure = errno }
    guard failure == 0 else {
      unlink(temporary)
      throw SystemError(path: path, operation: "write", errno: failure)
    }
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw SystemError(path: path, operation: "rename into place", errno: code)
    }
  }

  /// Writes `bytes` to `path` in one go.
  public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(SystemError) {
    let file = try AtomicFile(path: path, mode: mode)
    file.write(bytes)
    try file.commit()
  }

  private func flush() {
    guard failure == 0 else {
      buffer.removeAll(keepingCapacity: true)
      return
    }
    failure = buffer.withUnsafeBytes { FileDescriptorIO.writeAll(descriptor, $0) }
    buffer.removeAll(keepingCapacity: true)
  }

}
