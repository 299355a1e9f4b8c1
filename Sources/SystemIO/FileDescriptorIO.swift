#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads and writes on a file descriptor, retrying on EINTR: the one place that loops on
/// short reads and writes (standard input and output of the CLI and the hook).
public enum FileDescriptorIO {
  /// Reads until end of file, straight into the array's spare capacity: no zeroed buffer whose
  /// pages the kernel would fault in for nothing (a domain XML is a few kilobytes). `name`
  /// names the descriptor in errors (`<stdin>`).
  public static func readAll(_ descriptor: Int32, name: String) -> Result<[UInt8], SystemError> {
    var bytes: [UInt8] = []
    var capacity = 16384
    while true {
      if bytes.count == capacity { capacity *= 2 }
      var got = 0
      var failure: Int32 = 0
      var chunk = [UInt8](unsafeUninitializedCapacity: capacity - bytes.count) { buffer, initialized in
        got = read(descriptor, buffer.baseAddress, buffer.count)
        if got < 0 { failure = errno }
        initialized = max(got, 0)
      }
      if got < 0 && failure == EINTR { continue }
      if got < 0 { return .failure(SystemError(path: name, operation: "read", errno: failure)) }
      if got == 0 { return .success(bytes) }
      if bytes.isEmpty {
        swap(&bytes, &chunk)
      } else {
        bytes += chunk
      }
    }
  }

  /// Writes all of `text`; returns 0, or the errno that stopped it.
  @discardableResult
  public static func write(_ text: String, to descriptor: Int32) -> Int32 {
    var text = text
    return text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
  }

  /// Writes all of `bytes`; returns 0, or the errno that stopped it.
  public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var offset = 0
    while offset < bytes.count {
      let wrote = Glibc.write(descriptor, base + offset, bytes.count - offset)
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
