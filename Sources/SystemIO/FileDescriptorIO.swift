#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads and writes on a file descriptor, retrying on EINTR: the one place that loops on
/// short writes.
public enum FileDescriptorIO {
  /// Writes all of `bytes`; returns 0, or the errno that stopped it.
  public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var offset = 0
    while offset < bytes.count {
      let wrote = write(descriptor, base + offset, bytes.count - offset)
      if wrote < 0 {
        if errno == EINTR { continue }
        return errno
      }
      if wrote == 0 { return EIO }
      offset += wrote
    }
    return 0
  }
}
